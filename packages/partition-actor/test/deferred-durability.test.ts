import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeRecordBatch, KafkaErrorCode } from '@oxbow/protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog, StorageError } from '@oxbow/storage';
import type { DeferredDurability } from '../src/backend.js';
import { LocalLogBackend } from '../src/local-log-backend.js';
import { PartitionActor } from '../src/partition-actor.js';
import type { ReadRequest } from '../src/partition-handle.js';
import { TEST_ACTOR_CONFIG } from './test-config.js';

/**
 * A backend whose appends become durable only when the test says so, as a diskless backend's do
 * when its flush commits: it stores into a real local log, and reports a durable end it controls.
 */
class DeferredTestBackend extends LocalLogBackend {
  #durableEnd = 0n;
  #listener: Parameters<DeferredDurability['listen']>[0] | null = null;
  readonly deferred: DeferredDurability;

  constructor(log: PartitionLog, acksWaitForDurable: boolean) {
    super(log);
    this.#durableEnd = log.logEndOffset;
    const durableEnd = (): bigint => this.#durableEnd;
    const listen = (l: Parameters<DeferredDurability['listen']>[0]): void => {
      this.#listener = l;
    };
    this.deferred = {
      get durableEndOffset() {
        return durableEnd();
      },
      acksWaitForDurable,
      listen,
    };
  }

  makeDurable(to: bigint): void {
    this.#durableEnd = to;
    this.#listener?.durable(to);
  }

  failNextRead: StorageError | null = null;

  override read(offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): Promise<Buffer> {
    const failure = this.failNextRead;
    this.failNextRead = null;
    return failure === null ? super.read(offset, maxBytes, maxOffset, minOneBatch) : Promise.reject(failure);
  }

  lose(code: number): void {
    this.#listener?.lost(code, 'taken over');
  }
}

let dir: string;
let actor: PartitionActor | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oxbow-deferred-'));
});

afterEach(async () => {
  await actor?.close().catch(() => undefined);
  actor = null;
  await rm(dir, { recursive: true, force: true });
});

async function open(acksWaitForDurable: boolean): Promise<DeferredTestBackend> {
  const log = await PartitionLog.open(dir, DEFAULT_LOG_CONFIG);
  const backend = new DeferredTestBackend(log, acksWaitForDurable);
  actor = new PartitionActor({ topic: 't', partition: 0, backend, config: TEST_ACTOR_CONFIG, leaderEpoch: 0, isrSize: 1, logger: { warn: vi.fn(), error: vi.fn() } });
  return backend;
}

const batch = (n: number): Promise<Buffer> =>
  encodeRecordBatch({ baseOffset: 0n, partitionLeaderEpoch: -1, records: Array.from({ length: n }, (_, i) => ({ timestamp: 1_700_000_000_000n, key: null, value: Buffer.from(`v${i}`) })) });

const read = (offset: bigint): ReadRequest => ({ offset, maxBytes: 1 << 20, minOneBatch: true, isolation: 'read_uncommitted', currentLeaderEpoch: -1 });

describe('a backend with deferred durability (diskless)', () => {
  it('answers acks=1 and acks=all only once durable, and hides buffered offsets from readers', async () => {
    const backend = await open(true);
    const a = actor!;
    let answered = false;
    const one = a.append(await batch(3), 1).then((r) => ((answered = true), r));
    const all = a.append(await batch(2), -1);
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    expect(a.logEndOffset).toBe(5n);
    expect(a.highWatermark).toBe(0n);
    expect((await a.read(read(0n))).records.length).toBe(0);

    backend.makeDurable(3n);
    expect((await one).baseOffset).toBe(0n);
    expect(a.highWatermark).toBe(3n);
    backend.makeDurable(5n);
    expect(await all).toMatchObject({ errorCode: 0, baseOffset: 3n });
    expect((await a.read(read(0n))).records.length).toBeGreaterThan(0);
    // acks=0 is never waited for.
    const zero = await a.append(await batch(1), 0);
    expect(zero.errorCode).toBe(0);
  });

  it('answers every acks level at buffer time in buffered mode, but still hides unflushed offsets', async () => {
    await open(false);
    const a = actor!;
    expect((await a.append(await batch(2), -1)).errorCode).toBe(0);
    expect((await a.append(await batch(2), 1)).baseOffset).toBe(2n);
    expect(a.highWatermark).toBe(0n);
  });

  it('fails waiting appends and stops leading when the buffered data is lost to another writer', async () => {
    const backend = await open(true);
    const a = actor!;
    const pending = a.append(await batch(2), 1);
    await new Promise((r) => setTimeout(r, 20));
    backend.lose(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await pending).errorCode).toBe(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(a.role).toBe('fenced');
    expect((await a.append(await batch(1), 1)).errorCode).toBe(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('fails only the request when remote storage is unavailable, and keeps serving', async () => {
    const backend = await open(true);
    const a = actor!;
    const pending = a.append(await batch(2), 1);
    backend.makeDurable(2n);
    await pending;
    backend.failNextRead = new StorageError('unavailable', 'object store down');
    expect((await a.read(read(0n))).errorCode).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
    const again = await a.read(read(0n));
    expect(again.errorCode).toBe(0);
    expect(again.records.length).toBeGreaterThan(0);
  });
});
