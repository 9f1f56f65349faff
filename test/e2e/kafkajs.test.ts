/**
 * kafkajs 2.2.4 against one real Oxbow node. The producer and admin are kafkajs's public API;
 * reads use kafkajs's own Broker object (Fetch, ListOffsets), because its public consumer always
 * joins a consumer group. Every record sent is kept in a per-partition manifest and read back byte
 * for byte; offsets by timestamp are checked against what the data says Kafka would answer.
 */
import kafkajs, { type Admin, type Kafka as KafkaClient, type Message, type Producer } from 'kafkajs';
import { encodeRecordBatch, IncrementalAlterConfigs, KafkaErrorCode, ListOffsets, Produce } from '@oxbow/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../support/broker-process.js';
import { connectKafkajsBroker, type KafkajsBroker, type KafkajsRecord } from '../support/kafkajs-broker.js';
import { readPartitionRaw } from '../support/raw-log-reader.js';
import { fromKafkajs, fromProtocol, sequenceDiff, toKafkajsHeaders, type SentRecord } from '../support/record-manifest.js';
import { seedFromEnv, seededRandom, type SeededRandom } from '../support/seeded-random.js';
import { KafkaClient as WireClient } from '@oxbow/node';

const { Kafka, logLevel, CompressionTypes, ConfigResourceTypes, Partitioners } = kafkajs;

const TOPIC = 'kjs-orders';
const PARTITIONS = 3;
const RECORDS = 10_000;
const MiB = 1024 * 1024;
const RESOURCE_TOPIC = 2;
const CONFIG_SOURCE = { DYNAMIC_TOPIC_CONFIG: 1, DEFAULT_CONFIG: 5 } as const;

const seed = seedFromEnv();
const rng = seededRandom(seed);

let broker: BrokerProcess;
let kafka: KafkaClient;
let admin: Admin;
let producer: Producer;
let low: KafkajsBroker;
/** Every record sent to TOPIC, per partition, in offset order. */
const manifest: SentRecord[][] = Array.from({ length: PARTITIONS }, () => []);

function valueSize(r: SeededRandom): number {
  const roll = r.next();
  if (roll < 0.01) return 0;
  if (roll < 0.8) return r.int(1, 200);
  if (roll < 0.96) return r.int(200, 10_000);
  if (roll < 0.998) return r.int(10_000, 64 * 1024);
  return r.int(512 * 1024, MiB);
}

function randomRecord(r: SeededRandom, now: number): SentRecord {
  const keyRoll = r.next();
  const key = keyRoll < 0.05 ? null : keyRoll < 0.06 ? Buffer.alloc(0) : r.bytes(r.int(1, 64));
  const value = r.chance(0.02) ? null : r.bytes(valueSize(r));
  const headers: (readonly [string, Buffer])[] = [];
  const kinds = r.int(0, 3);
  for (let h = 0; h < kinds; h++) {
    const name = `h-${r.pick(['trace', 'source', 'empty', 'bin', 'ütf8'])}-${h}`;
    const copies = r.chance(0.3) ? r.int(2, 3) : 1;
    for (let c = 0; c < copies; c++) headers.push([name, name.includes('empty') ? Buffer.alloc(0) : r.bytes(r.int(1, 40))]);
  }
  // Not monotonic: anywhere in the last six hours or up to ten minutes ahead (13 digits: kafkajs
  // sorts batch timestamps as strings).
  const timestamp = BigInt(now - 6 * 3600_000 + r.int(0, 6 * 3600_000 + 600_000));
  return { key, value, headers, timestamp };
}

function toMessage(rec: SentRecord, partition: number): Message {
  return { partition, key: rec.key, value: rec.value, headers: toKafkajsHeaders(rec.headers), timestamp: rec.timestamp.toString() };
}

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

async function describeTopic(topic: string): Promise<Map<string, { value: string | null; source: number; isDefault: boolean }>> {
  const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
  const entries = res.resources[0]?.configEntries ?? [];
  return new Map(entries.map((e) => [e.configName, { value: e.configValue, source: (e as unknown as { configSource: number }).configSource, isDefault: e.isDefault }]));
}

beforeAll(async () => {
  console.log(`kafkajs e2e seed ${seed} (replay with SEED=${seed})`);
  broker = await startBroker();
  kafka = new Kafka({ clientId: 'oxbow-e2e-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  low = await connectKafkajsBroker(broker.bootstrap);
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await low?.disconnect();
  await broker?.cleanup();
});

describe('kafkajs against a single node', () => {
  it('creates a topic with configs and lists it', async () => {
    const created = await admin.createTopics({
      topics: [
        {
          topic: TOPIC,
          numPartitions: PARTITIONS,
          replicationFactor: 1,
          configEntries: [
            { name: 'max.message.bytes', value: String(2 * MiB) },
            { name: 'segment.bytes', value: String(4 * MiB) },
            { name: 'retention.ms', value: '259200000' },
          ],
        },
      ],
    });
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
    const now = Date.now();
    const acksUsed = new Set<number>();
    const compressionsUsed = new Set<number>();
    let produced = 0;
    let sends = 0;
    const ackedChecks: { partition: number; baseOffset: string; expected: number }[] = [];
    while (produced < RECORDS) {
      const target = Math.min(RECORDS - produced, rng.int(1, 300));
      const perPartitionBytes = [0, 0, 0];
      const messages: Message[] = [];
      const firstIndex = manifest.map((m) => m.length);
      for (let i = 0; i < target; i++) {
        // One value of exactly 1 MiB for sure; the rest follow valueSize.
        const rec = sends === 5 && i === 0 ? { ...randomRecord(rng, now), value: rng.bytes(MiB) } : randomRecord(rng, now);
        const partition = rng.int(0, PARTITIONS - 1);
        const size = (rec.value?.length ?? 0) + 200;
        // Keep every partition's batch under the topic's 2 MiB max.message.bytes.
        if (messages.length > 0 && (perPartitionBytes[partition] as number) + size > 1.5 * MiB) break;
        perPartitionBytes[partition] = (perPartitionBytes[partition] as number) + size;
        manifest[partition]?.push(rec);
        messages.push(toMessage(rec, partition));
      }
      produced += messages.length;
      sends++;
      // The last send waits for all so the acks=0 sends before it are known to be appended.
      const acks = produced >= RECORDS ? -1 : rng.pick([-1, 1, 0]);
      const compression = rng.pick([CompressionTypes.None, CompressionTypes.GZIP]);
      acksUsed.add(acks);
      compressionsUsed.add(compression);
      const result = await producer.send({ topic: TOPIC, messages, acks, compression, timeout: 30_000 });
      if (acks === 0) {
        expect(result).toEqual([]);
        continue;
      }
      for (const r of result) {
        expect(r.errorCode).toBe(0);
        ackedChecks.push({ partition: r.partition, baseOffset: String(r.baseOffset), expected: firstIndex[r.partition] as number });
      }
    }
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

  it('describes and alters topic configs (legacy and incremental)', async () => {
    let configs = await describeTopic(TOPIC);
    expect(configs.get('max.message.bytes')).toEqual({ value: String(2 * MiB), source: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG, isDefault: false });
    expect(configs.get('segment.bytes')).toEqual({ value: String(4 * MiB), source: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG, isDefault: false });
    expect(configs.get('retention.ms')).toEqual({ value: '259200000', source: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG, isDefault: false });
    expect(configs.get('cleanup.policy')).toEqual({ value: 'delete', source: CONFIG_SOURCE.DEFAULT_CONFIG, isDefault: true });
    const withSynonyms = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['max.message.bytes'] }] });
    const entry = withSynonyms.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes') as unknown as { configSynonyms: { configName: string; configValue: string; configSource: number }[] };
    expect(entry.configSynonyms).toEqual([
      { configName: 'max.message.bytes', configValue: String(2 * MiB), configSource: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG },
      { configName: 'message.max.bytes', configValue: '1048588', configSource: CONFIG_SOURCE.DEFAULT_CONFIG },
    ]);

    // Legacy AlterConfigs replaces the whole set: keys not named go back to their defaults.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '86400000' }, { name: 'max.message.bytes', value: String(2 * MiB) }] }],
    });
    configs = await describeTopic(TOPIC);
    expect(configs.get('retention.ms')).toMatchObject({ value: '86400000', isDefault: false });
    expect(configs.get('max.message.bytes')).toMatchObject({ value: String(2 * MiB), isDefault: false });
    expect(configs.get('segment.bytes')).toMatchObject({ value: '1073741824', isDefault: true });

    await expect(
      admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }),
    ).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    expect((await describeTopic(TOPIC)).get('retention.ms')).toMatchObject({ value: '86400000' });

    // IncrementalAlterConfigs (kafkajs has none) through our codec: SET and DELETE touch only their keys.
    const wire = await WireClient.connect(broker.bootstrap, { clientId: 'oxbow-e2e-wire' });
    try {
      const ok = await wire.send(IncrementalAlterConfigs, {
        validateOnly: false,
        resources: [{ resourceType: RESOURCE_TOPIC, resourceName: TOPIC, configs: [{ name: 'retention.ms', configOperation: 0, value: '43200000' }, { name: 'segment.bytes', configOperation: 0, value: String(8 * MiB) }] }],
      });
      expect(ok.responses.map((r) => r.errorCode)).toEqual([0]);
      const del = await wire.send(IncrementalAlterConfigs, {
        validateOnly: false,
        resources: [{ resourceType: RESOURCE_TOPIC, resourceName: TOPIC, configs: [{ name: 'segment.bytes', configOperation: 1, value: null }] }],
      });
      expect(del.responses.map((r) => r.errorCode)).toEqual([0]);
      for (const [name, value] of [
        ['max.message.bytes', '-5'],
        ['no.such.config', '1'],
      ] as const) {
        const bad = await wire.send(IncrementalAlterConfigs, {
          validateOnly: false,
          resources: [{ resourceType: RESOURCE_TOPIC, resourceName: TOPIC, configs: [{ name, configOperation: 0, value }] }],
        });
        expect(bad.responses[0]?.errorCode, name).toBe(KafkaErrorCode.INVALID_CONFIG);
        expect(bad.responses[0]?.errorMessage ?? '', name).toContain(name);
      }
    } finally {
      wire.close();
    }
    configs = await describeTopic(TOPIC);
    expect(configs.get('retention.ms')).toMatchObject({ value: '43200000', isDefault: false });

    // A changed max.message.bytes applies to the next produce on the running partition.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '43200000' }, { name: 'max.message.bytes', value: '1000' }] }],
    });
    const probe = { partition: 1, value: Buffer.alloc(3000, 7), timestamp: String(Date.now()) };
    await expect(producer.send({ topic: TOPIC, acks: 1, messages: [probe] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '43200000' }, { name: 'max.message.bytes', value: String(2 * MiB) }] }],
    });
    const [accepted] = await producer.send({ topic: TOPIC, acks: 1, messages: [probe] });
    expect(accepted).toMatchObject({ errorCode: 0, baseOffset: String((manifest[1] as SentRecord[]).length) });
    (manifest[1] as SentRecord[]).push({ key: null, value: probe.value, headers: [], timestamp: BigInt(probe.timestamp) });
    configs = await describeTopic(TOPIC);
    expect(configs.get('segment.bytes')).toMatchObject({ value: '1073741824', isDefault: true });
    expect(configs.get('max.message.bytes')).toMatchObject({ value: String(2 * MiB), isDefault: false });
  });

  it('deleteRecords moves the low watermark; fetch below it is OFFSET_OUT_OF_RANGE', async () => {
    await admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: '100' }] });
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    expect(offsets.find((o) => o.partition === 0)).toMatchObject({ low: '100', high: String((manifest[0] as SentRecord[]).length) });
    expect(offsets.find((o) => o.partition === 1)).toMatchObject({ low: '0' });
    await expect(low.fetch(TOPIC, 0, 50n)).rejects.toMatchObject({ type: 'OFFSET_OUT_OF_RANGE' });
    const fromLow = await low.fetch(TOPIC, 0, 100n);
    expect(fromLow.logStartOffset).toBe(100n);
    const first = fromLow.messages.find((m) => BigInt(m.offset) >= 100n);
    expect(first?.offset).toBe('100');
    expect(sequenceDiff([(manifest[0] as SentRecord[])[100] as SentRecord], [fromKafkajs(first as KafkajsRecord)], 100n)).toEqual([]);
    // ListOffsets answers from the new log start: earliest is 100, and a timestamp older than
    // every record finds offset 100, not a deleted one.
    expect(await low.listOffset(TOPIC, 0, -2n)).toBe(100n);
    const oldest = (manifest[0] as SentRecord[]).reduce((a, r) => (r.timestamp < a ? r.timestamp : a), BigInt(Number.MAX_SAFE_INTEGER));
    expect(await low.listOffset(TOPIC, 0, oldest)).toBe(100n);
    const mid = ((manifest[0] as SentRecord[])[150] as SentRecord).timestamp;
    const want = (manifest[0] as SentRecord[]).findIndex((r, i) => i >= 100 && r.timestamp >= mid);
    expect(await low.listOffset(TOPIC, 0, mid)).toBe(BigInt(want));
  });

  it('createPartitions grows the topic; the new partition takes records', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 5 }] });
    const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    expect((meta.topics[0]?.partitions ?? []).map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3, 4]);
    // kafkajs's producer keeps its metadata (metadataMaxAge) and drops messages for partitions it
    // does not know yet, so a new producer sends to the new partition.
    const fresh = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await fresh.connect();
    const [result] = await fresh.send({ topic: TOPIC, acks: -1, messages: [{ partition: 4, key: 'k', value: 'first in p4' }] });
    await fresh.disconnect();
    expect(result).toMatchObject({ partition: 4, errorCode: 0, baseOffset: '0' });
    const read = await low.fetch(TOPIC, 4, 0n);
    expect(read.messages.map((m) => m.value?.toString())).toEqual(['first in p4']);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 2 }] })).rejects.toMatchObject({ type: 'INVALID_PARTITIONS' });
  });

  it('rejects bad requests with Kafka error codes', async () => {
    for (const bad of ['bad/name', 'has space', '..', 'x'.repeat(250)]) {
      await expect(admin.createTopics({ topics: [{ topic: bad, numPartitions: 1 }] }), bad).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_TOPIC_EXCEPTION' })],
      });
    }
    // kafkajs's admin turns TOPIC_ALREADY_EXISTS into `false`; the raw request shows the code.
    expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] })).toBe(false);
    await expect(low.raw.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }] })).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'TOPIC_ALREADY_EXISTS' })],
    });

    // A batch above max.message.bytes (2 MiB here; 1 MiB + 12 B on a default topic).
    await expect(producer.send({ topic: TOPIC, acks: 1, messages: [{ partition: 0, value: Buffer.alloc(2 * MiB + 1000, 1) }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    await admin.createTopics({ topics: [{ topic: 'kjs-default', numPartitions: 1 }] });
    await expect(producer.send({ topic: 'kjs-default', acks: -1, messages: [{ partition: 0, value: Buffer.alloc(MiB + 100, 2) }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    const before = await low.fetch(TOPIC, 0, BigInt((manifest[0] as SentRecord[]).length));
    expect(before.highWatermark).toBe(BigInt((manifest[0] as SentRecord[]).length));

    // kafkajs's producer only sends to partitions it knows, so these go through its Broker object.
    const produceTo = (topic: string, partition: number): Promise<unknown> =>
      low.raw.produce({ acks: 1, timeout: 5000, topicData: [{ topic, partitions: [{ partition, messages: [{ key: 'k', value: 'v' }] }] }] });
    await expect(produceTo(TOPIC, 7)).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(produceTo('kjs-no-such-topic', 0)).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(low.fetch(TOPIC, 9, 0n)).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    // acks=0 has no response to carry an error, so Kafka closes the connection instead; a
    // successful acks=0 produce leaves it open.
    const batch = await encodeRecordBatch({ records: [{ timestamp: BigInt(Date.now()), key: null, value: Buffer.from('acks0') }] });
    const acks0 = (partition: number) => ({ transactionalId: null, acks: 0, timeoutMs: 5000, topicData: [{ name: 'kjs-default', partitionData: [{ index: partition, records: batch }] }] });
    const wire = await WireClient.connect(broker.bootstrap, { clientId: 'oxbow-e2e-wire' });
    wire.sendOneWay(Produce, acks0(0));
    expect(await wire.closedWithin(500)).toBe(false);
    wire.sendOneWay(Produce, acks0(5));
    expect(await wire.closedWithin(5000)).toBe(true);
    wire.close();

    // As in Kafka, Produce does not auto-create topics (only Metadata does).
    expect(await admin.listTopics()).not.toContain('kjs-no-such-topic');

    // Offsets past the log end, and requests naming unknown topics (raw: kafkajs's admin retries these).
    const end = BigInt((manifest[1] as SentRecord[]).length);
    expect((await low.fetch(TOPIC, 1, end)).messages).toEqual([]);
    await expect(low.fetch(TOPIC, 1, end + 10n)).rejects.toMatchObject({ type: 'OFFSET_OUT_OF_RANGE' });
    await expect(low.raw.deleteRecords({ topics: [{ topic: TOPIC, partitions: [{ partition: 1, offset: String(end + 10n) }] }] })).rejects.toMatchObject({
      partitions: [expect.objectContaining({ partition: 1, error: expect.objectContaining({ type: 'OFFSET_OUT_OF_RANGE' }) })],
    });
    await expect(low.raw.deleteTopics({ topics: ['kjs-no-such-topic'] })).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(low.raw.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-no-such-topic' }] })).rejects.toMatchObject({
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });

    // CreateTopics validation: configs, partition count, replication factor on one node, validateOnly.
    const createError = async (topic: object): Promise<string> => {
      try {
        await admin.createTopics({ topics: [{ topic: 'kjs-invalid', ...topic }] });
        return 'created';
      } catch (err) {
        return (err as { errors?: { type: string }[] }).errors?.[0]?.type ?? String(err);
      }
    };
    expect(await createError({ numPartitions: 1, configEntries: [{ name: 'retention.ms', value: 'forever' }] })).toBe('INVALID_CONFIG');
    expect(await createError({ numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'shred' }] })).toBe('INVALID_CONFIG');
    expect(await createError({ numPartitions: 0 })).toBe('INVALID_PARTITIONS');
    expect(await createError({ numPartitions: 1, replicationFactor: 3 })).toBe('INVALID_REPLICATION_FACTOR');
    expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'kjs-validate-only', numPartitions: 2 }] })).toBe(true);
    expect(await admin.listTopics()).not.toContain('kjs-validate-only');
    expect(await admin.listTopics()).not.toContain('kjs-invalid');
  });

  it('deleteTopics removes the topic; a new topic of that name starts empty', async () => {
    await admin.deleteTopics({ topics: [TOPIC, 'kjs-default'] });
    const topics = await admin.listTopics();
    expect(topics).not.toContain(TOPIC);
    expect(topics).not.toContain('kjs-default');
    await expect(low.fetch(TOPIC, 0, 0n)).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] })).toBe(true);
    expect(await admin.fetchTopicOffsets(TOPIC)).toEqual([expect.objectContaining({ partition: 0, low: '0', high: '0' })]);
    expect((await describeTopic(TOPIC)).get('retention.ms')).toMatchObject({ isDefault: true });
  });
});
