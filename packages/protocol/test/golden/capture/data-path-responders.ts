/**
 * Capture-server responders for the data path: Produce appends batches to the partition logs (with
 * their base offsets rewritten), Fetch serves them back (waiting a little for data), and
 * ListOffsets / OffsetForLeaderEpoch answer from the logs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Fetch, ListOffsets, OffsetForLeaderEpoch, Produce, scanBatches } from '../../../src/index.js';
import type { FakeCluster, Topic } from './fake-cluster.js';
import type { On } from './handlers.js';

/** Cap on how long a Fetch that finds no data waits before answering. */
const MAX_FETCH_WAIT_MS = 100;

export function registerDataPathResponders(on: On, cluster: FakeCluster): void {
  const { topics, topic, topicById } = cluster;

  on(Produce, (b, _v, _req, respond) => {
    const responses = b.topicData.map((td) => {
      const t = topic(td.name);
      return {
        name: td.name,
        partitionResponses: td.partitionData.map((pd) => {
          const p = t.partitions[pd.index];
          if (p === undefined) return { index: pd.index, errorCode: 3, baseOffset: -1n };
          const base = p.highWatermark;
          for (const view of scanBatches(pd.records ?? Buffer.alloc(0))) {
            const bytes = Buffer.from(view.bytes());
            bytes.writeBigInt64BE(p.highWatermark, 0);
            const next = p.highWatermark + BigInt(view.lastOffsetDelta) + 1n;
            p.batches.push({ baseOffset: p.highWatermark, nextOffset: next, bytes });
            p.highWatermark = next;
          }
          return { index: pd.index, errorCode: 0, baseOffset: base, logAppendTimeMs: -1n, logStartOffset: p.logStartOffset };
        }),
      };
    });
    if (b.acks === 0) return null;
    return respond(Produce, { responses, throttleTimeMs: 0 });
  });

  on(Fetch, async (b, v, _req, respond) => {
    const resolve = (tt: { topic: string; topicId: string }): Topic | undefined => (v >= 13 ? topicById(tt.topicId) : topics.get(tt.topic));
    const hasData = (): boolean =>
      b.topics.some((tt) => {
        const t = resolve(tt);
        return tt.partitions.some((pp) => {
          const p = t?.partitions[pp.partition];
          return p !== undefined && pp.fetchOffset < p.highWatermark;
        });
      });
    if (!hasData() && b.maxWaitMs > 0) await sleep(Math.min(b.maxWaitMs, MAX_FETCH_WAIT_MS));
    let budget = b.maxBytes;
    return respond(Fetch, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: b.topics.map((tt) => {
        const t = resolve(tt);
        return {
          topic: tt.topic,
          topicId: tt.topicId,
          partitions: tt.partitions.map((pp) => {
            const p = t?.partitions[pp.partition];
            if (p === undefined) {
              return { partitionIndex: pp.partition, errorCode: 3, highWatermark: -1n, abortedTransactions: null, records: null };
            }
            const out: Buffer[] = [];
            let size = 0;
            for (const batch of p.batches) {
              if (batch.nextOffset <= pp.fetchOffset) continue;
              if (out.length > 0 && (size + batch.bytes.length > pp.partitionMaxBytes || size + batch.bytes.length > budget)) break;
              out.push(batch.bytes);
              size += batch.bytes.length;
            }
            budget -= size;
            return {
              partitionIndex: pp.partition,
              errorCode: pp.fetchOffset > p.highWatermark ? 1 : 0,
              highWatermark: p.highWatermark,
              lastStableOffset: p.highWatermark,
              logStartOffset: p.logStartOffset,
              abortedTransactions: [],
              preferredReadReplica: -1,
              records: Buffer.concat(out),
            };
          }),
        };
      }),
    });
  });

  on(ListOffsets, (b, v, _req, respond) =>
    respond(ListOffsets, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => {
          const p = topics.get(tt.name)?.partitions[pp.partitionIndex];
          if (p === undefined) return { partitionIndex: pp.partitionIndex, errorCode: 3 };
          const offset = pp.timestamp === -2n ? p.logStartOffset : p.highWatermark;
          return v === 0
            ? { partitionIndex: pp.partitionIndex, errorCode: 0, oldStyleOffsets: [offset] }
            : { partitionIndex: pp.partitionIndex, errorCode: 0, timestamp: -1n, offset, leaderEpoch: v >= 4 ? 0 : -1 };
        }),
      })),
    }),
  );

  on(OffsetForLeaderEpoch, (b, _v, _req, respond) =>
    respond(OffsetForLeaderEpoch, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        topic: tt.topic,
        partitions: tt.partitions.map((pp) => {
          const p = topics.get(tt.topic)?.partitions[pp.partition];
          return p === undefined
            ? { errorCode: 3, partition: pp.partition, leaderEpoch: -1, endOffset: -1n }
            : { errorCode: 0, partition: pp.partition, leaderEpoch: 0, endOffset: p.highWatermark };
        }),
      })),
    }),
  );
}
