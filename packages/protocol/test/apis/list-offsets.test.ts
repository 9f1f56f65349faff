import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ListOffsets, type ListOffsetsRequest } from '../../src/apis/list-offsets.js';
import { decodeRequestFrame, encodeRequestFrame } from '../../src/framing.js';
import { Writer } from '../../src/io/writer.js';

// kafkajs is an independent implementation: its encoders give golden request bytes and its
// decoders check our responses.
const require = createRequire(import.meta.url);

interface KjsRequest {
  apiKey: number;
  apiVersion: number;
  encode: () => Promise<unknown>;
}
type KjsEncodeFrame = (a: { correlationId: number; clientId: string; request: KjsRequest }) => Promise<{ buffer: Buffer }>;
interface KjsApi {
  versions: string[];
  protocol: (a: { version: number }) => (args: Record<string, unknown>) => { request: KjsRequest };
}
interface KjsResponse {
  decode: (data: Buffer) => Promise<unknown>;
}

const encodeFrame = require('kafkajs/src/protocol/request') as KjsEncodeFrame;
const kjsListOffsets = require('kafkajs/src/protocol/requests/listOffsets/index.js') as KjsApi;
const kjsResponse = (v: number): KjsResponse =>
  require(`kafkajs/src/protocol/requests/listOffsets/v${v}/response`) as KjsResponse;

const lookup = (k: number) => (k === ListOffsets.apiKey ? ListOffsets : undefined);
const kjsVersions = kjsListOffsets.versions.map(Number);

async function goldenFrame(version: number, args: Record<string, unknown>): Promise<Buffer> {
  const { request } = kjsListOffsets.protocol({ version })(args);
  const framed = (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer;
  return framed.subarray(4);
}

describe('ListOffsets', () => {
  it('covers every kafkajs version', () => {
    expect(kjsVersions).toEqual([0, 1, 2, 3]);
    expect(ListOffsets.validVersions).toBe('0-10');
  });

  describe.each(kjsVersions)('kafkajs v%i', (version) => {
    it('decodes the request kafkajs encodes', async () => {
      const frame = await goldenFrame(version, {
        isolationLevel: 0,
        topics: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, timestamp: -1, maxNumOffsets: 3 },
              { partition: 4, timestamp: 1_700_000_000_000 },
            ],
          },
          { topic: 'audit', partitions: [{ partition: 1, timestamp: -2 }] },
        ],
      });
      const { header, body } = decodeRequestFrame(frame, lookup);
      expect(header).toEqual({ apiKey: 2, apiVersion: version, correlationId: 7, clientId: 'golden' });
      const req = body as ListOffsetsRequest;
      const partition = (partitionIndex: number, timestamp: bigint, maxNumOffsets = 1) => ({
        partitionIndex,
        currentLeaderEpoch: -1,
        timestamp,
        maxNumOffsets: version === 0 ? maxNumOffsets : 1,
      });
      expect(req).toEqual({
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: 'orders', partitions: [partition(0, -1n, 3), partition(4, 1_700_000_000_000n)] },
          { name: 'audit', partitions: [partition(1, -2n)] },
        ],
        timeoutMs: 0,
      });
      const again = Buffer.concat(
        encodeRequestFrame(ListOffsets, { apiVersion: version, correlationId: 7, clientId: 'golden' }, req),
      );
      expect(again.subarray(4)).toEqual(frame);
    });

    it('encodes a response kafkajs decodes', async () => {
      const w = new Writer();
      // v0 answers with a list of offsets; v1+ with one timestamp/offset pair.
      const partitions =
        version === 0
          ? [
              { partitionIndex: 0, errorCode: 0, oldStyleOffsets: [55n, 10n] },
              { partitionIndex: 4, errorCode: 0, oldStyleOffsets: [] },
            ]
          : [
              { partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 55n },
              { partitionIndex: 4, errorCode: 0, timestamp: 1_700_000_000_000n, offset: 9_007_199_254_740_993n },
            ];
      ListOffsets.encodeResponse(w, version, { throttleTimeMs: 11, topics: [{ name: 'orders', partitions }] });
      const decoded = await kjsResponse(version).decode(w.toBuffer());

      const kjsPartitions =
        version === 0
          ? [
              { partition: 0, errorCode: 0, offsets: ['55', '10'] },
              { partition: 4, errorCode: 0, offsets: [] },
            ]
          : [
              { partition: 0, errorCode: 0, timestamp: '-1', offset: '55' },
              { partition: 4, errorCode: 0, timestamp: '1700000000000', offset: '9007199254740993' },
            ];
      const throttle =
        version <= 1 ? {} : version === 2 ? { throttleTime: 11 } : { throttleTime: 0, clientSideThrottleTime: 11 };
      expect(decoded).toEqual({ responses: [{ topic: 'orders', partitions: kjsPartitions }], ...throttle });
    });
  });

  it('rejects v0-only and v1+-only response fields at the wrong version', () => {
    const p = { partitionIndex: 0, errorCode: 0 };
    expect(() =>
      ListOffsets.encodeResponse(new Writer(), 1, { topics: [{ name: 't', partitions: [{ ...p, oldStyleOffsets: [1n] }] }] }),
    ).toThrow();
    expect(() =>
      ListOffsets.encodeResponse(new Writer(), 0, { topics: [{ name: 't', partitions: [{ ...p, offset: 1n }] }] }),
    ).toThrow();
  });
});
