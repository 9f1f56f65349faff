import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeControlKey, decodeRecordBatch, encodeRecordBatch, KafkaErrorCode, scanBatches } from '@oxbow/protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '@oxbow/storage';
import { LocalLogBackend } from '../src/local-log-backend.js';
import { PartitionActor } from '../src/partition-actor.js';
import type { ReadRequest } from '../src/partition-handle.js';
import { TEST_ACTOR_CONFIG } from './test-config.js';

let dir: string;
const now = 1_700_000_000_000;
const opened: { actor: PartitionActor; closed: boolean }[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oxbow-txn-'));
});

afterEach(async () => {
  for (const o of opened.splice(0)) if (!o.closed) await o.actor.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function openActor(): Promise<{ actor: PartitionActor; crash: () => Promise<void>; close: () => Promise<void> }> {
  const backend = new LocalLogBackend(await PartitionLog.open(join(dir, 'topic-0'), DEFAULT_LOG_CONFIG));
  const actor = new PartitionActor({ topic: 'topic', partition: 0, backend, config: TEST_ACTOR_CONFIG, leaderEpoch: 0, isrSize: 1, now: () => now, logger: { warn: vi.fn(), error: vi.fn() } });
  const entry = { actor, closed: false };
  opened.push(entry);
  return {
    actor,
    crash: async () => {
      entry.closed = true;
      await backend.close();
    },
    close: async () => {
      entry.closed = true;
      await actor.close();
    },
  };
}

function txnBatch(producerId: bigint, epoch: number, sequence: number, count: number, transactional = true): Promise<Buffer> {
  const records = Array.from({ length: count }, (_, i) => ({ timestamp: BigInt(now), key: null, value: Buffer.from(`p${producerId}-${sequence + i}`) }));
  return encodeRecordBatch({ producerId, producerEpoch: epoch, baseSequence: sequence, transactional, records });
}

const committed = (offset: bigint): ReadRequest => ({ offset, maxBytes: 1 << 20, minOneBatch: true, isolation: 'read_committed', currentLeaderEpoch: -1 });
const uncommitted = (offset: bigint): ReadRequest => ({ ...committed(offset), isolation: 'read_uncommitted' });

async function append(actor: PartitionActor, records: Promise<Buffer>): Promise<bigint> {
  const r = await actor.append(await records, -1);
  expect(r.errorMessage).toBeNull();
  return r.baseOffset;
}

describe('PartitionActor transactions', () => {
  it('holds the last stable offset at an open transaction and releases it at the commit marker', async () => {
    const { actor } = await openActor();
    await append(actor, txnBatch(-1n, -1, -1, 2, false)); // offsets 0-1, plain
    expect(await append(actor, txnBatch(7n, 0, 0, 3))).toBe(2n); // 2-4, transaction of 7
    await append(actor, txnBatch(-1n, -1, -1, 1, false)); // 5
    expect(actor.highWatermark).toBe(6n);
    expect(actor.lastStableOffset).toBe(2n);

    const before = await actor.read(committed(0n));
    expect(before.lastStableOffset).toBe(2n);
    expect(scanBatches(before.records).map((b) => b.baseOffset)).toEqual([0n]);
    expect((await actor.read(committed(2n))).records.length).toBe(0);
    // read_uncommitted sees everything.
    expect(scanBatches((await actor.read(uncommitted(0n))).records).map((b) => b.baseOffset)).toEqual([0n, 2n, 5n]);

    const marker = await actor.writeTxnMarker({ producerId: 7n, producerEpoch: 0, coordinatorEpoch: 3, commit: true });
    expect(marker).toEqual({ errorCode: 0, offset: 6n });
    expect(actor.lastStableOffset).toBe(7n);
    const after = await actor.read(committed(0n));
    const batches = scanBatches(after.records);
    expect(batches.map((b) => b.baseOffset)).toEqual([0n, 2n, 5n, 6n]);
    expect(after.abortedTransactions).toEqual([]);
    const control = batches[3];
    expect(control?.isControl).toBe(true);
    expect(control?.isTransactional).toBe(true);
    const decoded = await decodeRecordBatch(control!);
    expect(decodeControlKey(decoded.records[0]?.key ?? null).type).toBe('commit');
  });

  it('reports aborted transactions overlapping what a read_committed fetch returns', async () => {
    const { actor } = await openActor();
    await append(actor, txnBatch(7n, 0, 0, 2)); // 0-1
    await append(actor, txnBatch(8n, 0, 0, 1)); // 2
    expect((await actor.writeTxnMarker({ producerId: 7n, producerEpoch: 0, coordinatorEpoch: 0, commit: false })).offset).toBe(3n);
    expect(actor.lastStableOffset).toBe(2n); // 8 still open
    expect((await actor.writeTxnMarker({ producerId: 8n, producerEpoch: 0, coordinatorEpoch: 0, commit: true })).offset).toBe(4n);
    await append(actor, txnBatch(-1n, -1, -1, 1, false)); // 5
    const all = await actor.read(committed(0n));
    expect(all.abortedTransactions).toEqual([{ producerId: 7n, firstOffset: 0n }]);
    // A fetch starting after the abort marker does not get it.
    expect((await actor.read(committed(4n))).abortedTransactions).toEqual([]);
    expect((await actor.read(uncommitted(0n))).abortedTransactions).toBeNull();
  });

  it('refuses a marker with a stale epoch and fences the old epoch after a bumped marker', async () => {
    const { actor } = await openActor();
    await append(actor, txnBatch(7n, 1, 0, 1));
    expect((await actor.writeTxnMarker({ producerId: 7n, producerEpoch: 0, coordinatorEpoch: 0, commit: true })).errorCode).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
    // The coordinator aborts on timeout with a bumped epoch: the zombie's next batch is refused.
    expect((await actor.writeTxnMarker({ producerId: 7n, producerEpoch: 2, coordinatorEpoch: 0, commit: false })).errorCode).toBe(0);
    const zombie = await actor.append(await txnBatch(7n, 1, 1, 1), -1);
    expect(zombie.errorCode).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
    expect(actor.lastStableOffset).toBe(actor.highWatermark);
  });

  it('refuses a non-transactional batch from a producer with an open transaction', async () => {
    const { actor } = await openActor();
    await append(actor, txnBatch(7n, 0, 0, 1));
    const r = await actor.append(await txnBatch(7n, 0, 1, 1, false), -1);
    expect(r.errorCode).toBe(KafkaErrorCode.INVALID_TXN_STATE);
  });

  it('rebuilds open and aborted transactions from the log after a crash, and from a snapshot after a clean close', async () => {
    const first = await openActor();
    await append(first.actor, txnBatch(7n, 0, 0, 2)); // 0-1
    await first.actor.writeTxnMarker({ producerId: 7n, producerEpoch: 0, coordinatorEpoch: 0, commit: false }); // 2
    await append(first.actor, txnBatch(9n, 0, 0, 1)); // 3, left open
    await first.crash();

    const second = await openActor();
    const read = await second.actor.read(committed(0n));
    expect(read.lastStableOffset).toBe(3n);
    expect(read.abortedTransactions).toEqual([{ producerId: 7n, firstOffset: 0n }]);
    await second.close(); // writes a snapshot

    const third = await openActor();
    const again = await third.actor.read(committed(0n));
    expect(again.lastStableOffset).toBe(3n);
    expect(again.abortedTransactions).toEqual([{ producerId: 7n, firstOffset: 0n }]);
    await third.actor.writeTxnMarker({ producerId: 9n, producerEpoch: 0, coordinatorEpoch: 0, commit: true });
    expect(third.actor.lastStableOffset).toBe(5n);
  });
});
