import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  ApiVersions,
  DescribeProducers,
  DescribeTransactions,
  EndTxn,
  Fetch,
  FindCoordinator,
  InitProducerId,
  KafkaErrorCode,
  ListTransactions,
  OffsetFetch,
  Produce,
  scanBatches,
  TxnOffsetCommit,
  encodeRecordBatch,
  type ResponseOf,
} from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { createTopic, PRODUCE_VERSION, produceBody, startTestBroker, type TestBroker } from '../test-broker.js';

const TOPIC = 'txn-wire';

interface Producer {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  sequence: number;
}

async function initProducer(c: KafkaClient, transactionalId: string, timeoutMs = 60_000): Promise<Producer> {
  expect((await c.send(FindCoordinator, { key: transactionalId, keyType: 1, coordinatorKeys: [] }, 3)).errorCode).toBe(0);
  const r = await c.send(InitProducerId, { transactionalId, transactionTimeoutMs: timeoutMs, producerId: -1n, producerEpoch: -1 }, 4);
  expect(r.errorCode).toBe(0);
  return { transactionalId, producerId: r.producerId, producerEpoch: r.producerEpoch, sequence: 0 };
}

async function addPartitions(c: KafkaClient, p: Producer, partitions: number[], topic = TOPIC): Promise<number[]> {
  const r = await c.send(AddPartitionsToTxn, { transactions: [], v3AndBelowTransactionalId: p.transactionalId, v3AndBelowProducerId: p.producerId, v3AndBelowProducerEpoch: p.producerEpoch, v3AndBelowTopics: [{ name: topic, partitions }] }, 3);
  return r.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((x) => x.partitionErrorCode));
}

async function produceTxn(c: KafkaClient, p: Producer, partition: number, values: string[]): Promise<number> {
  const records = await encodeRecordBatch({
    transactional: true,
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    baseSequence: p.sequence,
    records: values.map((v) => ({ timestamp: BigInt(Date.now()), key: null, value: Buffer.from(v) })),
  });
  p.sequence += values.length;
  const r = await c.send(Produce, { ...produceBody(TOPIC, partition, records), transactionalId: p.transactionalId }, PRODUCE_VERSION);
  return r.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
}

async function endTxn(c: KafkaClient, p: Producer, committed: boolean, version = 3): Promise<number> {
  return (await c.send(EndTxn, { transactionalId: p.transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, committed }, version)).errorCode;
}

type FetchPartition = ResponseOf<typeof Fetch>['responses'][number]['partitions'][number];

async function fetch(c: KafkaClient, partition: number, isolationLevel: 0 | 1, fetchOffset = 0n): Promise<FetchPartition> {
  const r = await c.send(
    Fetch,
    { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1, topics: [{ topic: TOPIC, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' },
    11,
  );
  const p = r.responses[0]?.partitions[0];
  if (p === undefined) throw new Error('no partition in the fetch response');
  return p;
}

const offsets = (p: FetchPartition): { base: bigint; control: boolean }[] => scanBatches(p.records ?? Buffer.alloc(0)).map((b) => ({ base: b.baseOffset, control: b.isControl }));

describe('transactions over the wire', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker({ settings: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '100', 'transaction.state.log.num.partitions': '4', 'offsets.topic.num.partitions': '4' } });
    c = await b.client();
    await createTopic(c, TOPIC, { partitions: 4 });
  });

  afterAll(async () => {
    await b.close();
  });

  it('advertises the transaction APIs at their client versions', async () => {
    const keys = (await c.send(ApiVersions, {}, 3)).apiKeys;
    const range = (k: number): [number, number] | undefined => {
      const found = keys.find((x) => x.apiKey === k);
      return found === undefined ? undefined : [found.minVersion, found.maxVersion];
    };
    expect([24, 25, 26, 28, 61, 65, 66].map(range)).toEqual([[0, 3], [0, 4], [0, 4], [0, 4], [0, 0], [0, 0], [0, 1]]);
  });

  it('hides a transaction from read_committed until it commits, and shows it to read_uncommitted at once', async () => {
    const p = await initProducer(c, 'commit-me');
    expect(await addPartitions(c, p, [0])).toEqual([0]);
    expect(await produceTxn(c, p, 0, ['a', 'b'])).toBe(0);
    const pending = await fetch(c, 0, 1);
    expect(pending.lastStableOffset).toBe(0n);
    expect(offsets(pending)).toEqual([]);
    expect(offsets(await fetch(c, 0, 0))).toEqual([{ base: 0n, control: false }]);
    const described = (await c.send(DescribeTransactions, { transactionalIds: ['commit-me', 'nobody'] }, 0)).transactionStates;
    expect(described[0]).toMatchObject({ errorCode: 0, transactionState: 'Ongoing', producerId: p.producerId, topics: [{ topic: TOPIC, partitions: [0] }] });
    expect(described[1]?.errorCode).toBe(KafkaErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    const producers = await c.send(DescribeProducers, { topics: [{ name: TOPIC, partitionIndexes: [0] }] }, 0);
    expect(producers.topics[0]?.partitions[0]?.activeProducers[0]).toMatchObject({ producerId: p.producerId, lastSequence: 1, currentTxnStartOffset: 0n });

    expect(await endTxn(c, p, true)).toBe(0);
    const done = await fetch(c, 0, 1);
    expect(done.lastStableOffset).toBe(3n);
    expect(offsets(done)).toEqual([{ base: 0n, control: false }, { base: 2n, control: true }]);
    expect(done.abortedTransactions).toEqual([]);
    // A retried commit is answered with success; an abort after a commit is INVALID_TXN_STATE.
    expect(await endTxn(c, p, true)).toBe(0);
    expect(await endTxn(c, p, false)).toBe(KafkaErrorCode.INVALID_TXN_STATE);
  });

  it('returns the aborted transaction to read_committed fetches', async () => {
    const p = await initProducer(c, 'abort-me');
    await addPartitions(c, p, [1]);
    await produceTxn(c, p, 1, ['x']);
    expect(await endTxn(c, p, false)).toBe(0);
    const committed = await fetch(c, 1, 1);
    expect(committed.abortedTransactions).toEqual([{ producerId: p.producerId, firstOffset: 0n }]);
    expect(offsets(committed)).toEqual([{ base: 0n, control: false }, { base: 1n, control: true }]);
    expect((await fetch(c, 1, 0)).abortedTransactions).toBeNull();
    const listed = await c.send(ListTransactions, { stateFilters: ['CompleteAbort', 'Bogus'], producerIdFilters: [], durationFilter: -1n }, 1);
    expect(listed.unknownStateFilters).toEqual(['Bogus']);
    expect(listed.transactionStates).toContainEqual({ transactionalId: 'abort-me', producerId: p.producerId, transactionState: 'CompleteAbort' });
  });

  it('commits offsets inside the transaction: unstable until the commit, then the group offset', async () => {
    const p = await initProducer(c, 'ctp');
    await addPartitions(c, p, [2]);
    await produceTxn(c, p, 2, ['out']);
    expect((await c.send(AddOffsetsToTxn, { transactionalId: 'ctp', producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'ctp-group' }, 3)).errorCode).toBe(0);
    const commit = await c.send(TxnOffsetCommit, { transactionalId: 'ctp', groupId: 'ctp-group', producerId: p.producerId, producerEpoch: p.producerEpoch, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 3, committedOffset: 17n, committedLeaderEpoch: -1, committedMetadata: '' }] }] }, 3);
    expect(commit.topics[0]?.partitions[0]?.errorCode).toBe(0);
    const fetchOffsets = (requireStable: boolean) => c.send(OffsetFetch, { groupId: 'ctp-group', topics: [{ name: TOPIC, partitionIndexes: [3] }], groups: [], requireStable }, 7);
    expect((await fetchOffsets(true)).topics[0]?.partitions[0]).toMatchObject({ errorCode: KafkaErrorCode.UNSTABLE_OFFSET_COMMIT, committedOffset: -1n });
    expect((await fetchOffsets(false)).topics[0]?.partitions[0]).toMatchObject({ errorCode: 0, committedOffset: -1n });
    expect(await endTxn(c, p, true)).toBe(0);
    expect((await fetchOffsets(true)).topics[0]?.partitions[0]).toMatchObject({ errorCode: 0, committedOffset: 17n });
  });

  it('fences the old epoch: a second InitProducerId aborts the open transaction', async () => {
    const old = await initProducer(c, 'zombie');
    await addPartitions(c, old, [3]);
    await produceTxn(c, old, 3, ['z']);
    const fresh = await initProducer(c, 'zombie');
    expect(fresh.producerEpoch).toBe(old.producerEpoch + 2); // one bump to abort, one for the new instance
    expect(await endTxn(c, old, true)).toBe(KafkaErrorCode.PRODUCER_FENCED);
    expect(await endTxn(c, old, true, 1)).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await produceTxn(c, old, 3, ['late'])).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
    const p3 = await fetch(c, 3, 1);
    expect(p3.abortedTransactions).toEqual([{ producerId: old.producerId, firstOffset: 0n }]);
    expect(p3.lastStableOffset).toBe(p3.highWatermark);
  });

  it('aborts a transaction past its timeout and fences its producer', async () => {
    const p = await initProducer(c, 'slow', 200);
    await addPartitions(c, p, [0]);
    await produceTxn(c, p, 0, ['never']);
    await vi.waitFor(
      async () => {
        const d = (await c.send(DescribeTransactions, { transactionalIds: ['slow'] }, 0)).transactionStates[0];
        expect(d?.transactionState).toBe('CompleteAbort');
      },
      { timeout: 5_000, interval: 50 },
    );
    expect(await endTxn(c, p, true)).toBe(KafkaErrorCode.PRODUCER_FENCED);
    const p0 = await fetch(c, 0, 1);
    expect(p0.lastStableOffset).toBe(p0.highWatermark);
    expect(p0.abortedTransactions?.map((a) => a.producerId)).toContain(p.producerId);
  });

  it('checks producer ids and partitions', async () => {
    const p = await initProducer(c, 'checks');
    expect(await addPartitions(c, { ...p, producerId: p.producerId + 1000n }, [0])).toEqual([KafkaErrorCode.INVALID_PRODUCER_ID_MAPPING]);
    expect(await addPartitions(c, p, [0, 99])).toEqual([KafkaErrorCode.OPERATION_NOT_ATTEMPTED, KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(await endTxn(c, p, true)).toBe(KafkaErrorCode.INVALID_TXN_STATE);
  });
});
