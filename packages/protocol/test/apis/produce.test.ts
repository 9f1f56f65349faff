import { describe, expect, it } from 'vitest';
import { Produce, type ProduceRequest } from '../../src/apis/produce.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, requestFrame, responseBody } from '../support/kafkajs.js';

// kafkajs is an independent implementation: its encoders give golden request bytes and its
// decoders check our responses.
const kafkajs = kafkajsApi('produce');

/** Walks the batches (magic 2) or message-set entries (magic 0/1) in `records`; returns [magic, count]. */
function inspectRecords(records: Buffer): { magic: number; entries: number } {
  const magic = records.readInt8(16);
  let at = 0;
  let entries = 0;
  while (at < records.length) {
    const size = records.readInt32BE(at + 8); // batch length / message size, after the int64 offset
    if (magic === 2) entries += records.readInt32BE(at + 57); // record count in the batch header
    else entries += 1;
    at += 12 + size;
  }
  expect(at).toBe(records.length);
  return { magic, entries };
}

const T0 = 1_700_000_000_000;
const messages = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `value-${i}`, timestamp: T0 + i }));

describe('Produce', () => {
  it('covers every kafkajs version', () => {
    expect(kafkajs.versions).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Produce.validVersions).toBe('0-11');
  });

  describe.each(kafkajs.versions)('kafkajs v%i', (version) => {
    it('decodes the request kafkajs encodes, records included', async () => {
      const transactional = version >= 3 && version % 2 === 0;
      const frame = await kafkajs.goldenRequest(version, {
        acks: -1,
        timeout: 30_000,
        ...(transactional ? { transactionalId: 'tx-1' } : {}),
        topicData: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, messages: messages(2) },
              { partition: 3, messages: messages(1) },
            ],
          },
          { topic: 'audit', partitions: [{ partition: 1, messages: messages(3) }] },
        ],
      });

      const { header, api, body } = decodeRequestFrame(frame, only(Produce));
      expect(api).toBe(Produce);
      expect(header).toEqual({ apiKey: 0, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
      const req = body as ProduceRequest;
      expect(req.transactionalId).toBe(transactional ? 'tx-1' : null);
      expect(req.acks).toBe(-1);
      expect(req.timeoutMs).toBe(30_000);
      expect(req.topicData.map((t) => [t.name, t.partitionData.map((p) => p.index)])).toEqual([
        ['orders', [0, 3]],
        ['audit', [1]],
      ]);

      // Magic 0 for v0/v1 message sets, 1 for v2, 2 (record batch) from v3.
      const magic = version >= 3 ? 2 : version === 2 ? 1 : 0;
      const counts = req.topicData.flatMap((t) =>
        t.partitionData.map((p) => {
          expect(p.records).not.toBeNull();
          const rec = inspectRecords(p.records ?? Buffer.alloc(0));
          expect(rec.magic).toBe(magic);
          if (magic === 2) {
            // A single batch whose length field covers the rest of the bytes.
            expect(p.records?.readInt32BE(8)).toBe((p.records?.length ?? 0) - 12);
          }
          return rec.entries;
        }),
      );
      expect(counts).toEqual([2, 1, 3]);

      // Re-encoding what we decoded gives kafkajs's bytes back exactly.
      expect(requestFrame(Produce, version, req)).toEqual(frame);
    });

    it('encodes a response kafkajs decodes', async () => {
      const bytes = responseBody(Produce, version, {
        responses: [
          {
            name: 'orders',
            partitionResponses: [
              { index: 0, errorCode: 0, baseOffset: 42n, logAppendTimeMs: 1_700_000_000_123n, logStartOffset: 5n },
              { index: 3, errorCode: 0, baseOffset: 9_007_199_254_740_993n, logAppendTimeMs: -1n, logStartOffset: 0n },
            ],
          },
        ],
        throttleTimeMs: 15,
      });
      const decoded = await kafkajs.decodeResponse(version, bytes);

      const partitions = [
        { partition: 0, errorCode: 0, offset: '42', timestamp: '1700000000123', logStartOffset: '5' },
        { partition: 3, errorCode: 0, offset: '9007199254740993', timestamp: '-1', logStartOffset: '0' },
      ].map(({ partition, errorCode, offset, timestamp, logStartOffset }) => {
        if (version <= 1) return { partition, errorCode, offset };
        if (version === 2) return { partition, errorCode, offset, timestamp };
        const p = { partition, errorCode, baseOffset: offset, logAppendTime: timestamp };
        return version >= 5 ? { ...p, logStartOffset } : p;
      });
      const topics = [{ topicName: 'orders', partitions }];
      // kafkajs reports the throttle of v6+ as client-side throttling.
      const throttle =
        version === 0 ? {} : version >= 6 ? { throttleTime: 0, clientSideThrottleTime: 15 } : { throttleTime: 15 };
      expect(decoded).toEqual({ topics, ...throttle });
    });
  });

  it('matches spec bytes for a flexible v9 request', () => {
    // prettier-ignore
    const expected = Buffer.from([
      0x00,                               // transactional_id: null (compact nullable string)
      0x00, 0x01,                         // acks: 1
      0x00, 0x00, 0x03, 0xe8,             // timeout_ms: 1000
      0x02,                               // topic_data: compact array, 1 entry
      0x02, 0x74,                         //   name: "t"
      0x02,                               //   partition_data: 1
      0x00, 0x00, 0x00, 0x00,             //     index: 0
      0x04, 0x01, 0x02, 0x03,             //     records: 3 bytes (compact, length + 1)
      0x00,                               //     (partition) tagged fields: 0
      0x00,                               //   (topic) tagged fields: 0
      0x00,                               // tagged fields: 0
    ]);
    const body = {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from([1, 2, 3]) }] }],
    };
    const w = new Writer();
    Produce.encodeRequest(w, 9, body);
    expect(w.toBuffer()).toEqual(expected);
    expect(Produce.decodeRequest(new Reader(expected), 9)).toEqual(body);
  });

  it('decodes the tagged current leader and node endpoints of v10+ with -1 defaults', () => {
    const w = new Writer();
    Produce.encodeResponse(w, 11, {
      responses: [
        {
          name: 't',
          partitionResponses: [
            { index: 0, errorCode: 6, baseOffset: -1n, currentLeader: { leaderId: 2, leaderEpoch: 8 } },
            { index: 1, errorCode: 0, baseOffset: 10n },
          ],
        },
      ],
      nodeEndpoints: [{ nodeId: 2, host: 'b2', port: 9093 }],
    });
    const res = Produce.decodeResponse(new Reader(w.toBuffer()), 11);
    const [p0, p1] = res.responses[0]?.partitionResponses ?? [];
    expect(p0?.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 8 });
    expect(p1?.currentLeader).toEqual({ leaderId: -1, leaderEpoch: -1 });
    expect(p1).toMatchObject({ logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null });
    expect(res.nodeEndpoints).toEqual([{ nodeId: 2, host: 'b2', port: 9093, rack: null }]);
  });
});
