import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeRecordBatch, KafkaErrorCode, scanBatches } from '@oxbow/protocol';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '@oxbow/storage';
import { FollowerFetcher } from '../src/follower-fetcher.js';
import { LocalLogBackend } from '../src/local-log-backend.js';
import { PartitionActor, type ReplicaFetchRequest, type ReplicaFetchResult } from '../src/partition-actor.js';
import { TEST_ACTOR_CONFIG } from './test-config.js';

/**
 * Three replicas of one partition in one process: followers fetch straight from the leader actor
 * (the node does the same over gRPC). The coordinator's ISR is a variable changed with
 * compare-and-swap on the leader epoch, as the node's ISR changer does.
 */
let dir: string;
const open: PartitionActor[] = [];
const fetchers: FollowerFetcher[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oxbow-repl-'));
});

afterEach(async () => {
  for (const f of fetchers.splice(0)) await f.stop();
  for (const a of open.splice(0)) await a.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

interface Cluster {
  readonly replicas: Map<number, PartitionActor>;
  isr: number[];
  epoch: number;
  /** Whether a follower's fetches reach the leader (false = partitioned away). */
  readonly reachable: Map<number, boolean>;
}

async function replica(c: Cluster, id: number, minInsyncReplicas = 2): Promise<PartitionActor> {
  const log = await PartitionLog.open(join(dir, `node-${id}`), DEFAULT_LOG_CONFIG);
  const actor = new PartitionActor({
    topic: 't',
    partition: 0,
    backend: new LocalLogBackend(log),
    config: { ...TEST_ACTOR_CONFIG, minInsyncReplicas },
    leaderEpoch: c.epoch,
    isrSize: 1,
    logger: { warn: vi.fn(), error: vi.fn() },
    replication: {
      selfId: id,
      lagTimeMaxMs: 300,
      ackTimeoutMs: 3000,
      changeIsr: (isr) => {
        if (c.epoch !== actor.leaderEpoch) return Promise.resolve(null);
        c.isr = [...isr];
        return Promise.resolve(c.isr);
      },
    },
  });
  c.replicas.set(id, actor);
  open.push(actor);
  return actor;
}

function follow(c: Cluster, followerId: number, leaderId: number): FollowerFetcher {
  const follower = c.replicas.get(followerId) as PartitionActor;
  const fetch = (req: ReplicaFetchRequest): Promise<ReplicaFetchResult> => {
    if (c.reachable.get(followerId) === false) return new Promise((_, reject) => setTimeout(() => reject(new Error('unreachable')), 50));
    return (c.replicas.get(leaderId) as PartitionActor).replicaFetch(req);
  };
  const f = new FollowerFetcher(follower, { selfId: followerId, leaderEpoch: c.epoch, fetch, maxBytes: 1 << 20, maxWaitMs: 100, backoffMs: 20 });
  f.start();
  fetchers.push(f);
  return f;
}

const batch = (n: number, tag: string): Promise<Buffer> =>
  encodeRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ timestamp: BigInt(Date.now()), key: null, value: Buffer.from(`${tag}-${i}`) })) });

async function segmentBytes(id: number): Promise<Buffer> {
  const d = join(dir, `node-${id}`);
  const names = (await readdir(d)).filter((n) => n.endsWith('.log')).sort();
  return Buffer.concat(await Promise.all(names.map((n) => readFile(join(d, n)))));
}

async function threeReplicas(): Promise<Cluster> {
  const c: Cluster = { replicas: new Map(), isr: [1, 2, 3], epoch: 0, reachable: new Map() };
  const leader = await replica(c, 1);
  await replica(c, 2);
  await replica(c, 3);
  await leader.becomeLeader({ leaderEpoch: 0, replicas: [1, 2, 3], isr: [1, 2, 3] });
  for (const id of [2, 3]) {
    await (c.replicas.get(id) as PartitionActor).becomeFollower({ leaderEpoch: 0 });
    follow(c, id, 1);
  }
  return c;
}

describe('replication between partition actors', () => {
  it('answers acks=all once the ISR has the batch, and followers hold byte-identical logs', async () => {
    const c = await threeReplicas();
    const leader = c.replicas.get(1) as PartitionActor;
    for (let i = 0; i < 20; i++) {
      const r = await leader.append(await batch(5, `b${i}`), -1);
      expect(r.errorCode).toBe(0);
      expect(leader.highWatermark).toBeGreaterThan(r.baseOffset + 4n);
    }
    await vi.waitFor(() => expect((c.replicas.get(3) as PartitionActor).highWatermark).toBe(100n), { timeout: 3000 });
    expect(await segmentBytes(2)).toEqual(await segmentBytes(1));
    expect(await segmentBytes(3)).toEqual(await segmentBytes(1));
  });

  it('drops a follower that stops fetching from the ISR, then acks with the rest; NOT_ENOUGH_REPLICAS below min.insync.replicas', async () => {
    const c = await threeReplicas();
    const leader = c.replicas.get(1) as PartitionActor;
    expect((await leader.append(await batch(1, 'a'), -1)).errorCode).toBe(0);
    c.reachable.set(3, false);
    await vi.waitFor(() => expect(c.isr).toEqual([1, 2]), { timeout: 3000 });
    expect((await leader.append(await batch(1, 'b'), -1)).errorCode).toBe(0);
    c.reachable.set(2, false);
    await vi.waitFor(() => expect(c.isr).toEqual([1]), { timeout: 3000 });
    expect((await leader.append(await batch(1, 'c'), -1)).errorCode).toBe(KafkaErrorCode.NOT_ENOUGH_REPLICAS);
    // acks=1 needs only the leader.
    expect((await leader.append(await batch(1, 'd'), 1)).errorCode).toBe(0);
    // Followers that catch up rejoin the ISR.
    c.reachable.set(2, true);
    c.reachable.set(3, true);
    await vi.waitFor(() => expect(c.isr).toEqual([1, 2, 3]), { timeout: 3000 });
    expect((await leader.append(await batch(1, 'e'), -1)).errorCode).toBe(0);
  });

  it('truncates a diverging tail when leadership moves, so all replicas end with the same log', async () => {
    const c = await threeReplicas();
    const [one, two, three] = [1, 2, 3].map((id) => c.replicas.get(id) as PartitionActor) as [PartitionActor, PartitionActor, PartitionActor];
    expect((await one.append(await batch(3, 'committed'), -1)).errorCode).toBe(0);
    // The old leader is cut off (its followers stop fetching) and takes acks=1 writes nobody else gets.
    for (const f of fetchers.splice(0)) await f.stop();
    for (let i = 0; i < 3; i++) expect((await one.append(await batch(2, `lost-${i}`), 1)).errorCode).toBe(0);
    expect(one.logEndOffset).toBe(9n);
    // The controller elects 2 in epoch 1; 1 comes back as a follower.
    c.epoch = 1;
    await two.becomeLeader({ leaderEpoch: 1, replicas: [1, 2, 3], isr: [2, 3] });
    c.isr = [2, 3];
    await three.becomeFollower({ leaderEpoch: 1 });
    await one.becomeFollower({ leaderEpoch: 1 });
    follow(c, 3, 2);
    follow(c, 1, 2);
    // The stale leader's writes are refused from now on.
    expect((await one.append(await batch(1, 'zombie'), 1)).errorCode).toBe(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await two.append(await batch(4, 'new'), -1)).errorCode).toBe(0);
    await vi.waitFor(() => expect(one.logEndOffset).toBe(7n), { timeout: 3000 });
    await vi.waitFor(async () => expect(await segmentBytes(1)).toEqual(await segmentBytes(2)), { timeout: 3000 });
    expect(await segmentBytes(3)).toEqual(await segmentBytes(2));
    const values = scanBatches(await segmentBytes(1)).map((b) => [b.baseOffset, b.partitionLeaderEpoch]);
    expect(values).toEqual([[0n, 0], [3n, 1]]);
  });

  it('refuses fetches from a stale epoch and from non-replicas', async () => {
    const c = await threeReplicas();
    const leader = c.replicas.get(1) as PartitionActor;
    const req = { replicaId: 2, leaderEpoch: 0, fetchOffset: 0n, lastFetchedEpoch: -1, maxBytes: 1024, maxWaitMs: 0 };
    await leader.becomeLeader({ leaderEpoch: 1, replicas: [1, 2, 3], isr: [1, 2, 3] });
    expect((await leader.replicaFetch(req)).errorCode).toBe(KafkaErrorCode.FENCED_LEADER_EPOCH);
    expect((await leader.replicaFetch({ ...req, leaderEpoch: 2 })).errorCode).toBe(KafkaErrorCode.UNKNOWN_LEADER_EPOCH);
    expect((await leader.replicaFetch({ ...req, leaderEpoch: 1, replicaId: 9 })).errorCode).toBe(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
    leader.fence();
    expect((await leader.append(await batch(1, 'x'), 1)).errorCode).toBe(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});
