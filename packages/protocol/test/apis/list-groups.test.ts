import { describe, expect, it } from 'vitest';
import { ListGroups } from '../../src/apis/list-groups.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('listGroups');

describe('ListGroups', () => {
  it.each([0, 1, 2])('decodes kafkajs v%i requests (empty body)', async (version) => {
    const frame = await kafkajs.goldenRequest(version);
    const { header, body } = decodeRequestFrame(frame, only(ListGroups));
    expect(header).toEqual({ apiKey: 16, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({ statesFilter: [], typesFilter: [] });
  });

  it.each([0, 1, 2])('kafkajs decodes our v%i responses', async (version) => {
    const bytes = responseBody(ListGroups, version, {
      throttleTimeMs: 5,
      errorCode: 0,
      groups: [
        { groupId: 'consumers', protocolType: 'consumer', groupState: 'Stable' },
        { groupId: 'connect-cluster', protocolType: 'connect' },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const groups = [
      { groupId: 'consumers', protocolType: 'consumer' },
      { groupId: 'connect-cluster', protocolType: 'connect' },
    ];
    if (version === 0) expect(decoded).toEqual({ errorCode: 0, groups });
    else if (version === 1) expect(decoded).toEqual({ errorCode: 0, groups, throttleTime: 5 });
    else expect(decoded).toEqual({ errorCode: 0, groups, throttleTime: 0, clientSideThrottleTime: 5 });
  });

  it('encodes the v5 filters as compact arrays', () => {
    const w = new Writer();
    ListGroups.encodeRequest(w, 5, { statesFilter: ['Stable'], typesFilter: ['classic', 'consumer'] });
    expect(w.toBuffer()).toEqual(
      Buffer.concat([
        Buffer.from([2, 7]), // statesFilter: 1 entry, compact string of 6 bytes
        Buffer.from('Stable'),
        Buffer.from([3, 8]), // typesFilter: 2 entries, first of 7 bytes
        Buffer.from('classic'),
        Buffer.from([9]),
        Buffer.from('consumer'),
        Buffer.from([0]), // no tagged fields
      ]),
    );
    expect(ListGroups.decodeRequest(new Reader(w.toBuffer()), 5)).toEqual({
      statesFilter: ['Stable'],
      typesFilter: ['classic', 'consumer'],
    });
    // A filter a version does not carry is refused rather than silently dropped.
    expect(() => ListGroups.encodeRequest(new Writer(), 3, { statesFilter: ['Stable'] })).toThrow();
  });
});
