import { describe, expect, it } from 'vitest';
import { crc32c, encodeRecordBatch, KafkaErrorCode, type CompressionName, type RecordInput } from '@oxbow/protocol';
import { validateProducedRecords, type ValidationConfig, type ValidationResult } from '../src/batch-validator.js';

const NOW = 1_700_000_000_000;
const NOW_N = BigInt(NOW);
const HOUR = 3_600_000;

const CONFIG: ValidationConfig = {
  maxMessageBytes: 1024 * 1024,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
  compacted: false,
};

const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const records = (n: number, ts = NOW_N, withKeys = true): RecordInput[] =>
  Array.from({ length: n }, (_, i) => ({
    timestamp: ts + BigInt(i),
    key: withKeys ? Buffer.from(`k${i}`) : null,
    value: Buffer.from(`value-${i}`.repeat(4)),
  }));

const validate = (bytes: Buffer | null, config: Partial<ValidationConfig> = {}): Promise<ValidationResult> =>
  validateProducedRecords(bytes, { ...CONFIG, ...config }, NOW);

async function expectError(result: Promise<ValidationResult>, code: number): Promise<string> {
  const r = await result;
  if (r.ok) throw new Error(`expected error ${code}, batch was accepted`);
  expect(r.errorCode).toBe(code);
  expect(r.message).not.toBe('');
  return r.message;
}

/** Rewrites the CRC after a hand edit of a CRC-covered field, so only that field is wrong. */
function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

describe('validateProducedRecords', () => {
  it('rejects a missing or empty records field with INVALID_RECORD', async () => {
    await expectError(validate(null), KafkaErrorCode.INVALID_RECORD);
    await expectError(validate(Buffer.alloc(0)), KafkaErrorCode.INVALID_RECORD);
    expect(KafkaErrorCode.INVALID_RECORD).toBe(87);
  });

  it('rejects two batches in one partition with INVALID_RECORD', async () => {
    const a = await encodeRecordBatch({ records: records(2) });
    const b = await encodeRecordBatch({ records: records(1) });
    const msg = await expectError(validate(Buffer.concat([a, b])), KafkaErrorCode.INVALID_RECORD);
    expect(msg).toMatch(/exactly one/);
  });

  it('rejects a batch whose CRC does not match its bytes with CORRUPT_MESSAGE', async () => {
    const flippedPayload = await encodeRecordBatch({ records: records(3) });
    const last = flippedPayload.length - 1;
    flippedPayload[last] = (flippedPayload[last] as number) ^ 0xff;
    await expectError(validate(flippedPayload), KafkaErrorCode.CORRUPT_MESSAGE);

    const flippedCrc = await encodeRecordBatch({ records: records(3) });
    flippedCrc[17] = (flippedCrc[17] as number) ^ 0x01;
    await expectError(validate(flippedCrc), KafkaErrorCode.CORRUPT_MESSAGE);
    expect(KafkaErrorCode.CORRUPT_MESSAGE).toBe(2);
  });

  it('rejects a truncated batch with CORRUPT_MESSAGE', async () => {
    const batch = await encodeRecordBatch({ records: records(3) });
    await expectError(validate(batch.subarray(0, batch.length - 5)), KafkaErrorCode.CORRUPT_MESSAGE);
    await expectError(validate(batch.subarray(0, 10)), KafkaErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects legacy magic 0/1 message sets with UNSUPPORTED_VERSION', async () => {
    for (const magic of [0, 1]) {
      const batch = await encodeRecordBatch({ records: records(1) });
      batch.writeInt8(magic, 16);
      await expectError(validate(batch), KafkaErrorCode.UNSUPPORTED_VERSION);
    }
    expect(KafkaErrorCode.UNSUPPORTED_VERSION).toBe(35);
  });

  it('rejects control batches from clients with INVALID_RECORD', async () => {
    const batch = await encodeRecordBatch({ control: true, transactional: true, producerId: 7n, producerEpoch: 0, records: records(1) });
    await expectError(validate(batch), KafkaErrorCode.INVALID_RECORD);
  });

  it('rejects a batch over max.message.bytes with MESSAGE_TOO_LARGE and accepts one exactly at it', async () => {
    const batch = await encodeRecordBatch({ records: records(20) });
    await expectError(validate(batch, { maxMessageBytes: batch.length - 1 }), KafkaErrorCode.MESSAGE_TOO_LARGE);
    expect((await validate(batch, { maxMessageBytes: batch.length })).ok).toBe(true);
    expect(KafkaErrorCode.MESSAGE_TOO_LARGE).toBe(10);
  });

  it('measures max.message.bytes on the compressed batch, as Kafka does', async () => {
    const big = Array.from({ length: 50 }, (_, i) => ({ timestamp: NOW_N, key: Buffer.from(`k${i}`), value: Buffer.alloc(1000, 0x61) }));
    const plain = await encodeRecordBatch({ records: big });
    const zipped = await encodeRecordBatch({ compression: 'zstd', records: big });
    expect(zipped.length).toBeLessThan(plain.length / 10);
    expect((await validate(zipped, { maxMessageBytes: zipped.length })).ok).toBe(true);
    await expectError(validate(plain, { maxMessageBytes: zipped.length }), KafkaErrorCode.MESSAGE_TOO_LARGE);
  });

  it('rejects a batch whose last offset delta is not count - 1 with INVALID_RECORD', async () => {
    const tooLarge = await encodeRecordBatch({ lastOffsetDelta: 5, records: records(3) });
    await expectError(validate(tooLarge), KafkaErrorCode.INVALID_RECORD);

    // By hand: a client that miscounts, with a CRC that is correct for the wrong value.
    const handMade = await encodeRecordBatch({ records: records(3) });
    handMade.writeInt32BE(1, 23);
    await expectError(validate(fixCrc(handMade)), KafkaErrorCode.INVALID_RECORD);

    // A record count that disagrees with the offsets.
    const miscounted = await encodeRecordBatch({ records: records(3) });
    miscounted.writeInt32BE(4, 57);
    await expectError(validate(fixCrc(miscounted)), KafkaErrorCode.INVALID_RECORD);
  });

  it('rejects a batch without records with INVALID_RECORD', async () => {
    const empty = await encodeRecordBatch({ records: [] });
    await expectError(validate(empty), KafkaErrorCode.INVALID_RECORD);
  });

  describe('CreateTime windows', () => {
    const windows = { timestampBeforeMaxMs: HOUR, timestampAfterMaxMs: HOUR };

    it('accepts timestamps at the edges of both windows', async () => {
      const edges = await encodeRecordBatch({ records: [{ timestamp: NOW_N - BigInt(HOUR), value: null }, { timestamp: NOW_N + BigInt(HOUR), value: null }] });
      expect((await validate(edges, windows)).ok).toBe(true);
    });

    it('rejects a timestamp too far ahead of the broker clock with INVALID_TIMESTAMP', async () => {
      const ahead = await encodeRecordBatch({ records: [{ timestamp: NOW_N, value: null }, { timestamp: NOW_N + BigInt(HOUR) + 1n, value: null }] });
      const msg = await expectError(validate(ahead, windows), KafkaErrorCode.INVALID_TIMESTAMP);
      expect(msg).toMatch(/after\.max\.ms/);
      expect(KafkaErrorCode.INVALID_TIMESTAMP).toBe(32);
    });

    it('rejects a timestamp too far behind the broker clock with INVALID_TIMESTAMP', async () => {
      const behind = await encodeRecordBatch({ records: [{ timestamp: NOW_N - BigInt(HOUR) - 1n, value: null }, { timestamp: NOW_N, value: null }] });
      const msg = await expectError(validate(behind, windows), KafkaErrorCode.INVALID_TIMESTAMP);
      expect(msg).toMatch(/before\.max\.ms/);
    });

    it('checks every record, also one older than the batch base timestamp (out-of-order timestamps)', async () => {
      // The Java producer sets the base timestamp from the first record; later records may be older.
      const outOfOrder = await encodeRecordBatch({
        baseTimestamp: NOW_N,
        maxTimestamp: NOW_N,
        records: [{ timestamp: NOW_N, value: null }, { timestamp: NOW_N - BigInt(2 * HOUR), value: null }],
      });
      await expectError(validate(outOfOrder, windows), KafkaErrorCode.INVALID_TIMESTAMP);
      await expectError(validate(await encodeRecordBatch({ compression: 'lz4', baseTimestamp: NOW_N, maxTimestamp: NOW_N, records: [{ timestamp: NOW_N, value: null }, { timestamp: NOW_N - BigInt(2 * HOUR), value: null }] }), windows), KafkaErrorCode.INVALID_TIMESTAMP);
    });

    it('does not apply the windows to LogAppendTime topics', async () => {
      const ancient = await encodeRecordBatch({ records: [{ timestamp: 0n, value: null }, { timestamp: NOW_N + 100n * BigInt(HOUR), value: null }] });
      expect((await validate(ancient, { ...windows, timestampType: 'LogAppendTime' })).ok).toBe(true);
    });
  });

  describe('compacted topics', () => {
    it('rejects a record without a key with INVALID_RECORD', async () => {
      const mixed = await encodeRecordBatch({ records: [...records(2), { timestamp: NOW_N, key: null, value: Buffer.from('v') }] });
      const msg = await expectError(validate(mixed, { compacted: true }), KafkaErrorCode.INVALID_RECORD);
      expect(msg).toMatch(/key/);
      // The same batch is fine on a topic that is not compacted.
      expect((await validate(mixed)).ok).toBe(true);
    });

    it('finds a missing key inside compressed batches too', async () => {
      for (const compression of COMPRESSIONS) {
        const batch = await encodeRecordBatch({ compression, records: records(3, NOW_N, false) });
        await expectError(validate(batch, { compacted: true }), KafkaErrorCode.INVALID_RECORD);
      }
    });

    it('accepts tombstones (null value) that have a key', async () => {
      const tombstone = await encodeRecordBatch({ records: [{ timestamp: NOW_N, key: Buffer.from('k'), value: null }] });
      expect((await validate(tombstone, { compacted: true })).ok).toBe(true);
    });
  });

  it.each(COMPRESSIONS)('accepts a valid %s batch and returns a view of it', async (compression) => {
    const batch = await encodeRecordBatch({ compression, producerId: 42n, producerEpoch: 1, baseSequence: 0, records: records(5) });
    for (const config of [CONFIG, { ...CONFIG, compacted: true }, { ...CONFIG, timestampBeforeMaxMs: HOUR, timestampAfterMaxMs: HOUR }]) {
      const r = await validateProducedRecords(batch, config, NOW);
      if (!r.ok) throw new Error(`rejected: ${r.message}`);
      expect(r.batch.compression).toBe(compression);
      expect(r.batch.recordsCount).toBe(5);
      expect(r.batch.bytes().equals(batch)).toBe(true);
    }
  });
});
