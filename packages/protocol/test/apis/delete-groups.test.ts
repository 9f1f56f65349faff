import { describe, expect, it } from 'vitest';
import { DeleteGroups } from '../../src/apis/delete-groups.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('deleteGroups');

describe('DeleteGroups', () => {
  it.each([0, 1])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, ['old-consumers', 'stale']);
    const { header, body } = decodeRequestFrame(frame, only(DeleteGroups));
    expect(header).toEqual({ apiKey: 42, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({ groupsNames: ['old-consumers', 'stale'] });
  });

  it.each([0, 1])('kafkajs decodes our v%i responses', async (version) => {
    const bytes = responseBody(DeleteGroups, version, {
      throttleTimeMs: 12,
      results: [
        { groupId: 'old-consumers', errorCode: 0 },
        { groupId: 'stale', errorCode: 68 },
      ],
    });
    const decoded = (await kafkajs.decodeResponse(version, bytes)) as {
      throttleTimeMs: number;
      results: { groupId: string; errorCode: number }[];
    };
    // kafkajs v1 reads `throttleTime` from its v0 result, which calls the field `throttleTimeMs`,
    // so its clientSideThrottleTime is always undefined; throttleTimeMs itself survives.
    expect(decoded.throttleTimeMs).toBe(12);
    expect(decoded.results).toMatchObject([
      { groupId: 'old-consumers', errorCode: 0 },
      { groupId: 'stale', errorCode: 68 },
    ]);
  });

  it('encodes v2 as a flexible message', () => {
    const w = new Writer();
    DeleteGroups.encodeResponse(w, 2, {
      throttleTimeMs: 0,
      results: [{ groupId: 'g', errorCode: 0, _unknownTaggedFields: [{ tag: 0, data: Buffer.from('x') }] }],
    });
    // int32 0, compact array of 1, compact "g", int16 0, one tagged field (tag 0, 1 byte 'x'), top tags
    expect(w.toBuffer()).toEqual(Buffer.from([0, 0, 0, 0, 2, 2, 0x67, 0, 0, 1, 0, 1, 0x78, 0]));
    expect(DeleteGroups.decodeResponse(new Reader(w.toBuffer()), 2).results[0]?._unknownTaggedFields).toEqual([
      { tag: 0, data: Buffer.from('x') },
    ]);
  });
});
