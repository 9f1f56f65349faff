/**
 * Group and producer coordination on one fresh broker: the produce throughput cost of idempotence
 * (librdkafka, 1 KiB records, acks=all, alternating runs with and without enable.idempotence, both
 * at 5 requests in flight, the most an idempotent librdkafka producer uses),
 * the time a 3-member group takes to form (first JoinGroup to the last SyncGroup answer, over our
 * own wire client so client-side timers do not count), OffsetCommit requests per second with 16
 * in flight, and small transactions per second (AddPartitionsToTxn + one Produce + EndTxn).
 */
import {
  AddPartitionsToTxn,
  EndTxn,
  FindCoordinator,
  InitProducerId,
  JoinGroup,
  KafkaErrorCode,
  OffsetCommit,
  Produce,
  SyncGroup,
  encodeRecordBatch,
} from '@oxbow/protocol';
import { execFileSync } from 'node:child_process';
import { KafkaClient } from '@oxbow/node';
import { startBroker } from '../support/broker-process.js';
import type { BenchConfig } from './config.js';
import { createTopic, produce } from './load-generator.js';
import { median, quantile } from './stats.js';

export interface CoordinationResults {
  /** MB/s of alternating runs, in run order. */
  readonly plainMBps: readonly number[];
  readonly idempotentMBps: readonly number[];
  /** A plain run with librdkafka's default in-flight limit (1,000,000) instead of 5. */
  readonly uncappedMBps: number;
  /** 1 - median(idempotent) / median(plain). */
  readonly idempotenceCost: number;
  readonly rebalanceMs: { readonly p50: number; readonly p99: number; readonly trials: number };
  readonly offsetCommitsPerSecond: number;
  readonly transactionsPerSecond: number;
  readonly endTxnMs: { readonly p50: number; readonly p99: number };
}

const PROTOCOLS = [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]) }];

/**
 * Three members join a new group the way clients do (KIP-394 member id first; a member whose
 * SyncGroup meets a newer rebalance joins again) until all three hold the same generation.
 */
async function formGroup(clients: readonly KafkaClient[], groupId: string): Promise<number> {
  const started = performance.now();
  const body = { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, groupInstanceId: null, protocolType: 'consumer', protocols: PROTOCOLS, reason: null };
  const generations = await Promise.all(
    clients.map(async (c) => {
      let memberId = '';
      for (let attempt = 0; attempt < 20; attempt++) {
        const r = await c.send(JoinGroup, { ...body, memberId });
        memberId = r.memberId;
        if (r.errorCode === KafkaErrorCode.MEMBER_ID_REQUIRED) continue;
        if (r.errorCode !== 0) throw new Error(`JoinGroup failed with ${r.errorCode}`);
        const assignments = r.members.map((m) => ({ memberId: m.memberId, assignment: Buffer.from('A') }));
        const sync = await c.send(SyncGroup, { groupId, generationId: r.generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments });
        if (sync.errorCode === 0) {
          if (r.members.length === 0 || r.members.length === clients.length) return r.generationId;
          continue; // a leader of a smaller generation: the others' joins start another rebalance
        }
        if (sync.errorCode !== KafkaErrorCode.REBALANCE_IN_PROGRESS && sync.errorCode !== KafkaErrorCode.ILLEGAL_GENERATION) throw new Error(`SyncGroup failed with ${sync.errorCode}`);
      }
      throw new Error('the group did not settle in 20 rounds');
    }),
  );
  if (new Set(generations).size !== 1) throw new Error(`members ended in different generations: ${generations.join(', ')}`);
  return performance.now() - started;
}

async function offsetCommitRate(c: KafkaClient, topic: string, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  let offset = 0n;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      offset++;
      const r = await c.send(OffsetCommit, { groupId: 'bench-commits', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }] });
      const code = r.topics[0]?.partitions[0]?.errorCode ?? -1;
      if (code !== 0) throw new Error(`OffsetCommit failed with ${code}`);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 16 }, worker));
  return done / ((performance.now() - started) / 1000);
}

async function transactionRate(c: KafkaClient, topic: string, seconds: number): Promise<{ perSecond: number; endTxnMs: number[] }> {
  const transactionalId = 'bench-txn';
  for (let i = 0; ; i++) {
    const r = await c.send(FindCoordinator, { key: '', keyType: 1, coordinatorKeys: [transactionalId] }, 4);
    const code = r.coordinators[0]?.errorCode ?? -1;
    if (code === 0) break;
    if (i > 50) throw new Error(`FindCoordinator failed with ${code}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  let init = await c.send(InitProducerId, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
  for (let i = 0; init.errorCode === KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS && i < 50; i++) {
    await new Promise((res) => setTimeout(res, 100));
    init = await c.send(InitProducerId, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
  }
  if (init.errorCode !== 0) throw new Error(`InitProducerId failed with ${init.errorCode}`);
  const { producerId, producerEpoch } = init;
  const value = Buffer.alloc(1024, 0x61);
  const endTxnMs: number[] = [];
  let sequence = 0;
  let count = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  while (performance.now() < end) {
    const add = await c.send(AddPartitionsToTxn, { transactions: [], v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: topic, partitions: [0] }] });
    const addCode = add.resultsByTopicV3AndBelow[0]?.resultsByPartition[0]?.partitionErrorCode ?? -1;
    if (addCode !== 0) throw new Error(`AddPartitionsToTxn failed with ${addCode}`);
    const records = await encodeRecordBatch({ transactional: true, producerId, producerEpoch, baseSequence: sequence, records: Array.from({ length: 10 }, () => ({ timestamp: BigInt(Date.now()), key: null, value })) });
    sequence += 10;
    const p = await c.send(Produce, { transactionalId, acks: -1, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
    const pCode = p.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
    if (pCode !== 0) throw new Error(`transactional Produce failed with ${pCode}`);
    const t0 = performance.now();
    const e = await c.send(EndTxn, { transactionalId, producerId, producerEpoch, committed: true });
    endTxnMs.push(performance.now() - t0);
    if (e.errorCode !== 0) throw new Error(`EndTxn failed with ${e.errorCode}`);
    count++;
  }
  return { perSecond: count / ((performance.now() - started) / 1000), endTxnMs };
}

export async function measureCoordination(config: BenchConfig, log: (line: string) => void): Promise<CoordinationResults> {
  const broker = await startBroker({ settings: { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '4', 'transaction.state.log.num.partitions': '4' } });
  const clients: KafkaClient[] = [];
  try {
    const topic = 'bench-coordination';
    await createTopic(broker.bootstrap, topic, config.partitions);
    // librdkafka caps an idempotent producer at 5 requests in flight; the plain runs use the same
    // cap so the ratio is the broker's cost of idempotence, and one uncapped plain run shows the cap's.
    const plainMBps: number[] = [];
    const idempotentMBps: number[] = [];
    let uncappedMBps = NaN;
    const run = async (idempotence: boolean, maxInFlight: number): Promise<number> => {
      execFileSync('sync');
      const r = await produce(broker.bootstrap, topic, { size: 1024, acks: 'all', seconds: config.seconds, idempotence, maxInFlight });
      if (r.failed > 0) throw new Error(`produce (idempotence=${String(idempotence)}) failed: ${r.errors[0] ?? ''}`);
      const MBps = r.bytes / 1e6 / r.elapsedSeconds;
      log(`coordination: 1 KiB acks=all ${idempotence ? 'idempotent' : 'plain'}, ${maxInFlight} in flight: ${MBps.toFixed(1)} MB/s`);
      return MBps;
    };
    // ABBA order cancels a linear drift over the runs (the page cache filling up), and every run
    // starts after `sync` so none pays for the previous run's write-back. The first run on a fresh
    // broker was the fastest in every bench run (664 then 401 MB/s plain, also with `sync`), so
    // one untimed run goes first.
    await run(false, 5);
    for (const idempotence of [false, true, true, false]) (idempotence ? idempotentMBps : plainMBps).push(await run(idempotence, 5));
    uncappedMBps = await run(false, 1_000_000);
    for (let i = 0; i < 3; i++) clients.push(await KafkaClient.connect(broker.bootstrap, { clientId: `bench-member-${i}` }));
    const [first] = clients as [KafkaClient];
    // Creates __consumer_offsets before timing anything.
    for (let i = 0; ; i++) {
      const r = await first.send(FindCoordinator, { key: '', keyType: 0, coordinatorKeys: ['warm-up'] }, 4);
      const code = r.coordinators[0]?.errorCode ?? -1;
      if (code === 0) break;
      if (i > 50) throw new Error(`FindCoordinator failed with ${code}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    await new Promise((res) => setTimeout(res, 500));
    const rebalances: number[] = [];
    for (let trial = 0; trial < 10; trial++) rebalances.push(await formGroup(clients, `bench-group-${trial}`));
    log(`coordination: 3-member group formed in p50 ${median(rebalances).toFixed(1)} ms`);
    const commits = await offsetCommitRate(first, topic, Math.min(5, config.seconds));
    log(`coordination: ${commits.toFixed(0)} OffsetCommit/s`);
    const txn = await transactionRate(first, topic, Math.min(5, config.seconds));
    log(`coordination: ${txn.perSecond.toFixed(0)} transactions/s`);
    return {
      plainMBps,
      idempotentMBps,
      uncappedMBps,
      idempotenceCost: 1 - median(idempotentMBps) / median(plainMBps),
      rebalanceMs: { p50: median(rebalances), p99: quantile(rebalances, 0.99), trials: rebalances.length },
      offsetCommitsPerSecond: commits,
      transactionsPerSecond: txn.perSecond,
      endTxnMs: { p50: median(txn.endTxnMs), p99: quantile(txn.endTxnMs, 0.99) },
    };
  } finally {
    for (const c of clients) c.close();
    await broker.cleanup();
  }
}
