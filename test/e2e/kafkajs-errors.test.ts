/**
 * kafkajs 2.2.4 against one real Oxbow node: bad requests get Kafka's error codes — invalid topic
 * names, existing topics, oversized batches, unknown topics and partitions, acks=0 errors (the
 * connection closes), offsets out of range, and CreateTopics validation. The topic under test
 * holds seeded records, kept in a per-partition manifest as in kafkajs-produce-read.test.ts.
 */
import kafkajs, { type Admin, type Producer } from 'kafkajs';
import { encodeRecordBatch, Produce } from '@oxbow/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerProcess } from '../support/broker-process.js';
import type { KafkajsBroker } from '../support/kafkajs-broker.js';
import type { SentRecord } from '../support/record-manifest.js';
import { seedFromEnv, seededRandom } from '../support/seeded-random.js';
import { KafkaClient as WireClient } from '@oxbow/node';
import { createOrdersTopic, MiB, PARTITIONS, produceRecords, startKafkajsNode, stopKafkajsNode, TOPIC } from './kafkajs-setup.js';

const { ConfigResourceTypes } = kafkajs;

/** Records sent before the test (fewer than kafkajs-produce-read's 10,000: the checks need only a populated topic). */
const SETUP_RECORDS = 1_000;

const seed = seedFromEnv();
const rng = seededRandom(seed);

let broker: BrokerProcess;
let admin: Admin;
let producer: Producer;
let low: KafkajsBroker;
/** Every record sent to TOPIC, per partition, in offset order. */
const manifest: SentRecord[][] = Array.from({ length: PARTITIONS }, () => []);

beforeAll(async () => {
  console.log(`kafkajs e2e seed ${seed} (replay with SEED=${seed})`);
  ({ broker, admin, producer, low } = await startKafkajsNode());
  expect(await createOrdersTopic(admin)).toBe(true);
  await produceRecords(producer, manifest, rng, SETUP_RECORDS);
});

afterAll(async () => {
  await stopKafkajsNode({ broker, admin, producer, low });
});

describe('kafkajs against a single node', () => {
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
});
