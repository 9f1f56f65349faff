import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors/protocol-error.js';
import { RecordBatchView, scanBatches } from '../../src/records/batch-view.js';
import { decodeControlKey, decodeEndTxnMarkerValue, encodeControlKey, encodeEndTxnMarkerValue } from '../../src/records/control-record.js';
import { decodeRecordBatch, encodeRecordBatch, type RecordInput } from '../../src/records/record-batch.js';
import type { CompressionName } from '../../src/compression/codecs.js';

const require = createRequire(import.meta.url);
const KafkajsDecoder = require('kafkajs/src/protocol/decoder');
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');

const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const bytes = (max: number) => fc.option(fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a)), { nil: null, freq: 5 });
const record: fc.Arbitrary<RecordInput> = fc.record({
  timestamp: fc.bigInt({ min: 0n, max: 2n ** 48n }),
  key: bytes(32),
  value: bytes(2048),
  headers: fc.array(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 8 }), value: bytes(16) }), { maxLength: 3 }),
});

describe('record batches v2', () => {
  it.each(COMPRESSIONS)('round-trip every field with %s compression', async (compression) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 20 }),
        fc.bigInt({ min: 0n, max: 2n ** 62n }),
        fc.record({ producerId: fc.bigInt({ min: -1n, max: 2n ** 40n }), producerEpoch: fc.integer({ min: -1, max: 32767 }), baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }) }),
        fc.boolean(),
        async (records, baseOffset, producer, transactional) => {
          const buf = await encodeRecordBatch({ baseOffset, compression, transactional, partitionLeaderEpoch: 3, ...producer, records });
          const [view] = scanBatches(buf, { verifyCrc: true });
          expect(view?.size).toBe(buf.length);
          expect(view?.compression).toBe(compression);
          expect(view?.recordsCount).toBe(records.length);
          expect(view?.lastOffset).toBe(baseOffset + BigInt(records.length - 1));
          const batch = await decodeRecordBatch(buf);
          expect(batch).toMatchObject({ baseOffset, transactional, control: false, partitionLeaderEpoch: 3, ...producer });
          expect(batch.records.map((r) => ({ ...r, headers: [...r.headers] }))).toEqual(
            records.map((r, i) => ({ offset: baseOffset + BigInt(i), timestamp: r.timestamp, key: r.key ?? null, value: r.value ?? null, headers: r.headers ?? [] })),
          );
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('is read by kafkajs, an independent decoder', async () => {
    const buf = await encodeRecordBatch({
      baseOffset: 41n,
      compression: 'gzip',
      records: [
        { timestamp: 1_700_000_000_123n, key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'trace', value: Buffer.from('abc') }] },
        { timestamp: 1_700_000_000_124n, key: null, value: null },
      ],
    });
    const batch = await decodeKafkajsBatch(new KafkajsDecoder(buf));
    expect(batch.firstOffset).toBe('41');
    expect(batch.records).toHaveLength(2);
    expect(batch.records[0].key.toString()).toBe('k');
    expect(batch.records[0].headers.trace.toString()).toBe('abc');
    expect(batch.records[1].value).toBeNull();
    expect(batch.records[1].offset).toBe('42');
    expect(batch.records[1].timestamp).toBe('1700000000124');
  });

  it('rewrites base offset and leader epoch in place without touching the CRC', async () => {
    const buf = await encodeRecordBatch({ records: [{ timestamp: 5n, value: Buffer.from('x') }] });
    const view = new RecordBatchView(buf);
    const crc = view.crc;
    view.baseOffset = 1234n;
    view.partitionLeaderEpoch = 9;
    expect(view.isCrcValid()).toBe(true);
    expect(view.crc).toBe(crc);
    expect((await decodeRecordBatch(buf)).records[0]?.offset).toBe(1234n);
  });

  it('stamps LogAppendTime and recomputes the CRC', async () => {
    const buf = await encodeRecordBatch({ records: [{ timestamp: 5n, value: Buffer.from('x') }, { timestamp: 6n, value: null }] });
    const view = new RecordBatchView(buf);
    view.setLogAppendTime(99n);
    expect(view.isCrcValid()).toBe(true);
    const batch = await decodeRecordBatch(buf);
    expect(batch.timestampType).toBe('log-append-time');
    expect(batch.records.map((r) => r.timestamp)).toEqual([99n, 99n]);
  });

  it('detects a flipped bit with the CRC', async () => {
    const buf = await encodeRecordBatch({ records: [{ timestamp: 5n, value: Buffer.from('hello') }] });
    buf[buf.length - 3] = (buf[buf.length - 3] as number) ^ 0x10;
    expect(() => scanBatches(buf, { verifyCrc: true })).toThrow(ProtocolError);
    await expect(decodeRecordBatch(buf)).rejects.toMatchObject({ code: 'CRC_MISMATCH', kafkaErrorCode: 2 });
  });

  it('rejects legacy message sets instead of misreading them', () => {
    // A magic-1 message: offset, size, crc, magic=1, attributes, timestamp, key -1, value "a".
    const msg = Buffer.from('00000000000000000000001a' + 'deadbeef' + '01' + '00' + '0000000000000000' + 'ffffffff' + '0000000161', 'hex');
    expect(() => scanBatches(msg)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_MAGIC', kafkaErrorCode: 35 }));
  });

  it('treats a partial trailing batch as corrupt in produce, and skips it in fetch', async () => {
    const one = await encodeRecordBatch({ records: [{ timestamp: 1n, value: Buffer.from('a') }] });
    const two = Buffer.concat([one, one.subarray(0, 30)]);
    expect(() => scanBatches(two)).toThrow(expect.objectContaining({ code: 'CORRUPT_RECORD' }));
    expect(scanBatches(two, { allowPartialTail: true })).toHaveLength(1);
  });

  it('encodes and decodes transaction markers', async () => {
    const marker = await encodeRecordBatch({
      control: true,
      transactional: true,
      producerId: 7n,
      producerEpoch: 1,
      records: [{ timestamp: 10n, key: encodeControlKey('commit'), value: encodeEndTxnMarkerValue(4) }],
    });
    const batch = await decodeRecordBatch(marker);
    expect(batch.control).toBe(true);
    expect(decodeControlKey(batch.records[0]?.key ?? null)).toEqual({ version: 0, type: 'commit' });
    expect(decodeEndTxnMarkerValue(batch.records[0]?.value ?? null)).toEqual({ version: 0, coordinatorEpoch: 4 });
  });

  it('refuses to inflate past the decompression limit', async () => {
    for (const compression of COMPRESSIONS.filter((c) => c !== 'none')) {
      const buf = await encodeRecordBatch({ compression, records: [{ timestamp: 1n, value: Buffer.alloc(100_000) }] });
      await expect(decodeRecordBatch(buf, { maxDecompressedBytes: 10_000 }), compression).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
    }
  });
});
