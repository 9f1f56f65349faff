import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ListGroups } from '../../src/apis/list-groups.js';
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
  protocol: (o: { version: number }) => () => { request: KafkajsRequest };
}
interface KafkajsResponse {
  decode: (buffer: Buffer) => Promise<unknown>;
}

const encodeFrame = require('kafkajs/src/protocol/request') as EncodeFrame;
const kafkajs = require('kafkajs/src/protocol/requests/listGroups/index.js') as KafkajsApi;
const kafkajsResponse = (v: number): KafkajsResponse =>
  require(`kafkajs/src/protocol/requests/listGroups/v${v}/response`) as KafkajsResponse;

async function goldenFrame(version: number): Promise<Buffer> {
  const { request } = kafkajs.protocol({ version })();
  return (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer.subarray(4);
}

const lookup = (k: number) => (k === ListGroups.apiKey ? ListGroups : undefined);

describe('ListGroups', () => {
  it.each([0, 1, 2])('decodes kafkajs v%i requests (empty body)', async (version) => {
    const frame = await goldenFrame(version);
    const { header, body } = decodeRequestFrame(frame, lookup);
    expect(header).toEqual({ apiKey: 16, apiVersion: version, correlationId: 7, clientId: 'golden' });
    expect(body).toEqual({ statesFilter: [], typesFilter: [] });
  });

  it.each([0, 1, 2])('kafkajs decodes our v%i responses', async (version) => {
    const w = new Writer();
    ListGroups.encodeResponse(w, version, {
      throttleTimeMs: 5,
      errorCode: 0,
      groups: [
        { groupId: 'consumers', protocolType: 'consumer', groupState: 'Stable' },
        { groupId: 'connect-cluster', protocolType: 'connect' },
      ],
    });
    const decoded = await kafkajsResponse(version).decode(w.toBuffer());
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
