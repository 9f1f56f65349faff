/**
 * kafkajs 2.2.4 against one real Oxbow node: produce and read back. kafkajs's producer sends
 * 10,000 varied records; reads use kafkajs's own Broker object (Fetch, ListOffsets), because its
 * public consumer always joins a consumer group. Every record sent is kept in a per-partition
 * manifest and read back byte for byte; offsets by timestamp are checked against what the data
 * says Kafka would answer. Topic admin and error paths: kafkajs-topic-admin / kafkajs-errors.
 */
import type { Admin, Producer } from 'kafkajs';
import { ListOffsets } from '@oxbow/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerProcess } from '../support/broker-process.js';
import type { KafkajsBroker, KafkajsRecord } from '../support/kafkajs-broker.js';
import { readPartitionRaw } from '../support/raw-log-reader.js';
import { fromKafkajs, fromProtocol, sequenceDiff, type SentRecord } from '../support/record-manifest.js';
import { seedFromEnv, seededRandom } from '../support/seeded-random.js';
import { KafkaClient as WireClient } from '@oxbow/node';
import { createOrdersTopic, MiB, PARTITIONS, produceRecords, startKafkajsNode, stopKafkajsNode, TOPIC } from './kafkajs-setup.js';

const RECORDS = 10_000;

const seed = seedFromEnv();
const rng = seededRandom(seed);

let broker: BrokerProcess;
let admin: Admin;
let producer: Producer;
let low: KafkajsBroker;
/** Every record sent to TOPIC, per partition, in offset order. */
const manifest: SentRecord[][] = Array.from({ length: PARTITIONS }, () => []);

/** Reads a partition from `from` to its high watermark with kafkajs's Fetch. */
async function readPartition(topic: string, partition: number, from: bigint, maxBytes?: number): Promise<{ records: KafkajsRecord[]; firstBatchStart: bigint | null }> {
  const records: KafkajsRecord[] = [];
  let next = from;
  let firstBatchStart: bigint | null = null;
  for (let idle = 0; ; ) {
    const r = await low.fetch(topic, partition, next, maxBytes === undefined ? {} : { maxBytes });
    expect(r.errorCode).toBe(0);
    if (firstBatchStart === null && r.messages.length > 0) firstBatchStart = BigInt((r.messages[0] as KafkajsRecord).offset);
    // A fetch returns whole batches; like kafkajs's consumer, skip records before the fetch offset.
    const fresh = r.messages.filter((m) => BigInt(m.offset) >= next);
    for (const m of fresh) {
      expect(BigInt(m.offset), `offset gap in ${topic}-${partition}`).toBe(next);
      records.push(m);
      next += 1n;
    }
    if (next >= r.highWatermark) return { records, firstBatchStart };
    idle = fresh.length === 0 ? idle + 1 : 0;
    if (idle > 20) throw new Error(`no progress reading ${topic}-${partition} at ${next} (high watermark ${r.highWatermark})`);
  }
}

function expectedOffsetForTimestamp(records: readonly SentRecord[], t: bigint): bigint {
  const i = records.findIndex((r) => r.timestamp >= t);
  return i < 0 ? -1n : BigInt(i);
}

beforeAll(async () => {
  console.log(`kafkajs e2e seed ${seed} (replay with SEED=${seed})`);
  ({ broker, admin, producer, low } = await startKafkajsNode());
});

afterAll(async () => {
  await stopKafkajsNode({ broker, admin, producer, low });
});

describe('kafkajs against a single node', () => {
  it('creates a topic with configs and lists it', async () => {
    const created = await createOrdersTopic(admin);
    expect(created).toBe(true);
    expect(await admin.listTopics()).toContain(TOPIC);
    const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    expect(meta.topics).toHaveLength(1);
    const partitions = [...(meta.topics[0]?.partitions ?? [])].sort((a, b) => a.partitionId - b.partitionId);
    expect(partitions.map((p) => [p.partitionId, p.leader, p.partitionErrorCode])).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
    ]);
  });

  it('produces 10,000 varied records with acks 0/1/all and None/GZIP', async () => {
    const { produced, sends, acksUsed, compressionsUsed, ackedChecks } = await produceRecords(producer, manifest, rng, RECORDS);
    expect([...acksUsed].sort()).toEqual([-1, 0, 1]);
    expect(compressionsUsed.size).toBe(2);
    const all = manifest.flat();
    expect(all.some((r) => r.value?.length === MiB) && all.some((r) => r.value?.length === 0) && all.some((r) => r.value === null)).toBe(true);
    // Acknowledged base offsets follow every earlier send on the connection, acks=0 ones included.
    expect(ackedChecks.filter((c) => c.baseOffset !== String(c.expected))).toEqual([]);
    const sizes = manifest.flat().map((r) => r.value?.length ?? -1);
    console.log(
      `sent ${produced} records in ${sends} sends: per partition ${manifest.map((m) => m.length).join('/')}, ` +
        `${sizes.filter((s) => s === -1).length} tombstones, ${manifest.flat().filter((r) => r.key === null).length} null keys, ` +
        `largest ${Math.max(...sizes)} B, ${(sizes.reduce((a, b) => a + Math.max(b, 0), 0) / MiB).toFixed(1)} MiB of values`,
    );
  });

  it('reads every record back byte for byte with kafkajs Fetch', async () => {
    for (let p = 0; p < PARTITIONS; p++) {
      const expected = manifest[p] as SentRecord[];
      const { records } = await readPartition(TOPIC, p, 0n);
      expect(records.every((r) => !r.isControlRecord)).toBe(true);
      expect(sequenceDiff(expected, records.map(fromKafkajs)), `partition ${p}`).toEqual([]);
    }
    // kafkajs does not check batch CRCs; read the same bytes raw and verify every one.
    const wire = await WireClient.connect(broker.bootstrap, { clientId: 'oxbow-e2e-wire' });
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        const raw = await readPartitionRaw(wire, TOPIC, p, 0n, 4 * MiB);
        expect(sequenceDiff(manifest[p] as SentRecord[], raw.records.map(fromProtocol)), `partition ${p} (raw)`).toEqual([]);
      }
    } finally {
      wire.close();
    }
  });

  it('answers ListOffsets latest/earliest and by timestamp as the data says', async () => {
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    expect(offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, o.low, o.high, o.offset])).toEqual(
      manifest.map((m, p) => [p, '0', String(m.length), String(m.length)]),
    );
    const all = manifest.flat().map((r) => r.timestamp);
    const minTs = all.reduce((a, b) => (b < a ? b : a));
    const maxTs = all.reduce((a, b) => (b > a ? b : a));
    const probes = [minTs - 1n, minTs, maxTs, maxTs + 1n];
    for (const m of manifest) probes.push(m.reduce((a, r) => (r.timestamp > a ? r.timestamp : a), -1n));
    for (let i = 0; i < 8; i++) probes.push(minTs + BigInt(Math.floor(rng.next() * Number(maxTs - minTs))));
    for (let i = 0; i < 4; i++) probes.push(rng.pick(manifest[rng.int(0, PARTITIONS - 1)] as SentRecord[]).timestamp);
    for (const t of probes) {
      const got = (await admin.fetchTopicOffsetsByTimestamp(TOPIC, Number(t))).sort((a, b) => a.partition - b.partition);
      // kafkajs replaces "no such record" (-1) by the high watermark.
      const want = manifest.map((m, p) => {
        const o = expectedOffsetForTimestamp(m, t);
        return { partition: p, offset: String(o < 0n ? BigInt(m.length) : o) };
      });
      expect(got, `offsets for timestamp ${t}`).toEqual(want);
    }
    // The raw answer past the newest timestamp is -1, as in Kafka.
    expect(await low.listOffset(TOPIC, 0, maxTs + 1n)).toBe(-1n);
    expect(await low.listOffset(TOPIC, 1, -2n)).toBe(0n);
    expect(await low.listOffset(TOPIC, 1, -1n)).toBe(BigInt((manifest[1] as SentRecord[]).length));
  });

  it('answers ListOffsets max-timestamp (-3) with the first record holding the largest timestamp', async () => {
    const wire = await WireClient.connect(broker.bootstrap, { clientId: 'oxbow-e2e-wire' });
    try {
      const version = wire.versionFor(ListOffsets);
      expect(version).toBeGreaterThanOrEqual(7);
      const res = await wire.send(ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: TOPIC, partitions: manifest.map((_, p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: -3n })) }],
        timeoutMs: 5000,
      });
      const got = (res.topics[0]?.partitions ?? []).map((p) => [p.partitionIndex, p.errorCode, p.offset, p.timestamp]);
      const want = manifest.map((m, p) => {
        const max = m.reduce((a, r) => (r.timestamp > a ? r.timestamp : a), -1n);
        return [p, 0, BigInt(m.findIndex((r) => r.timestamp === max)), max];
      });
      expect(got).toEqual(want);
    } finally {
      wire.close();
    }
  });

  it('seeks: a fetch from a middle offset returns exactly the records from there on', async () => {
    for (let p = 0; p < PARTITIONS; p++) {
      const expected = manifest[p] as SentRecord[];
      const from = BigInt(Math.floor(expected.length / 2) + rng.int(-50, 50));
      const { records, firstBatchStart } = await readPartition(TOPIC, p, from);
      // Whole batches come back, so the first one may start before the seek offset, never after it.
      expect(firstBatchStart !== null && firstBatchStart <= from).toBe(true);
      expect(sequenceDiff(expected.slice(Number(from)), records.map(fromKafkajs), from), `partition ${p} from ${from}`).toEqual([]);
    }
    // A tiny per-partition limit: the broker still returns the first batch whole, so a reader
    // makes progress through batches far larger than the limit (and any truncated tail is ignored).
    const tail = BigInt((manifest[2] as SentRecord[]).length - 400);
    const { records: small } = await readPartition(TOPIC, 2, tail, 1000);
    expect(sequenceDiff((manifest[2] as SentRecord[]).slice(Number(tail)), small.map(fromKafkajs), tail)).toEqual([]);
  });
});
