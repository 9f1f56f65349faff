import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTopics, KafkaErrorCode, Metadata, type RequestInputOf } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { CONFIG_SOURCE } from '../../src/config/index.js';
import { startTestBroker, type TestBroker } from '../test-broker.js';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

type TopicInput = RequestInputOf<typeof CreateTopics>['topics'][number];

const topic = (name: string, extra: Partial<TopicInput> = {}): TopicInput => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [], ...extra });

async function exists(c: KafkaClient, name: string): Promise<boolean> {
  const md = await c.send(Metadata, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return md.topics.some((t) => t.name === name);
}

describe('CreateTopics', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
  });

  afterAll(async () => {
    await b.close();
  });

  const create = (topics: TopicInput[], validateOnly = false) => c.send(CreateTopics, { topics, timeoutMs: 10_000, validateOnly });

  it('creates a topic and reports its id, partitions and configs', async () => {
    const res = await create([topic('created', { numPartitions: 4, configs: [{ name: 'retention.ms', value: '3600000' }] })]);
    const t = res.topics[0];
    expect(t).toMatchObject({ name: 'created', errorCode: 0, errorMessage: null, numPartitions: 4, replicationFactor: 1 });
    expect(t?.topicId).not.toBe(ZERO_UUID);
    expect(t?.configs?.find((x) => x.name === 'retention.ms')).toMatchObject({ value: '3600000', configSource: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG });
    const md = await c.send(Metadata, { topics: [{ name: 'created', topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(md.topics[0]).toMatchObject({ errorCode: 0, topicId: t?.topicId });
    expect(md.topics[0]?.partitions.length).toBe(4);
  });

  it('validates without creating anything when validateOnly is set', async () => {
    const res = await create([topic('dry-run', { numPartitions: 3, configs: [{ name: 'cleanup.policy', value: 'compact' }] })], true);
    expect(res.topics[0]).toMatchObject({ name: 'dry-run', errorCode: 0, numPartitions: 3, replicationFactor: 1 });
    expect(await exists(c, 'dry-run')).toBe(false);
    // Still reports what would be wrong.
    const bad = await create([topic('dry-run', { configs: [{ name: 'retention.ms', value: 'soon' }] })], true);
    expect(bad.topics[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    // And the real creation afterwards works.
    expect((await create([topic('dry-run')])).topics[0]?.errorCode).toBe(0);
  });

  it('refuses every entry of a name given twice in one request, and creates neither', async () => {
    const res = await create([topic('twice'), topic('twice', { numPartitions: 2 }), topic('once')]);
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['twice', KafkaErrorCode.INVALID_REQUEST],
      ['twice', KafkaErrorCode.INVALID_REQUEST],
      ['once', 0],
    ]);
    expect(res.topics[0]?.errorMessage).toMatch(/multiple entries/);
    expect(await exists(c, 'twice')).toBe(false);
    expect(await exists(c, 'once')).toBe(true);
  });

  it('reports each problem with Kafka\'s error code', async () => {
    await create([topic('taken')]);
    const res = await create([
      topic('taken'),
      topic('bad name'),
      topic('no-partitions', { numPartitions: 0 }),
      topic('too-many-replicas', { replicationFactor: 3 }),
      topic('bad-config', { configs: [{ name: 'min.insync.replicas', value: 'zero' }] }),
      topic('unknown-config', { configs: [{ name: 'no.such.config', value: '1' }] }),
      topic('null-config', { configs: [{ name: 'retention.ms', value: null }] }),
      topic('bad-assignment', { numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [7] }] }),
    ]);
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['taken', KafkaErrorCode.TOPIC_ALREADY_EXISTS],
      ['bad name', KafkaErrorCode.INVALID_TOPIC_EXCEPTION],
      ['no-partitions', KafkaErrorCode.INVALID_PARTITIONS],
      ['too-many-replicas', KafkaErrorCode.INVALID_REPLICATION_FACTOR],
      ['bad-config', KafkaErrorCode.INVALID_CONFIG],
      ['unknown-config', KafkaErrorCode.INVALID_CONFIG],
      ['null-config', KafkaErrorCode.INVALID_CONFIG],
      ['bad-assignment', KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ]);
    expect(res.topics[4]?.errorMessage).toContain('min.insync.replicas');
    for (const name of ['bad name', 'no-partitions', 'too-many-replicas', 'bad-config', 'unknown-config', 'null-config', 'bad-assignment']) {
      expect(await exists(c, name)).toBe(false);
    }
  });

  it('uses the broker defaults for -1 partitions and replication factor', async () => {
    const res = await create([topic('defaults', { numPartitions: -1, replicationFactor: -1 })]);
    expect(res.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 1, replicationFactor: 1 });
  });

  it('refuses names that collide with an existing one on \'.\' versus \'_\'', async () => {
    await create([topic('with.dot')]);
    const res = await create([topic('with_dot')]);
    expect(res.topics[0]?.errorCode).toBe(KafkaErrorCode.INVALID_TOPIC_EXCEPTION);
  });
});
