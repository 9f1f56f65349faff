import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fetch, KafkaErrorCode, Metadata, scanBatches, type RequestInputOf, type RequestOf } from '@oxbow/protocol';
import type { PartitionHandle, ReadRequest, ReadResult } from '@oxbow/partition-actor';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { metrics } from '@opentelemetry/api';
import type { BrokerServices } from '../../src/broker/services.js';
import { BrokerMetrics } from '../../src/observability/broker-metrics.js';
import { fetchHandler } from '../../src/handlers/fetch.js';
import type { RequestContext } from '../../src/handlers/handler.js';
import { createTopic, produce, recordBatch, startTestBroker, type TestBroker } from '../test-broker.js';

const NAMED = 12; // the last version with topic names
const BY_ID = 16;

interface PartitionAsk {
  readonly partition?: number;
  readonly offset?: bigint;
  readonly partitionMaxBytes?: number;
}

function fetchBody(topic: string, parts: readonly PartitionAsk[], options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; sessionId?: number; sessionEpoch?: number; topicId?: string } = {}): RequestInputOf<typeof Fetch> {
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: options.maxBytes ?? 50 << 20,
    isolationLevel: 0,
    sessionId: options.sessionId ?? 0,
    sessionEpoch: options.sessionEpoch ?? -1,
    topics: [
      {
        topic: options.topicId === undefined ? topic : '',
        ...(options.topicId === undefined ? {} : { topicId: options.topicId }),
        partitions: parts.map((p, i) => ({
          partition: p.partition ?? i,
          currentLeaderEpoch: -1,
          fetchOffset: p.offset ?? 0n,
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: p.partitionMaxBytes ?? 10 << 20,
        })),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

const baseOffsets = (records: Buffer | null | undefined): bigint[] => scanBatches(records ?? Buffer.alloc(0), { verifyCrc: true }).map((b) => b.baseOffset);

describe('Fetch', () => {
  let b: TestBroker;
  let c: KafkaClient;
  let producer: KafkaClient;
  let batchSize = 0;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
    producer = await b.client();
    await createTopic(c, 'sized', { partitions: 3 });
    await createTopic(c, 'multi');
    for (let p = 0; p < 3; p++) await produce(c, 'sized', p, await recordBatch(1, { valueBytes: 10_000 }));
    for (let i = 0; i < 3; i++) await produce(c, 'multi', 0, await recordBatch(1, { valueBytes: 10_000 }));
    batchSize = (await recordBatch(1, { valueBytes: 10_000 })).length;
  });

  afterAll(async () => {
    await b.close();
  });

  describe('long poll', () => {
    it('answers as soon as data is produced, not at maxWaitMs', async () => {
      await createTopic(c, 'wake');
      const started = Date.now();
      const pending = c.send(Fetch, fetchBody('wake', [{}], { maxWaitMs: 10_000, minBytes: 1 }), NAMED);
      await new Promise((r) => setTimeout(r, 200));
      await produce(producer, 'wake', 0, await recordBatch(2));
      const produced = Date.now();
      const res = await pending;
      const answered = Date.now();
      expect(baseOffsets(res.responses[0]?.partitions[0]?.records)).toEqual([0n]);
      expect(res.responses[0]?.partitions[0]?.highWatermark).toBe(2n);
      // Woken by the produce: far sooner than the 10 s the fetch was prepared to wait.
      expect(answered - produced).toBeLessThan(2_000);
      expect(answered - started).toBeLessThan(5_000);
    });

    it('waits up to maxWaitMs when nothing arrives, then answers empty', async () => {
      await createTopic(c, 'quiet');
      const started = Date.now();
      const res = await c.send(Fetch, fetchBody('quiet', [{}], { maxWaitMs: 300, minBytes: 1 }), NAMED);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(res.errorCode).toBe(0);
      expect(res.responses[0]?.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 0n });
      expect(res.responses[0]?.partitions[0]?.records?.length ?? 0).toBe(0);
    });

    it('keeps waiting until minBytes have accumulated', async () => {
      await createTopic(c, 'accumulate');
      const pending = c.send(Fetch, fetchBody('accumulate', [{}], { maxWaitMs: 10_000, minBytes: 5_000 }), NAMED);
      let answered = false;
      void pending.then(() => {
        answered = true;
      });
      await produce(producer, 'accumulate', 0, await recordBatch(1)); // a few dozen bytes: not enough
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      await produce(producer, 'accumulate', 0, await recordBatch(1, { valueBytes: 6_000 }));
      const produced = Date.now();
      const res = await pending;
      expect(Date.now() - produced).toBeLessThan(2_000);
      expect(baseOffsets(res.responses[0]?.partitions[0]?.records)).toEqual([0n, 1n]);
    });

    it('answers at maxWaitMs with what it has when minBytes never accumulate', async () => {
      const started = Date.now();
      const res = await c.send(Fetch, fetchBody('multi', [{}], { maxWaitMs: 300, minBytes: 1 << 20 }), NAMED);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(baseOffsets(res.responses[0]?.partitions[0]?.records)).toEqual([0n, 1n, 2n]);
    });

    it('does not wait when a partition has an error', async () => {
      const started = Date.now();
      const res = await c.send(Fetch, fetchBody('multi', [{ partition: 0, offset: 99n }], { maxWaitMs: 10_000, minBytes: 1 }), NAMED);
      expect(res.responses[0]?.partitions[0]?.errorCode).toBe(KafkaErrorCode.OFFSET_OUT_OF_RANGE);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  describe('size limits', () => {
    it('honours partitionMaxBytes in whole batches', async () => {
      const ask = async (partitionMaxBytes: number) =>
        baseOffsets((await c.send(Fetch, fetchBody('multi', [{ partitionMaxBytes }]), NAMED)).responses[0]?.partitions[0]?.records);
      expect(await ask(batchSize)).toEqual([0n]);
      expect(await ask(Math.floor(batchSize * 1.5))).toEqual([0n]);
      expect(await ask(batchSize * 2)).toEqual([0n, 1n]);
      expect(await ask(batchSize * 10)).toEqual([0n, 1n, 2n]);
    });

    it('honours maxBytes across partitions', async () => {
      const res = await c.send(Fetch, fetchBody('sized', [{}, {}, {}], { maxBytes: Math.floor(batchSize * 2.5) }), NAMED);
      const parts = res.responses[0]?.partitions ?? [];
      expect(parts.map((p) => [p.partitionIndex, p.errorCode, p.highWatermark])).toEqual([
        [0, 0, 1n],
        [1, 0, 1n],
        [2, 0, 1n],
      ]);
      expect(parts.map((p) => baseOffsets(p.records).length)).toEqual([1, 1, 0]);
    });

    it('returns the first batch whole even when it is larger than maxBytes or partitionMaxBytes, and nothing more', async () => {
      const tinyTotal = await c.send(Fetch, fetchBody('sized', [{}, {}, {}], { maxBytes: 100 }), NAMED);
      expect(tinyTotal.responses[0]?.partitions.map((p) => p.records?.length ?? 0)).toEqual([batchSize, 0, 0]);
      const tinyPartition = await c.send(Fetch, fetchBody('sized', [{ partitionMaxBytes: 100 }, { partitionMaxBytes: 100 }, { partitionMaxBytes: 100 }]), NAMED);
      expect(tinyPartition.responses[0]?.partitions.map((p) => p.records?.length ?? 0)).toEqual([batchSize, 0, 0]);
      // The first non-empty partition is the one that gets the exception.
      const laterFirst = await c.send(Fetch, fetchBody('sized', [{ partition: 0, offset: 1n, partitionMaxBytes: 100 }, { partition: 1, partitionMaxBytes: 100 }, { partition: 2, partitionMaxBytes: 100 }]), NAMED);
      expect(laterFirst.responses[0]?.partitions.map((p) => p.records?.length ?? 0)).toEqual([0, batchSize, 0]);
    });
  });

  describe('partitions read concurrently', () => {
    /** Batches per partition a one-by-one pass returns (every batch `batchSize` bytes, 3 per partition). */
    function oneByOne(maxBytes: number, partitionMaxBytes: readonly number[], offsets: readonly number[]): number[] {
      let bytes = 0;
      return partitionMaxBytes.map((pmax, i) => {
        const available = 3 - (offsets[i] ?? 0);
        const room = Math.min(pmax, maxBytes - bytes);
        let n = Math.min(available, Math.max(0, Math.floor(room / batchSize)));
        if (bytes === 0 && n === 0 && available > 0) n = 1;
        bytes += n * batchSize;
        return n;
      });
    }

    it('return what a one-by-one pass over the partitions returns, in request order', async () => {
      await createTopic(c, 'three-by-three', { partitions: 3 });
      for (let p = 0; p < 3; p++) for (let i = 0; i < 3; i++) await produce(c, 'three-by-three', p, await recordBatch(1, { valueBytes: 10_000 }));
      const b = batchSize;
      const cases: { maxBytes: number; pmax: number[]; offsets: number[] }[] = [
        { maxBytes: 50 << 20, pmax: [2 * b, 2 * b, 2 * b], offsets: [0, 0, 0] },
        { maxBytes: 5 * b, pmax: [2 * b, 2 * b, 2 * b], offsets: [0, 0, 0] },
        { maxBytes: 6 * b, pmax: [2 * b + 1, 2 * b, 3 * b], offsets: [0, 1, 0] },
        { maxBytes: 100, pmax: [100, 100, 100], offsets: [3, 2, 0] },
        { maxBytes: 4 * b, pmax: [100, 3 * b, 3 * b], offsets: [0, 0, 0] },
        { maxBytes: 3 * b, pmax: [b, b, b], offsets: [3, 3, 3] },
        { maxBytes: 2 * b, pmax: [4 * b, 4 * b, 4 * b], offsets: [2, 0, 0] },
      ];
      for (const k of cases) {
        const res = await c.send(Fetch, fetchBody('three-by-three', k.pmax.map((pmax, partition) => ({ partition, partitionMaxBytes: pmax, offset: BigInt(k.offsets[partition] ?? 0) })), { maxBytes: k.maxBytes }), NAMED);
        const parts = res.responses[0]?.partitions ?? [];
        expect(parts.map((p) => p.partitionIndex)).toEqual([0, 1, 2]);
        expect(parts.map((p) => p.errorCode)).toEqual([0, 0, 0]);
        const got = parts.map((p) => baseOffsets(p.records));
        const want = oneByOne(k.maxBytes, k.pmax, k.offsets).map((n, i) => Array.from({ length: n }, (_, j) => BigInt((k.offsets[i] ?? 0) + j)));
        expect({ case: k, got }).toEqual({ case: k, got: want });
      }
    });
  });

  describe('the broker setting fetch.max.bytes', () => {
    it('caps what one response carries, whatever the client asks for, still returning a first batch larger than it', async () => {
      const capped = await startTestBroker({ settings: { 'fetch.max.bytes': String(Math.floor(batchSize * 2.5)) } });
      try {
        const cc = await capped.client();
        await createTopic(cc, 'capped', { partitions: 2 });
        for (let p = 0; p < 2; p++) for (let i = 0; i < 3; i++) await produce(cc, 'capped', p, await recordBatch(1, { valueBytes: 10_000 }));
        const res = await cc.send(Fetch, fetchBody('capped', [{}, {}], { maxBytes: 50 << 20 }), NAMED);
        expect(res.responses[0]?.partitions.map((p) => baseOffsets(p.records))).toEqual([[0n, 1n], []]);
        // A client asking for less than the cap gets what it asked for.
        const less = await cc.send(Fetch, fetchBody('capped', [{}, {}], { maxBytes: batchSize }), NAMED);
        expect(less.responses[0]?.partitions.map((p) => baseOffsets(p.records))).toEqual([[0n], []]);
        await produce(cc, 'capped', 0, await recordBatch(1, { valueBytes: 30_000 }));
        const big = await cc.send(Fetch, fetchBody('capped', [{ offset: 3n }, {}], { maxBytes: 50 << 20 }), NAMED);
        expect(big.responses[0]?.partitions.map((p) => baseOffsets(p.records))).toEqual([[3n], []]);
      } finally {
        await capped.close();
      }
    });
  });

  describe('errors, sessions and topic ids', () => {
    it('answers FETCH_SESSION_ID_NOT_FOUND for a session it never created, and never creates one', async () => {
      const unknown = await c.send(Fetch, fetchBody('multi', [{}], { sessionId: 12345, sessionEpoch: 1 }), NAMED);
      expect(unknown.errorCode).toBe(KafkaErrorCode.FETCH_SESSION_ID_NOT_FOUND);
      expect(unknown.responses).toEqual([]);
      // A client asking for a new session (id 0, epoch 0) gets a full answer without one.
      const fresh = await c.send(Fetch, fetchBody('multi', [{}], { sessionId: 0, sessionEpoch: 0 }), NAMED);
      expect(fresh.errorCode).toBe(0);
      expect(fresh.sessionId).toBe(0);
      expect(baseOffsets(fresh.responses[0]?.partitions[0]?.records)).toEqual([0n, 1n, 2n]);
    });

    it('fetches by topic id (v13+) and reports unknown ids', async () => {
      const md = await c.send(Metadata, { topics: [{ name: 'multi', topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      const topicId = md.topics[0]?.topicId ?? '';
      const res = await c.send(Fetch, fetchBody('', [{}], { topicId }), BY_ID);
      expect(res.responses[0]?.topicId).toBe(topicId);
      expect(baseOffsets(res.responses[0]?.partitions[0]?.records)).toEqual([0n, 1n, 2n]);
      const unknown = await c.send(Fetch, fetchBody('', [{}], { topicId: '11111111-2222-3333-4444-555555555555' }), BY_ID);
      expect(unknown.responses[0]?.partitions[0]?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_ID);
    });

    it('reports unknown topics, partitions and out-of-range offsets per partition', async () => {
      const res = await c.send(Fetch, fetchBody('multi', [{ partition: 0, offset: 4n }, { partition: 9 }]), NAMED);
      expect(res.responses[0]?.partitions.map((p) => [p.partitionIndex, p.errorCode])).toEqual([
        [0, KafkaErrorCode.OFFSET_OUT_OF_RANGE],
        [9, KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      const none = await c.send(Fetch, fetchBody('nowhere', [{}]), NAMED);
      expect(none.responses[0]?.partitions[0]?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });
  });
});

/**
 * A partition whose high watermark advances while the handler's first read is in flight: the
 * produce lands after the read saw the old watermark but before the long poll starts listening.
 */
class TestRacingPartition implements PartitionHandle {
  readonly topic = 'race';
  readonly partition = 0;
  readonly leaderEpoch = 0;
  readonly logStartOffset = 0n;
  readonly #listeners = new Set<() => void>();
  readonly #records: Buffer;
  highWatermark = 0n;
  reads = 0;

  constructor(records: Buffer) {
    this.#records = records;
  }

  get lastStableOffset(): bigint {
    return this.highWatermark;
  }
  get logEndOffset(): bigint {
    return this.highWatermark;
  }

  read(request: ReadRequest): Promise<ReadResult> {
    this.reads++;
    const seen = this.highWatermark;
    if (this.reads === 1) {
      // The concurrent append completes now: nobody is listening yet.
      this.highWatermark = 1n;
      for (const l of this.#listeners) l();
    }
    const records = request.offset < seen ? this.#records : Buffer.alloc(0);
    return Promise.resolve({ errorCode: 0, highWatermark: seen, lastStableOffset: seen, logStartOffset: 0n, records, abortedTransactions: null });
  }

  onHighWatermark(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  append(): never {
    throw new Error('not used');
  }
  writeTxnMarker(): never {
    throw new Error('not used');
  }
  describeProducers(): never {
    throw new Error('not used');
  }
  listOffset(): never {
    throw new Error('not used');
  }
  deleteRecordsBefore(): never {
    throw new Error('not used');
  }
  endOffsetForEpoch(): never {
    throw new Error('not used');
  }
}

describe('Fetch long poll against a racing append', () => {
  it('does not miss a high-watermark advance that happens during its read', async () => {
    const handle = new TestRacingPartition(await recordBatch(1));
    const topic = { name: 'race', topicId: '11111111-2222-3333-4444-555555555555' };
    const services = {
      coordinator: { topic: () => topic, topicById: () => topic },
      partition: () => ({ ok: true, handle, topic }),
      partitionById: () => ({ ok: true, handle, topic }),
      metrics: new BrokerMetrics(metrics.getMeter('test'), () => []),
    } as unknown as BrokerServices;
    const ctx = {
      header: { apiKey: 1, apiVersion: NAMED, correlationId: 1, clientId: 'test' },
      apiVersion: NAMED,
      services,
      remote: 'test',
      signal: new AbortController().signal,
      closeConnection: () => undefined,
    } as RequestContext;
    const request = { ...fetchBody('race', [{}], { maxWaitMs: 4_000, minBytes: 1 }), clusterId: null, replicaState: { replicaId: -1, replicaEpoch: -1n } } as unknown as RequestOf<typeof Fetch>;
    const started = Date.now();
    const res = (await fetchHandler.handle(request, ctx)) as { responses: { partitions: { records: Buffer }[] }[] };
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(handle.reads).toBe(2);
    expect(res.responses[0]?.partitions[0]?.records.length).toBeGreaterThan(0);
  });
});
