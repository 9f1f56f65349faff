import { describe, expect, it } from 'vitest';
import { ListOffsets, type ListOffsetsRequest } from '../../src/apis/list-offsets.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, requestFrame, responseBody } from '../support/kafkajs.js';

// kafkajs is an independent implementation: its encoders give golden request bytes and its
// decoders check our responses.
const kafkajs = kafkajsApi('listOffsets');

describe('ListOffsets', () => {
  it('covers every kafkajs version', () => {
    expect(kafkajs.versions).toEqual([0, 1, 2, 3]);
    expect(ListOffsets.validVersions).toBe('0-10');
  });

  describe.each(kafkajs.versions)('kafkajs v%i', (version) => {
    it('decodes the request kafkajs encodes', async () => {
      const frame = await kafkajs.goldenRequest(version, {
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
      const { header, body } = decodeRequestFrame(frame, only(ListOffsets));
      expect(header).toEqual({ apiKey: 2, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
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
      expect(requestFrame(ListOffsets, version, req)).toEqual(frame);
    });

    it('encodes a response kafkajs decodes', async () => {
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
      const bytes = responseBody(ListOffsets, version, { throttleTimeMs: 11, topics: [{ name: 'orders', partitions }] });
      const decoded = await kafkajs.decodeResponse(version, bytes);

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
