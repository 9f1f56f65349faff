import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatePartitions, KafkaErrorCode, Metadata } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { createTopic, produce, recordBatch, startTestBroker, waitForPartitions, type TestBroker } from '../test-broker.js';

async function partitionCount(c: KafkaClient, name: string): Promise<number> {
  const md = await c.send(Metadata, { topics: [{ name, topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return md.topics[0]?.partitions.length ?? -1;
}

describe('CreatePartitions', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
  });

  afterAll(async () => {
    await b.close();
  });

  const grow = (name: string, count: number, options: { assignments?: number[][] | null; validateOnly?: boolean } = {}) =>
    c.send(CreatePartitions, {
      topics: [{ name, count, assignments: options.assignments === undefined || options.assignments === null ? null : options.assignments.map((brokerIds) => ({ brokerIds })) }],
      timeoutMs: 10_000,
      validateOnly: options.validateOnly ?? false,
    });

  it('grows a topic; the new partitions take writes', async () => {
    await createTopic(c, 'growing');
    const res = await grow('growing', 3);
    expect(res.results[0]).toMatchObject({ name: 'growing', errorCode: 0, errorMessage: null });
    expect(await partitionCount(c, 'growing')).toBe(3);
    await waitForPartitions(c, 'growing', 3);
    expect(await produce(c, 'growing', 2, await recordBatch(1))).toBe(0n);
  });

  it('grows with explicit assignments', async () => {
    await createTopic(c, 'assigned');
    expect((await grow('assigned', 2, { assignments: [[0]] })).results[0]?.errorCode).toBe(0);
    expect(await partitionCount(c, 'assigned')).toBe(2);
  });

  it('changes nothing when validateOnly is set', async () => {
    await createTopic(c, 'dry');
    expect((await grow('dry', 5, { validateOnly: true })).results[0]?.errorCode).toBe(0);
    expect(await partitionCount(c, 'dry')).toBe(1);
  });

  it('refuses to shrink or keep the count, unknown topics and mismatched assignments', async () => {
    await createTopic(c, 'fixed', { partitions: 2 });
    expect((await grow('fixed', 2)).results[0]?.errorCode).toBe(KafkaErrorCode.INVALID_PARTITIONS);
    expect((await grow('fixed', 1)).results[0]?.errorCode).toBe(KafkaErrorCode.INVALID_PARTITIONS);
    expect((await grow('missing', 3)).results[0]?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await grow('fixed', 4, { assignments: [[0]] })).results[0]?.errorCode).toBe(KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect((await grow('fixed', 3, { assignments: [[5]] })).results[0]?.errorCode).toBe(KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(await partitionCount(c, 'fixed')).toBe(2);
  });
});
