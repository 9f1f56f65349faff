/**
 * kafkajs 2.2.4 against one real Oxbow node: topic administration on a topic holding seeded
 * records — describing and altering configs (legacy, incremental through our codec, and their
 * effect on the next produce), deleteRecords, createPartitions and deleteTopics. The records sent
 * are kept in a per-partition manifest, as in kafkajs-produce-read.test.ts.
 */
import kafkajs, { type Admin, type Kafka as KafkaClient, type Producer } from 'kafkajs';
import { IncrementalAlterConfigs, KafkaErrorCode } from '@oxbow/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerProcess } from '../support/broker-process.js';
import type { KafkajsBroker, KafkajsRecord } from '../support/kafkajs-broker.js';
import { fromKafkajs, sequenceDiff, type SentRecord } from '../support/record-manifest.js';
import { seedFromEnv, seededRandom } from '../support/seeded-random.js';
import { KafkaClient as WireClient } from '@oxbow/node';
import { createOrdersTopic, MiB, PARTITIONS, produceRecords, startKafkajsNode, stopKafkajsNode, TOPIC } from './kafkajs-setup.js';

const { ConfigResourceTypes, Partitioners } = kafkajs;

/** Records sent before the tests (fewer than kafkajs-produce-read's 10,000: these tests need a few hundred per partition). */
const SETUP_RECORDS = 1_000;
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

async function describeTopic(topic: string): Promise<Map<string, { value: string | null; source: number; isDefault: boolean }>> {
  const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
  const entries = res.resources[0]?.configEntries ?? [];
  return new Map(entries.map((e) => [e.configName, { value: e.configValue, source: (e as unknown as { configSource: number }).configSource, isDefault: e.isDefault }]));
}

beforeAll(async () => {
  console.log(`kafkajs e2e seed ${seed} (replay with SEED=${seed})`);
  ({ broker, kafka, admin, producer, low } = await startKafkajsNode());
  expect(await createOrdersTopic(admin)).toBe(true);
  await produceRecords(producer, manifest, rng, SETUP_RECORDS);
  // A second topic with default configs, deleted together with TOPIC below.
  await admin.createTopics({ topics: [{ topic: 'kjs-default', numPartitions: 1 }] });
});

afterAll(async () => {
  await stopKafkajsNode({ broker, kafka, admin, producer, low });
});

describe('kafkajs against a single node', () => {
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
