import fc from 'fast-check';
import {
  decodeRecordBatch,
  encodeControlKey,
  encodeEndTxnMarkerValue,
  encodeRecordBatch,
  scanBatches,
  type CompressionName,
  type RecordBatch,
  type RecordInput,
} from '@oxbow/protocol';

/** One batch as generated: everything but its base offset, which follows the previous batch. */
export interface BatchSpec {
  readonly kind: 'plain' | 'idempotent' | 'transactional' | 'control';
  readonly compression: CompressionName;
  readonly logAppend: boolean;
  readonly leaderEpoch: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly baseTimestamp: bigint;
  readonly records: readonly { key: Buffer | null; value: Buffer | null; headers: { key: string; value: Buffer | null }[]; tsDelta: bigint; gap: number }[];
  /** Extra offsets after the last record (a compacted batch keeps its last offset delta). */
  readonly tailGap: number;
  /** Offsets skipped before the batch (compaction removed whole batches). */
  readonly gapBefore: number;
}

const bytes = (max: number): fc.Arbitrary<Buffer | null> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a)) },
  );

const recordArb = fc.record({
  key: bytes(24),
  value: bytes(200),
  headers: fc.array(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 6 }), value: bytes(12) }), { maxLength: 3 }),
  tsDelta: fc.bigInt({ min: -5n, max: 5000n }),
  gap: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }),
});

export const batchSpecArb: fc.Arbitrary<BatchSpec> = fc.record({
  kind: fc.constantFrom('plain', 'idempotent', 'transactional', 'control'),
  compression: fc.constantFrom<CompressionName>('none', 'gzip', 'snappy', 'lz4', 'zstd'),
  logAppend: fc.boolean(),
  leaderEpoch: fc.integer({ min: -1, max: 1000 }),
  producerId: fc.bigInt({ min: 0n, max: 2n ** 62n }),
  producerEpoch: fc.integer({ min: 0, max: 32767 }),
  baseSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  baseTimestamp: fc.bigInt({ min: 0n, max: 2n ** 42n }),
  records: fc.oneof({ weight: 12, arbitrary: fc.array(recordArb, { minLength: 1, maxLength: 8 }) }, { weight: 1, arbitrary: fc.constant([]) }),
  tailGap: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
  gapBefore: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }) }),
});

/** A partition's worth of batches, starting anywhere in int64 (well above 2^53 often). */
export const partitionArb = fc.record({
  firstOffset: fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 2n ** 53n - 10n, max: 2n ** 62n })),
  batches: fc.array(batchSpecArb, { minLength: 1, maxLength: 12 }),
});

/** Encodes the specs as consecutive v2 record batches. */
export async function buildBatches(firstOffset: bigint, specs: readonly BatchSpec[]): Promise<Buffer> {
  const out: Buffer[] = [];
  let next = firstOffset;
  for (const spec of specs) {
    const base = next + BigInt(spec.gapBefore);
    let records: RecordInput[];
    if (spec.kind === 'control') {
      records = [{ timestamp: spec.baseTimestamp, key: encodeControlKey(spec.baseSequence % 2 === 0 ? 'commit' : 'abort'), value: encodeEndTxnMarkerValue(spec.leaderEpoch) }];
    } else {
      let delta = 0;
      records = spec.records.map((r) => {
        delta += r.gap;
        const rec = { offsetDelta: delta, timestamp: spec.baseTimestamp + r.tsDelta, key: r.key, value: r.value, headers: r.headers };
        delta++;
        return rec;
      });
    }
    const lastDelta = records.length === 0 ? spec.tailGap : (records[records.length - 1]?.offsetDelta ?? 0) + spec.tailGap;
    const producer = spec.kind === 'plain' ? { producerId: -1n, producerEpoch: -1, baseSequence: -1 } : { producerId: spec.producerId, producerEpoch: spec.producerEpoch, baseSequence: spec.kind === 'control' ? -1 : spec.baseSequence };
    out.push(
      await encodeRecordBatch({
        baseOffset: base,
        partitionLeaderEpoch: spec.leaderEpoch,
        compression: spec.kind === 'control' ? 'none' : spec.compression,
        timestampType: spec.logAppend ? 'log-append-time' : 'create-time',
        transactional: spec.kind === 'transactional' || spec.kind === 'control',
        control: spec.kind === 'control',
        ...producer,
        baseTimestamp: spec.baseTimestamp,
        ...(spec.logAppend ? { maxTimestamp: spec.baseTimestamp + 777n } : {}),
        lastOffsetDelta: lastDelta,
        records,
      }),
    );
    next = base + BigInt(lastDelta) + 1n;
  }
  return Buffer.concat(out);
}

/** Every Kafka-visible field of a batch (compression and CRC aside unless asked). */
export function visible(batch: RecordBatch, withCompression: boolean): unknown {
  const { compression, records, ...rest } = batch;
  return {
    ...rest,
    ...(withCompression ? { compression } : {}),
    records: records.map((r) => ({ ...r, key: r.key === null ? null : r.key.toString('hex'), value: r.value === null ? null : r.value.toString('hex'), headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('hex') })) })),
  };
}

export async function decodeAll(batches: Buffer): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for (const view of scanBatches(batches, { verifyCrc: true })) out.push(await decodeRecordBatch(view));
  return out;
}

/** Last offset of each batch, to pick fetch positions. */
export function batchBounds(batches: Buffer): { base: bigint; last: bigint; size: number }[] {
  return scanBatches(batches).map((v) => ({ base: v.baseOffset, last: v.lastOffset, size: v.size }));
}
