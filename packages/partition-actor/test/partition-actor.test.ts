import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeRecordBatch, encodeRecordBatch, KafkaErrorCode, scanBatches, type RecordBatchView, type RecordInput } from '@oxbow/protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog, StorageError } from '@oxbow/storage';
import { LocalLogBackend } from '../src/local-log-backend.js';
import { PartitionActor, type PartitionActorConfig } from '../src/partition-actor.js';
import { TEST_ACTOR_CONFIG } from './test-config.js';
import type { ReadRequest, ReadResult } from '../src/partition-handle.js';
import { TestFailingBackend } from './test-failing-backend.js';

const NOW = 1_700_000_000_000;
const T = BigInt(NOW);

const CONFIG = TEST_ACTOR_CONFIG;

let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oxbow-actor-'));
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

interface Opened {
  readonly actor: PartitionActor;
  readonly backend: TestFailingBackend;
  readonly logger: { warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> };
}

/** An actor over a real PartitionLog in the test's directory (reopened when called again). */
async function open(options: { config?: Partial<PartitionActorConfig>; leaderEpoch?: number; isrSize?: number; mailboxCapacity?: number } = {}): Promise<Opened> {
  const log = await PartitionLog.open(join(dir, 'topic-0'), DEFAULT_LOG_CONFIG);
  const backend = new TestFailingBackend(new LocalLogBackend(log));
  const logger = { warn: vi.fn(), error: vi.fn() };
  const actor = new PartitionActor({
    topic: 'topic',
    partition: 0,
    backend,
    config: { ...CONFIG, ...options.config },
    leaderEpoch: options.leaderEpoch ?? 0,
    isrSize: options.isrSize ?? 1,
    now: () => NOW,
    logger,
    ...(options.mailboxCapacity === undefined ? {} : { mailboxCapacity: options.mailboxCapacity }),
  });
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await actor.close();
  });
  const close = actor.close.bind(actor);
  actor.close = async () => {
    closed = true;
    await close();
  };
  return { actor, backend, logger };
}

/** A batch as a client sends it: base offset 0 (here a bogus 999) and leader epoch -1. */
function batch(count: number, options: { timestamps?: readonly bigint[]; tag?: string } = {}): Promise<Buffer> {
  const records: RecordInput[] = Array.from({ length: count }, (_, i) => ({
    timestamp: options.timestamps?.[i] ?? T,
    key: Buffer.from(`key-${i}`),
    value: Buffer.from(`${options.tag ?? 'v'}-${i}`),
  }));
  return encodeRecordBatch({ baseOffset: 999n, partitionLeaderEpoch: -1, records });
}

function readRequest(offset: bigint, extra: Partial<ReadRequest> = {}): ReadRequest {
  return { offset, maxBytes: 1 << 20, minOneBatch: true, isolation: 'read_uncommitted', currentLeaderEpoch: -1, ...extra };
}

async function readBatches(actor: PartitionActor, offset: bigint, extra: Partial<ReadRequest> = {}): Promise<{ result: ReadResult; batches: RecordBatchView[] }> {
  const result = await actor.read(readRequest(offset, extra));
  return { result, batches: scanBatches(result.records, { verifyCrc: true }) };
}

async function appendOk(actor: PartitionActor, records: Buffer, acks: -1 | 0 | 1 = 1): Promise<bigint> {
  const r = await actor.append(records, acks);
  if (r.errorCode !== 0) throw new Error(`append failed with ${r.errorCode}: ${r.errorMessage ?? ''}`);
  return r.baseOffset;
}

/** Waits (up to 5 s) for a condition that real disk I/O makes true. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  expect(condition()).toBe(true);
}

describe('PartitionActor over a local log', () => {
  it('assigns offsets densely across appends, rewriting base offsets and stamping the leader epoch in the stored bytes', async () => {
    const { actor } = await open({ leaderEpoch: 7 });
    const offsets = [];
    for (const n of [3, 1, 5]) offsets.push(await appendOk(actor, await batch(n)));
    expect(offsets).toEqual([0n, 3n, 4n]);
    expect(actor.logEndOffset).toBe(9n);
    expect(actor.highWatermark).toBe(9n);

    const { result, batches } = await readBatches(actor, 0n);
    expect(result.errorCode).toBe(0);
    expect(batches.map((b) => [b.baseOffset, b.lastOffset, b.partitionLeaderEpoch])).toEqual([
      [0n, 2n, 7],
      [3n, 3n, 7],
      [4n, 8n, 7],
    ]);
    const decoded = await decodeRecordBatch(batches[2] as RecordBatchView);
    expect(decoded.records.map((r) => r.offset)).toEqual([4n, 5n, 6n, 7n, 8n]);
  });

  it('does not use up offsets for a rejected batch', async () => {
    const { actor } = await open();
    expect(await appendOk(actor, await batch(2))).toBe(0n);
    const bad = await actor.append(null, 1);
    expect(bad).toMatchObject({ errorCode: KafkaErrorCode.INVALID_RECORD, baseOffset: -1n });
    expect(await appendOk(actor, await batch(1))).toBe(2n);
  });

  it('advances the high watermark and calls its listeners on each append, until they unsubscribe', async () => {
    const { actor, logger } = await open();
    const seen: bigint[] = [];
    const unsubscribe = actor.onHighWatermark(() => seen.push(actor.highWatermark));
    actor.onHighWatermark(() => {
      throw new Error('listener bug');
    });
    await appendOk(actor, await batch(2));
    await appendOk(actor, await batch(3));
    expect(seen).toEqual([2n, 5n]);
    // A throwing listener is logged and does not fail the append.
    expect(logger.error).toHaveBeenCalledTimes(2);
    unsubscribe();
    await appendOk(actor, await batch(1));
    expect(seen).toEqual([2n, 5n]);
  });

  it('bounds reads by the high watermark while an append is stored but not yet acknowledged', async () => {
    const { actor, backend } = await open();
    await appendOk(actor, await batch(2, { tag: 'first' }));
    const listener = vi.fn();
    actor.onHighWatermark(listener);

    const release = backend.holdAppends();
    const pending = actor.append(await batch(3, { tag: 'second' }), 1);
    await until(() => backend.appendsStored === 2);
    expect(actor.logEndOffset).toBe(5n);
    expect(actor.highWatermark).toBe(2n);

    const below = await readBatches(actor, 0n);
    expect(below.result.highWatermark).toBe(2n);
    expect(below.batches.map((b) => b.baseOffset)).toEqual([0n]);
    const atHwm = await actor.read(readRequest(2n));
    expect(atHwm).toMatchObject({ errorCode: 0, highWatermark: 2n });
    expect(atHwm.records.length).toBe(0);
    expect((await actor.listOffset(-1n, 'read_uncommitted', -1)).offset).toBe(2n);
    expect(listener).not.toHaveBeenCalled();

    release();
    expect((await pending).baseOffset).toBe(2n);
    expect(actor.highWatermark).toBe(5n);
    expect(listener).toHaveBeenCalledTimes(1);
    const after = await readBatches(actor, 2n);
    expect(after.batches.map((b) => b.baseOffset)).toEqual([2n]);
  });

  it('returns whole batches with valid CRCs, from the batch containing the offset, within maxBytes', async () => {
    const { actor } = await open();
    for (let i = 0; i < 4; i++) await appendOk(actor, await batch(3));
    const { batches: all, result } = await readBatches(actor, 0n);
    const size = (all[0] as RecordBatchView).size;

    // An offset inside a batch returns that batch from its start.
    const middle = await readBatches(actor, 4n);
    expect(middle.batches.map((b) => b.baseOffset)).toEqual([3n, 6n, 9n]);

    // Room for one and a half batches: one whole batch, never a partial one.
    const limited = await readBatches(actor, 0n, { maxBytes: Math.floor(size * 1.5) });
    expect(limited.batches.map((b) => b.baseOffset)).toEqual([0n]);
    expect(limited.result.records.length).toBe(size);

    // Smaller than a batch: the first batch anyway with minOneBatch, nothing without.
    expect((await readBatches(actor, 0n, { maxBytes: 10 })).batches.length).toBe(1);
    expect((await actor.read(readRequest(0n, { maxBytes: 10, minOneBatch: false }))).records.length).toBe(0);
    expect(result.records.length).toBe(size * 4);
  });

  it('answers OFFSET_OUT_OF_RANGE outside [log start, log end] and empty at the end', async () => {
    const { actor } = await open();
    await appendOk(actor, await batch(2));
    expect((await actor.read(readRequest(3n))).errorCode).toBe(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await actor.read(readRequest(-1n))).errorCode).toBe(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
    const atEnd = await actor.read(readRequest(2n));
    expect(atEnd).toMatchObject({ errorCode: 0, highWatermark: 2n, logStartOffset: 0n });
    expect(atEnd.records.length).toBe(0);
  });

  it('stamps the broker time on LogAppendTime topics and keeps CreateTime as sent', async () => {
    const { actor } = await open({ config: { timestampType: 'LogAppendTime' } });
    const r = await actor.append(await batch(3, { timestamps: [1000n, 2000n, 3000n] }), 1);
    expect(r).toMatchObject({ errorCode: 0, baseOffset: 0n, logAppendTimeMs: T });
    const [stored] = (await readBatches(actor, 0n)).batches;
    expect(stored?.timestampType).toBe('log-append-time');
    expect(stored?.maxTimestamp).toBe(T);
    const decoded = await decodeRecordBatch(stored as RecordBatchView);
    expect(decoded.records.map((x) => x.timestamp)).toEqual([T, T, T]);

    // Kafka: the first record carrying the max timestamp.
    expect(await actor.listOffset(-3n, 'read_uncommitted', -1)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: T });

    actor.updateConfig({ ...CONFIG });
    const created = await actor.append(await batch(1, { timestamps: [5000n] }), 1);
    expect(created.logAppendTimeMs).toBe(-1n);
    const last = (await readBatches(actor, 3n)).batches[0];
    expect(last?.timestampType).toBe('create-time');
    expect(last?.maxTimestamp).toBe(5000n);
  });

  describe('listOffset', () => {
    it('answers latest (-1), earliest (-2), max timestamp (-3) and timestamps', async () => {
      const { actor } = await open({ leaderEpoch: 2 });
      await appendOk(actor, await batch(2, { timestamps: [T, T + 1n] })); // 0-1
      await appendOk(actor, await batch(2, { timestamps: [T + 100n, T + 101n] })); // 2-3
      await appendOk(actor, await batch(2, { timestamps: [T + 200n, T + 201n] })); // 4-5
      const at = (ts: bigint) => actor.listOffset(ts, 'read_uncommitted', -1);
      expect(await at(-1n)).toEqual({ errorCode: 0, offset: 6n, timestamp: -1n, leaderEpoch: 2 });
      expect(await at(-2n)).toEqual({ errorCode: 0, offset: 0n, timestamp: -1n, leaderEpoch: 2 });
      expect(await at(-3n)).toEqual({ errorCode: 0, offset: 5n, timestamp: T + 201n, leaderEpoch: 2 });
      expect(await at(0n)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: T });
      expect(await at(T + 50n)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: T + 100n });
      expect(await at(T + 101n)).toMatchObject({ errorCode: 0, offset: 3n, timestamp: T + 101n });
      expect(await at(T + 1000n)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
      expect((await at(-7n)).errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);

      await actor.deleteRecordsBefore(3n);
      expect((await at(-2n)).offset).toBe(3n);
      expect((await at(0n)).offset).toBe(3n);
    });

    it('gives the offset of the record with the largest timestamp (-3), the same before and after a restart', async () => {
      const first = await open();
      // The largest timestamp is in the middle of the first batch (offset 1).
      await appendOk(first.actor, await batch(3, { timestamps: [T, T + 50n, T + 10n] }));
      await appendOk(first.actor, await batch(1, { timestamps: [T + 20n] }));
      const before = await first.actor.listOffset(-3n, 'read_uncommitted', -1);
      expect(before).toMatchObject({ errorCode: 0, offset: 1n, timestamp: T + 50n });
      await first.actor.close();

      const second = await open();
      expect(await second.actor.listOffset(-3n, 'read_uncommitted', -1)).toEqual(before);
    });

    it('answers -1 for max timestamp on an empty partition', async () => {
      const { actor } = await open();
      expect(await actor.listOffset(-3n, 'read_uncommitted', -1)).toMatchObject({ errorCode: 0, offset: -1n });
      expect(await actor.listOffset(-1n, 'read_uncommitted', -1)).toMatchObject({ errorCode: 0, offset: 0n });
    });
  });

  describe('deleteRecordsBefore', () => {
    it('moves the log start, with -1 meaning the high watermark', async () => {
      const { actor } = await open();
      for (let i = 0; i < 5; i++) await appendOk(actor, await batch(2));
      expect(await actor.deleteRecordsBefore(4n)).toEqual({ errorCode: 0, lowWatermark: 4n });
      expect(actor.logStartOffset).toBe(4n);
      expect((await actor.read(readRequest(2n))).errorCode).toBe(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
      expect((await readBatches(actor, 4n)).batches[0]?.baseOffset).toBe(4n);
      // At or below the current start: nothing to do.
      expect(await actor.deleteRecordsBefore(3n)).toEqual({ errorCode: 0, lowWatermark: 4n });
      expect(await actor.deleteRecordsBefore(-1n)).toEqual({ errorCode: 0, lowWatermark: 10n });
      const empty = await actor.read(readRequest(10n));
      expect(empty.errorCode).toBe(0);
      expect(empty.records.length).toBe(0);
      expect(await appendOk(actor, await batch(1))).toBe(10n);
    });

    it('refuses offsets beyond the high watermark with OFFSET_OUT_OF_RANGE', async () => {
      const { actor } = await open();
      await appendOk(actor, await batch(3));
      expect(await actor.deleteRecordsBefore(4n)).toEqual({ errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1n });
      expect(await actor.deleteRecordsBefore(-2n)).toEqual({ errorCode: KafkaErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1n });
      expect(actor.logStartOffset).toBe(0n);
    });
  });

  describe('leader epochs', () => {
    it('answers OffsetForLeaderEpoch from the epoch history across leader changes', async () => {
      const first = await open({ leaderEpoch: 3 });
      await appendOk(first.actor, await batch(2));
      await appendOk(first.actor, await batch(2));
      expect(await first.actor.endOffsetForEpoch(3, -1)).toEqual({ errorCode: 0, leaderEpoch: 3, endOffset: 4n });
      await first.actor.close();

      const second = await open({ leaderEpoch: 5 });
      expect(await appendOk(second.actor, await batch(1))).toBe(4n);
      const end = (epoch: number) => second.actor.endOffsetForEpoch(epoch, 5);
      expect(await end(3)).toEqual({ errorCode: 0, leaderEpoch: 3, endOffset: 4n });
      expect(await end(4)).toEqual({ errorCode: 0, leaderEpoch: 3, endOffset: 4n });
      expect(await end(5)).toEqual({ errorCode: 0, leaderEpoch: 5, endOffset: 5n });
      expect(await end(6)).toEqual({ errorCode: 0, leaderEpoch: -1, endOffset: -1n });
      // Below every known epoch: the requested epoch, ending where the first known one starts.
      expect(await end(1)).toEqual({ errorCode: 0, leaderEpoch: 1, endOffset: 0n });

      const { batches } = await readBatches(second.actor, 0n);
      expect(batches.map((b) => b.partitionLeaderEpoch)).toEqual([3, 3, 5]);
    });

    it('fences clients with an older epoch (FENCED_LEADER_EPOCH) and a newer one (UNKNOWN_LEADER_EPOCH)', async () => {
      const { actor } = await open({ leaderEpoch: 5 });
      await appendOk(actor, await batch(1));
      const cases: [number, number][] = [
        [4, KafkaErrorCode.FENCED_LEADER_EPOCH],
        [6, KafkaErrorCode.UNKNOWN_LEADER_EPOCH],
        [5, 0],
        [-1, 0],
      ];
      for (const [epoch, code] of cases) {
        const read = await actor.read(readRequest(0n, { currentLeaderEpoch: epoch }));
        expect(read.errorCode).toBe(code);
        if (code !== 0) expect(read.records.length).toBe(0);
        expect((await actor.listOffset(-1n, 'read_uncommitted', epoch)).errorCode).toBe(code);
        expect((await actor.endOffsetForEpoch(5, epoch)).errorCode).toBe(code);
      }
      expect(KafkaErrorCode.FENCED_LEADER_EPOCH).toBe(74);
      expect(KafkaErrorCode.UNKNOWN_LEADER_EPOCH).toBe(75);
    });
  });

  it('refuses acks=all with fewer in-sync replicas than min.insync.replicas (NOT_ENOUGH_REPLICAS)', async () => {
    const { actor } = await open({ isrSize: 1, config: { minInsyncReplicas: 2 } });
    const r = await actor.append(await batch(1), -1);
    expect(r).toMatchObject({ errorCode: KafkaErrorCode.NOT_ENOUGH_REPLICAS, baseOffset: -1n });
    expect(r.errorMessage).toMatch(/min\.insync\.replicas=2/);
    expect(actor.logEndOffset).toBe(0n);
    // acks=1 and acks=0 do not need the ISR.
    expect(await appendOk(actor, await batch(1), 1)).toBe(0n);
    expect(await appendOk(actor, await batch(1), 0)).toBe(1n);
  });

  it('answers a retriable REQUEST_TIMED_OUT when the mailbox is full instead of waiting', async () => {
    const { actor, backend } = await open({ mailboxCapacity: 1 });
    const release = backend.holdAppends();
    const running = actor.append(await batch(1), 1);
    const queued = actor.append(await batch(2), 1);
    try {
      await until(() => backend.appendsStored === 1);
      const rejected = actor.append(await batch(3), 1);
      // Settles while the running append is still held open.
      const outcome = await Promise.race([rejected, new Promise<'waited'>((r) => setTimeout(() => r('waited'), 1000))]);
      expect(outcome).toMatchObject({ errorCode: KafkaErrorCode.REQUEST_TIMED_OUT, baseOffset: -1n });
      expect(KafkaErrorCode.REQUEST_TIMED_OUT).toBe(7);
    } finally {
      release();
    }
    expect((await running).baseOffset).toBe(0n);
    expect((await queued).baseOffset).toBe(1n);
    expect(actor.logEndOffset).toBe(3n);
  });

  describe('storage failure', () => {
    it('takes the partition offline after an I/O failure on append, logs it once, and loses nothing acknowledged', async () => {
      const { actor, backend, logger } = await open();
      const acked: bigint[] = [];
      for (let i = 0; i < 3; i++) acked.push(await appendOk(actor, await batch(2, { tag: `ok${i}` })));

      backend.failOn('append', new StorageError('io', 'EIO: write failed'));
      const failed = await actor.append(await batch(1), 1);
      expect(failed).toMatchObject({ errorCode: KafkaErrorCode.KAFKA_STORAGE_ERROR, baseOffset: -1n });
      expect(KafkaErrorCode.KAFKA_STORAGE_ERROR).toBe(56);

      // Even once the disk works again, the partition stays offline until reopened.
      backend.heal();
      expect((await actor.append(await batch(1), 1)).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
      expect((await actor.append(await batch(1), -1)).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
      expect((await actor.read(readRequest(0n))).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
      expect((await actor.listOffset(0n, 'read_uncommitted', -1)).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
      expect((await actor.endOffsetForEpoch(0, -1)).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
      expect((await actor.deleteRecordsBefore(2n)).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
      expect(backend.appendsStored).toBe(3);

      expect(logger.error).toHaveBeenCalledTimes(1);
      expect(logger.error.mock.calls[0]?.[0]).toMatchObject({ topic: 'topic', partition: 0 });
      await actor.close();

      // Reopen the real log: every acknowledged batch is there, intact.
      const reopened = await open();
      expect(reopened.actor.highWatermark).toBe(6n);
      const { batches } = await readBatches(reopened.actor, 0n);
      expect(batches.map((b) => b.baseOffset)).toEqual(acked);
      const values = [];
      for (const b of batches) for (const r of (await decodeRecordBatch(b)).records) values.push(r.value?.toString());
      expect(values).toEqual(['ok0-0', 'ok0-1', 'ok1-0', 'ok1-1', 'ok2-0', 'ok2-1']);
      expect(await appendOk(reopened.actor, await batch(1))).toBe(6n);
    });

    it('takes the partition offline after an I/O failure on read, logged once', async () => {
      const { actor, backend, logger } = await open();
      await appendOk(actor, await batch(2));
      backend.failOn('read', new StorageError('io', 'EIO: read failed'));
      expect((await actor.read(readRequest(0n))).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
      expect((await actor.read(readRequest(0n))).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
      backend.heal();
      expect((await actor.append(await batch(1), 1)).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
      expect(logger.error).toHaveBeenCalledTimes(1);
    });

    it('answers OFFSET_OUT_OF_RANGE, not a storage error, when the log start moves under a read', async () => {
      const { actor, backend, logger } = await open();
      await appendOk(actor, await batch(2));
      backend.failOn('read', new StorageError('offset-out-of-range', 'segment deleted'));
      expect((await actor.read(readRequest(0n))).errorCode).toBe(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
      backend.heal();
      expect((await actor.read(readRequest(0n))).errorCode).toBe(0);
      expect(logger.error).not.toHaveBeenCalled();
    });
  });
});
