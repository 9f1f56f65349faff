import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeleteTopics, Fetch, KafkaErrorCode, Metadata } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { createTopic, produce, recordBatch, startTestBroker, type TestBroker } from '../test-broker.js';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

async function topicId(c: KafkaClient, name: string): Promise<string | undefined> {
  const md = await c.send(Metadata, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return md.topics.find((t) => t.name === name)?.topicId;
}

describe('DeleteTopics', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
  });

  afterAll(async () => {
    await b.close();
  });

  it('deletes by name (v1-5 topic names, v6 entries)', async () => {
    await createTopic(c, 'by-name-5');
    await createTopic(c, 'by-name-6');
    const v5 = await c.send(DeleteTopics, { topicNames: ['by-name-5', 'never-existed'], timeoutMs: 10_000 }, 5);
    expect(v5.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['by-name-5', 0],
      ['never-existed', KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const id = await topicId(c, 'by-name-6');
    const v6 = await c.send(DeleteTopics, { topics: [{ name: 'by-name-6', topicId: ZERO_UUID }], timeoutMs: 10_000 }, 6);
    expect(v6.responses[0]).toMatchObject({ name: 'by-name-6', topicId: id, errorCode: 0 });
    expect(await topicId(c, 'by-name-5')).toBeUndefined();
    expect(await topicId(c, 'by-name-6')).toBeUndefined();
  });

  it('deletes by topic id (v6)', async () => {
    await createTopic(c, 'by-id');
    const id = await topicId(c, 'by-id');
    const res = await c.send(DeleteTopics, { topics: [{ name: null, topicId: id ?? ZERO_UUID }], timeoutMs: 10_000 }, 6);
    expect(res.responses[0]).toMatchObject({ name: 'by-id', topicId: id, errorCode: 0 });
    expect(await topicId(c, 'by-id')).toBeUndefined();
    const again = await c.send(DeleteTopics, { topics: [{ name: null, topicId: id ?? ZERO_UUID }], timeoutMs: 10_000 }, 6);
    expect(again.responses[0]?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('a topic re-created under a deleted name starts empty', async () => {
    await createTopic(c, 'reborn');
    await produce(c, 'reborn', 0, await recordBatch(5));
    await c.send(DeleteTopics, { topicNames: ['reborn'], timeoutMs: 10_000 }, 5);
    await createTopic(c, 'reborn');
    expect(await produce(c, 'reborn', 0, await recordBatch(1))).toBe(0n);
    const fetched = await c.send(
      Fetch,
      { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'reborn', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' },
      12,
    );
    expect(fetched.responses[0]?.partitions[0]?.highWatermark).toBe(1n);
  });
});

describe('DeleteTopics with delete.topic.enable=false', () => {
  let b: TestBroker | undefined;

  afterEach(async () => {
    await b?.close();
  });

  it('refuses with TOPIC_DELETION_DISABLED and keeps the topic', async () => {
    b = await startTestBroker({ settings: { 'delete.topic.enable': 'false' } });
    const c = await b.client();
    await createTopic(c, 'kept');
    const res = await c.send(DeleteTopics, { topicNames: ['kept'], timeoutMs: 10_000 }, 5);
    expect(res.responses[0]?.errorCode).toBe(KafkaErrorCode.TOPIC_DELETION_DISABLED);
    expect(await topicId(c, 'kept')).toBeDefined();
  });
});
