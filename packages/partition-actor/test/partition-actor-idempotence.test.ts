import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeRecordBatch, KafkaErrorCode } from '@oxbow/protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '@oxbow/storage';
import { LocalLogBackend } from '../src/local-log-backend.js';
import { PartitionActor } from '../src/partition-actor.js';
import { TEST_ACTOR_CONFIG } from './test-config.js';

const CONFIG = TEST_ACTOR_CONFIG;

let dir: string;
let now = 1_700_000_000_000;
const open: { actor: PartitionActor; backend: LocalLogBackend; closed: boolean }[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oxbow-idem-'));
  now = 1_700_000_000_000;
});

afterEach(async () => {
  for (const o of open.splice(0)) if (!o.closed) await o.actor.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const partitionDir = (): string => join(dir, 'topic-0');

async function openActor(expirationMs?: number): Promise<{ actor: PartitionActor; backend: LocalLogBackend; crash: () => Promise<void>; close: () => Promise<void> }> {
  const backend = new LocalLogBackend(await PartitionLog.open(partitionDir(), DEFAULT_LOG_CONFIG));
  const actor = new PartitionActor({
    topic: 'topic', partition: 0, backend, config: CONFIG, leaderEpoch: 0, isrSize: 1, now: () => now,
    logger: { warn: vi.fn(), error: vi.fn() },
    ...(expirationMs === undefined ? {} : { producerIdExpirationMs: expirationMs }),
  });
  const entry = { actor, backend, closed: false };
  open.push(entry);
  return {
    actor,
    backend,
    // kill -9: the log is closed under the actor, no snapshot is written.
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

function idem(producerId: bigint, epoch: number, sequence: number, count: number, tag = 'v'): Promise<Buffer> {
  const records = Array.from({ length: count }, (_, i) => ({ timestamp: BigInt(now), key: null, value: Buffer.from(`${tag}-${sequence + i}`) }));
  return encodeRecordBatch({ producerId, producerEpoch: epoch, baseSequence: sequence, records });
}

async function expectOffset(actor: PartitionActor, records: Promise<Buffer>, offset: bigint): Promise<void> {
  const r = await actor.append(await records, -1);
  expect(r.errorMessage).toBeNull();
  expect(r.baseOffset).toBe(offset);
}

describe('PartitionActor idempotent producers', () => {
  it('answers a retried batch with its original base offset and appends nothing', async () => {
    const { actor } = await openActor();
    await expectOffset(actor, idem(5n, 0, 0, 3), 0n);
    await expectOffset(actor, idem(5n, 0, 3, 2), 3n);
    await expectOffset(actor, idem(5n, 0, 0, 3), 0n);
    await expectOffset(actor, idem(5n, 0, 3, 2), 3n);
    expect(actor.logEndOffset).toBe(5n);
    expect(actor.highWatermark).toBe(5n);
  });

  it('rejects gaps and stale epochs without appending', async () => {
    const { actor } = await openActor();
    await expectOffset(actor, idem(5n, 1, 0, 3), 0n);
    const gap = await actor.append(await idem(5n, 1, 4, 1), 1);
    expect(gap).toMatchObject({ errorCode: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1n });
    const stale = await actor.append(await idem(5n, 0, 3, 1), 1);
    expect(stale.errorCode).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
    const newEpochMidway = await actor.append(await idem(5n, 2, 3, 1), 1);
    expect(newEpochMidway.errorCode).toBe(KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(actor.logEndOffset).toBe(3n);
    await expectOffset(actor, idem(5n, 2, 0, 1), 3n);
  });

  it('rebuilds producer state from the log after a crash (no snapshot)', async () => {
    const first = await openActor();
    await expectOffset(first.actor, idem(5n, 0, 0, 3), 0n);
    await expectOffset(first.actor, encodeRecordBatch({ records: [{ timestamp: BigInt(now), key: null, value: Buffer.from('plain') }] }), 3n);
    await expectOffset(first.actor, idem(6n, 2, 0, 1), 4n);
    await expectOffset(first.actor, idem(5n, 0, 3, 1), 5n);
    await first.crash();
    expect((await readdir(partitionDir())).filter((n) => n.endsWith('.snapshot'))).toEqual([]);

    const second = await openActor();
    await expectOffset(second.actor, idem(5n, 0, 0, 3), 0n);
    await expectOffset(second.actor, idem(5n, 0, 3, 1), 5n);
    await expectOffset(second.actor, idem(6n, 2, 0, 1), 4n);
    expect((await second.actor.append(await idem(6n, 1, 1, 1), 1)).errorCode).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
    await expectOffset(second.actor, idem(5n, 0, 4, 1), 6n);
  });

  it('writes a snapshot at clean close and on housekeeping, and replays only the log after it', async () => {
    const first = await openActor();
    await expectOffset(first.actor, idem(5n, 0, 0, 2), 0n);
    await first.actor.housekeeping();
    expect((await readdir(partitionDir())).filter((n) => n.endsWith('.snapshot'))).toEqual(['00000000000000000002.snapshot']);
    await expectOffset(first.actor, idem(5n, 0, 2, 2), 2n);
    await first.crash();

    const second = await openActor();
    await expectOffset(second.actor, idem(5n, 0, 0, 2), 0n);
    await expectOffset(second.actor, idem(5n, 0, 2, 2), 2n);
    await expectOffset(second.actor, idem(5n, 0, 4, 1), 4n);
    await second.close();
    expect((await readdir(partitionDir())).filter((n) => n.endsWith('.snapshot'))).toEqual(['00000000000000000005.snapshot']);

    const third = await openActor();
    await expectOffset(third.actor, idem(5n, 0, 4, 1), 4n);
    await expectOffset(third.actor, idem(5n, 0, 2, 2), 2n);
    await expectOffset(third.actor, idem(5n, 0, 5, 1), 5n);
  });

  it('uses the snapshot without the log: state the log no longer holds survives', async () => {
    const first = await openActor();
    await expectOffset(first.actor, idem(5n, 0, 0, 2), 0n);
    await first.close();
    // A snapshot is trusted for everything below its offset: prove it by faking one entry.
    const fake = { version: 1, offset: '2', producers: [{ id: '77', epoch: 3, lastTimestamp: String(now), batches: [[10, 11, '0', 1, String(now)]] }] };
    await rm(join(partitionDir(), '00000000000000000002.snapshot'));
    await writeFile(join(partitionDir(), '00000000000000000002.snapshot'), JSON.stringify(fake));
    const second = await openActor();
    await expectOffset(second.actor, idem(77n, 3, 10, 2), 0n);
    expect((await second.actor.append(await idem(77n, 2, 12, 1), 1)).errorCode).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('ignores an unreadable snapshot or one past the log end and rebuilds from the log', async () => {
    const first = await openActor();
    await expectOffset(first.actor, idem(5n, 0, 0, 2), 0n);
    await first.crash();
    await writeFile(join(partitionDir(), '00000000000000000001.snapshot'), 'not json');
    const second = await openActor();
    await expectOffset(second.actor, idem(5n, 0, 0, 2), 0n);
    await second.crash();
    await writeFile(join(partitionDir(), '00000000000000000099.snapshot'), JSON.stringify({ version: 1, offset: '99', producers: [] }));
    const third = await openActor();
    await expectOffset(third.actor, idem(5n, 0, 0, 2), 0n);
  });

  it('forgets producers idle past producer.id.expiration.ms on housekeeping', async () => {
    const { actor } = await openActor(60_000);
    await expectOffset(actor, idem(5n, 0, 0, 1), 0n);
    now += 30_000;
    await actor.housekeeping();
    await expectOffset(actor, idem(5n, 0, 0, 1), 0n);
    now += 61_000;
    await actor.housekeeping();
    // Kafka's behaviour after expiry: the retry is no longer recognised and is appended again.
    await expectOffset(actor, idem(5n, 0, 0, 1), 1n);
  });
});
