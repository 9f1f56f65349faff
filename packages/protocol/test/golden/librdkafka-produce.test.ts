/**
 * librdkafka's Produce v7 golden frames: every compression codec, the idempotent and
 * transactional producers, and kcat — each batch CRC-checked and decoded record by record.
 * Loading and the scenario's constants: librdkafka-fixtures.ts.
 */
import { describe, expect, it } from 'vitest';
import { Produce } from '../../src/apis/produce.js';
import type { CompressionName } from '../../src/compression/codecs.js';
import { scanBatches } from '../../src/records/batch-view.js';
import { decodeRecordBatch, type RecordHeader } from '../../src/records/record-batch.js';
import type { RequestOf } from '../../src/schema/api.js';
import { IDEMPOTENT_PRODUCER, TRANSACTIONAL_PRODUCER } from './capture/capture-server.js';
import { KCAT, request, TOPIC, TXN_ID, TXN_TOPIC } from './librdkafka-fixtures.js';

// ---- what the scenario produced (keep in sync with librdkafka-scenario.py) ---------------------

const T0 = 1_700_000_000_000n;
const FILLER = 'golden '.repeat(16);
const PARTITION_OF: Record<CompressionName, number> = { none: 0, gzip: 1, snappy: 2, lz4: 0, zstd: 1 };

interface SentRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: bigint;
  readonly headers: readonly { key: string; value: string | null }[];
}

const compressionRecords = (codec: CompressionName): SentRecord[] => [
  {
    key: 'key-0',
    value: `${codec} value 0 ${FILLER}`,
    timestamp: T0,
    headers: [
      { key: 'trace-id', value: 'trace-0' },
      { key: 'empty', value: '' },
      { key: 'null', value: null },
    ],
  },
  { key: null, value: `${codec} value 1 ${FILLER}`, timestamp: T0 + 1000n, headers: [] },
  { key: 'key-2', value: null, timestamp: T0 + 2000n, headers: [{ key: 'tombstone', value: 'yes' }] },
];

// ---- helpers -----------------------------------------------------------------------------------

const buf = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'utf8'));
const headersOf = (hs: SentRecord['headers']): RecordHeader[] => hs.map((h) => ({ key: h.key, value: buf(h.value) }));

/** The records blob of a single-partition Produce request, after checking where it goes. */
function producedRecords(body: RequestOf<typeof Produce>, topic: string, partition: number): Buffer {
  expect(body.topicData).toHaveLength(1);
  const [td] = body.topicData;
  expect(td?.name).toBe(topic);
  expect(td?.partitionData.map((p) => p.index)).toEqual([partition]);
  const records = td?.partitionData[0]?.records ?? null;
  expect(records).not.toBeNull();
  return records ?? Buffer.alloc(0);
}

/** Scans (CRC-checked) and fully decodes the one batch librdkafka sent, checking its records. */
async function singleBatch(records: Buffer, sent: readonly SentRecord[]) {
  const views = scanBatches(records, { verifyCrc: true });
  expect(views).toHaveLength(1);
  const [view] = views;
  if (view === undefined) throw new Error('no batch');
  expect(view.magic).toBe(2);
  expect(view.size).toBe(records.length);
  const batch = await decodeRecordBatch(view);
  expect(batch).toMatchObject({
    baseOffset: 0n,
    partitionLeaderEpoch: 0, // librdkafka writes 0 (the Java client writes -1)
    timestampType: 'create-time',
    control: false,
    lastOffsetDelta: sent.length - 1,
    baseTimestamp: sent[0]?.timestamp,
    maxTimestamp: sent.reduce((m, r) => (r.timestamp > m ? r.timestamp : m), -1n),
  });
  expect(batch.records).toEqual(
    sent.map((r, i) => ({ offset: BigInt(i), timestamp: r.timestamp, key: buf(r.key), value: buf(r.value), headers: headersOf(r.headers) })),
  );
  return batch;
}

describe('librdkafka golden frames', () => {
  describe('Produce', () => {
    it.each(Object.keys(PARTITION_OF) as CompressionName[])('v7 %s: keys, null key, null value, headers, timestamps', async (codec) => {
      const body = request(`Produce-v7-${codec}.bin`, Produce);
      expect(body).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
      const batch = await singleBatch(producedRecords(body, TOPIC, PARTITION_OF[codec]), compressionRecords(codec));
      expect(batch).toMatchObject({ compression: codec, transactional: false, producerId: -1n, producerEpoch: -1, baseSequence: -1 });
      // librdkafka keeps a compressed batch only when it is smaller: check the codec really ran.
      if (codec !== 'none') {
        const plain = producedRecords(request('Produce-v7-none.bin', Produce), TOPIC, PARTITION_OF.none);
        expect(producedRecords(body, TOPIC, PARTITION_OF[codec]).length).toBeLessThan(plain.length);
      }
    });

    it('v7 idempotent: producer id and epoch from InitProducerId, sequence from 0', async () => {
      const body = request('Produce-v7-none-idempotent.bin', Produce);
      expect(body).toMatchObject({ transactionalId: null, acks: -1 });
      const sent = [0, 1, 2].map((i) => ({ key: `idem-${i}`, value: `idempotent value ${i}`, timestamp: T0 + 10000n + BigInt(i), headers: [] }));
      const batch = await singleBatch(producedRecords(body, TOPIC, 2), sent);
      expect(batch).toMatchObject({ compression: 'none', transactional: false, baseSequence: 0, ...IDEMPOTENT_PRODUCER });
    });

    it('v7 transactional: transactional id, transactional batch with the producer id and epoch', async () => {
      const body = request('Produce-v7-none-transactional.bin', Produce);
      expect(body).toMatchObject({ transactionalId: TXN_ID, acks: -1, timeoutMs: 30000 });
      const sent = [0, 1].map((i) => ({ key: `txn-${i}`, value: `committed value ${i}`, timestamp: T0 + 20000n + BigInt(i), headers: [] }));
      const batch = await singleBatch(producedRecords(body, TXN_TOPIC, 0), sent);
      expect(batch).toMatchObject({ compression: 'none', transactional: true, baseSequence: 0, ...TRANSACTIONAL_PRODUCER });
    });

    it('v7 from kcat -z lz4', async () => {
      const body = request('Produce-v7-lz4-kcat.bin', Produce, KCAT);
      expect(body).toMatchObject({ transactionalId: null, acks: -1 });
      const views = scanBatches(producedRecords(body, TOPIC, 0), { verifyCrc: true });
      expect(views).toHaveLength(1);
      const batch = await decodeRecordBatch(views[0] as (typeof views)[number]);
      expect(batch).toMatchObject({ compression: 'lz4', producerId: -1n, lastOffsetDelta: 0 });
      expect(batch.records).toHaveLength(1);
      expect(batch.records[0]).toMatchObject({
        key: Buffer.from('kcat-key'),
        value: Buffer.from('kcat value golden golden golden golden golden golden'),
        headers: [],
      });
      expect(batch.records[0]?.timestamp).toBeGreaterThan(1_600_000_000_000n); // kcat stamps wall-clock time
    });
  });
});
