/**
 * Reads a whole partition with raw Fetch requests through @oxbow/protocol and checks the bytes
 * the broker returns, not just what a client library tolerates: every complete batch's CRC is
 * verified, batches must follow each other without offset gaps, and an incomplete trailing batch
 * is accepted only where Kafka may send one (the response hit the partition's byte limit).
 */
import { decodeRecordBatch, Fetch, scanBatches, type KafkaRecord } from '@oxbow/protocol';
import type { KafkaClient } from '@oxbow/node';

/** Fetch v12: the newest version that names topics instead of using topic ids. */
const FETCH_VERSION = 12;

export interface RawPartitionRead {
  readonly records: KafkaRecord[];
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
  readonly batches: number;
  readonly partialTails: number;
}

export async function readPartitionRaw(client: KafkaClient, topic: string, partition: number, from = 0n, partitionMaxBytes = 1024 * 1024): Promise<RawPartitionRead> {
  const records: KafkaRecord[] = [];
  let next = from;
  let batches = 0;
  let partialTails = 0;
  for (let idle = 0; ; ) {
    const res = await client.send(
      Fetch,
      {
        replicaId: -1,
        maxWaitMs: 50,
        minBytes: 1,
        maxBytes: 64 * 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: next, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes }] }],
        forgottenTopicsData: [],
        rackId: '',
      },
      FETCH_VERSION,
    );
    const p = res.responses[0]?.partitions[0];
    if (p === undefined) throw new Error(`no partition in the Fetch response for ${topic}-${partition}`);
    if (p.errorCode !== 0) throw new Error(`Fetch ${topic}-${partition} at ${next}: error ${p.errorCode}`);
    const bytes = p.records ?? Buffer.alloc(0);
    const views = scanBatches(bytes, { verifyCrc: true, allowPartialTail: true });
    const used = views.reduce((n, v) => n + v.size, 0);
    if (used < bytes.length) {
      partialTails++;
      if (bytes.length < partitionMaxBytes) {
        throw new Error(`${topic}-${partition} at ${next}: ${bytes.length - used} B of an incomplete batch in a ${bytes.length} B response below the ${partitionMaxBytes} B limit`);
      }
    }
    let progressed = false;
    for (const view of views) {
      const batch = await decodeRecordBatch(view, { verifyCrc: true });
      batches++;
      const last = batch.baseOffset + BigInt(batch.lastOffsetDelta);
      if (last < next) continue;
      if (batch.baseOffset > next) throw new Error(`${topic}-${partition}: offset gap, expected ${next}, batch starts at ${batch.baseOffset}`);
      if (batch.records.length !== batch.lastOffsetDelta + 1) throw new Error(`${topic}-${partition}: batch at ${batch.baseOffset} has ${batch.records.length} records but last offset delta ${batch.lastOffsetDelta}`);
      for (const r of batch.records) {
        if (r.offset < next) continue;
        if (r.offset !== next) throw new Error(`${topic}-${partition}: offset gap, expected ${next}, got ${r.offset}`);
        records.push(r);
        next++;
        progressed = true;
      }
    }
    if (next >= p.highWatermark) return { records, highWatermark: p.highWatermark, logStartOffset: p.logStartOffset, batches, partialTails };
    idle = progressed ? 0 : idle + 1;
    if (idle > 20) throw new Error(`no progress reading ${topic}-${partition} at ${next} (high watermark ${p.highWatermark})`);
  }
}
