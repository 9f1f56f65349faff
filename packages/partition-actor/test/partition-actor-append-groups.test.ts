import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeRecordBatch, encodeRecordBatch, KafkaErrorCode, scanBatches } from '@oxbow/protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog, StorageError } from '@oxbow/storage';
import { LocalLogBackend } from '../src/local-log-backend.js';
import { PartitionActor } from '../src/partition-actor.js';
import type { AppendResult } from '../src/partition-handle.js';
import { TEST_ACTOR_CONFIG } from './test-config.js';
import { TestFailingBackend } from './test-failing-backend.js';

/*
 * Appends that queue up behind a running one are stored as one group (one backend append), with
 * the same per-batch answers as one by one.
 */

const NOW = 1_700_000_000_000;
let dir: string;
const actors: PartitionActor[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oxbow-groups-'));
});

afterEach(async () => {
  for (const a of actors.splice(0)) await a.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function open(): Promise<{ actor: PartitionActor; backend: TestFailingBackend }> {
  const backend = new TestFailingBackend(new LocalLogBackend(await PartitionLog.open(join(dir, 'topic-0'), DEFAULT_LOG_CONFIG)));
  const actor = new PartitionActor({ topic: 'topic', partition: 0, backend, config: TEST_ACTOR_CONFIG, leaderEpoch: 3, isrSize: 1, now: () => NOW, logger: { warn: vi.fn(), error: vi.fn() } });
  actors.push(actor);
  return { actor, backend };
}

function plain(count: number, tag: string): Promise<Buffer> {
  return encodeRecordBatch({ records: Array.from({ length: count }, (_, i) => ({ timestamp: BigInt(NOW + i), key: null, value: Buffer.from(`${tag}-${i}`) })) });
}

function idem(sequence: number, count: number, tag: string): Promise<Buffer> {
  return encodeRecordBatch({ producerId: 42n, producerEpoch: 0, baseSequence: sequence, records: Array.from({ length: count }, (_, i) => ({ timestamp: BigInt(NOW), key: null, value: Buffer.from(`${tag}-${i}`) })) });
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  expect(condition()).toBe(true);
}

async function values(actor: PartitionActor): Promise<string[]> {
  const r = await actor.read({ offset: 0n, maxBytes: 1 << 20, minOneBatch: true, isolation: 'read_uncommitted', currentLeaderEpoch: -1 });
  const out: string[] = [];
  for (const b of scanBatches(r.records, { verifyCrc: true })) for (const rec of (await decodeRecordBatch(b)).records) out.push(`${rec.offset}:${rec.value?.toString() ?? ''}`);
  return out;
}

describe('queued appends', () => {
  it('are stored with one backend append, each answered as if appended alone', async () => {
    const { actor, backend } = await open();
    const release = backend.holdAppends();
    const first = actor.append(await plain(2, 'first'), 1);
    await until(() => backend.appendsStored === 1);
    // Queued while the first is held: valid, invalid, idempotent in sequence, a retry of one of
    // them, one out of sequence, and acks=all.
    const queued: Promise<AppendResult>[] = [
      actor.append(await plain(3, 'a'), 1),
      actor.append(null, 1),
      actor.append(await idem(0, 2, 'i0'), 1),
      actor.append(await idem(2, 2, 'i2'), -1),
      actor.append(await idem(0, 2, 'i0'), 1),
      actor.append(await idem(9, 1, 'i9'), 1),
      actor.append(await plain(1, 'b'), -1),
    ];
    expect(actor.mailboxDepth).toBe(8);
    release();
    expect((await first).baseOffset).toBe(0n);
    const results = await Promise.all(queued);
    expect(results.map((r) => [r.errorCode, r.baseOffset])).toEqual([
      [0, 2n],
      [KafkaErrorCode.INVALID_RECORD, -1n],
      [0, 5n],
      [0, 7n],
      [0, 5n], // the duplicate gets the offsets its original got in the same group
      [KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1n],
      [0, 9n],
    ]);
    expect(backend.appendsStored).toBe(2);
    expect(actor.logEndOffset).toBe(10n);
    expect(actor.highWatermark).toBe(10n);
    expect(await values(actor)).toEqual(['0:first-0', '1:first-1', '2:a-0', '3:a-1', '4:a-2', '5:i0-0', '6:i0-1', '7:i2-0', '8:i2-1', '9:b-0']);
    const r = await actor.read({ offset: 0n, maxBytes: 1 << 20, minOneBatch: true, isolation: 'read_uncommitted', currentLeaderEpoch: -1 });
    expect(scanBatches(r.records).map((b) => [b.baseOffset, b.partitionLeaderEpoch])).toEqual([
      [0n, 3],
      [2n, 3],
      [5n, 3],
      [7n, 3],
      [9n, 3],
    ]);
    // The producer state saw the group: the next sequence follows it.
    expect((await actor.append(await idem(4, 1, 'i4'), 1)).baseOffset).toBe(10n);
  });

  it('fail together when the store fails, and nothing of the group is remembered after reopening', async () => {
    const { actor, backend } = await open();
    const release = backend.holdAppends();
    const first = actor.append(await plain(1, 'first'), 1);
    await until(() => backend.appendsStored === 1);
    const queued = [actor.append(await idem(0, 2, 'i0'), 1), actor.append(await idem(2, 1, 'i2'), -1)];
    backend.failOn('append', new StorageError('io', 'EIO: write failed'));
    release();
    expect((await first).errorCode).toBe(0);
    expect((await Promise.all(queued)).map((r) => r.errorCode)).toEqual([KafkaErrorCode.KAFKA_STORAGE_ERROR, KafkaErrorCode.KAFKA_STORAGE_ERROR]);
    await actor.close();

    const reopened = await open();
    expect(reopened.actor.logEndOffset).toBe(1n);
    // Not duplicates: the producer retries the same sequences and they are stored now.
    expect((await reopened.actor.append(await idem(0, 2, 'i0'), 1)).baseOffset).toBe(1n);
    expect((await reopened.actor.append(await idem(2, 1, 'i2'), 1)).baseOffset).toBe(3n);
    expect(await values(reopened.actor)).toEqual(['0:first-0', '1:i0-0', '2:i0-1', '3:i2-0']);
  });
});
