import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DeleteGroups } from '../../src/apis/delete-groups.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
}
type EncodeFrame = (a: { correlationId: number; clientId: string; request: KafkajsRequest }) => Promise<{ buffer: Buffer }>;
interface KafkajsApi {
  protocol: (o: { version: number }) => (groupIds: string[]) => { request: KafkajsRequest };
}
interface KafkajsResponse {
  decode: (buffer: Buffer) => Promise<unknown>;
}

const encodeFrame = require('kafkajs/src/protocol/request') as EncodeFrame;
const kafkajs = require('kafkajs/src/protocol/requests/deleteGroups/index.js') as KafkajsApi;
const kafkajsResponse = (v: number): KafkajsResponse =>
  require(`kafkajs/src/protocol/requests/deleteGroups/v${v}/response`) as KafkajsResponse;

async function goldenFrame(version: number, groupIds: string[]): Promise<Buffer> {
  const { request } = kafkajs.protocol({ version })(groupIds);
  return (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer.subarray(4);
}

const lookup = (k: number) => (k === DeleteGroups.apiKey ? DeleteGroups : undefined);

describe('DeleteGroups', () => {
  it.each([0, 1])('decodes kafkajs v%i requests', async (version) => {
    const frame = await goldenFrame(version, ['old-consumers', 'stale']);
    const { header, body } = decodeRequestFrame(frame, lookup);
    expect(header).toEqual({ apiKey: 42, apiVersion: version, correlationId: 7, clientId: 'golden' });
    expect(body).toEqual({ groupsNames: ['old-consumers', 'stale'] });
  });

  it.each([0, 1])('kafkajs decodes our v%i responses', async (version) => {
    const w = new Writer();
    DeleteGroups.encodeResponse(w, version, {
      throttleTimeMs: 12,
      results: [
        { groupId: 'old-consumers', errorCode: 0 },
        { groupId: 'stale', errorCode: 68 },
      ],
    });
    const decoded = (await kafkajsResponse(version).decode(w.toBuffer())) as {
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
