import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaErrorCode, OffsetForLeaderEpoch } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { createTopic, produce, recordBatch, startTestBroker, type TestBroker } from '../test-broker.js';

describe('OffsetForLeaderEpoch', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
    await createTopic(c, 'epochs');
    await produce(c, 'epochs', 0, await recordBatch(3));
    await produce(c, 'epochs', 0, await recordBatch(2));
  });

  afterAll(async () => {
    await b.close();
  });

  const ask = async (leaderEpoch: number, currentLeaderEpoch = -1, topic = 'epochs', partition = 0) => {
    const res = await c.send(OffsetForLeaderEpoch, { replicaId: -1, topics: [{ topic, partitions: [{ partition, currentLeaderEpoch, leaderEpoch }] }] });
    return res.topics[0]?.partitions[0];
  };

  it('answers the end offset of the current epoch with the log end offset', async () => {
    expect(await ask(0)).toMatchObject({ errorCode: 0, leaderEpoch: 0, endOffset: 5n });
    expect(await ask(0, 0)).toMatchObject({ errorCode: 0, leaderEpoch: 0, endOffset: 5n });
  });

  it('answers -1/-1 for an epoch after every known one', async () => {
    expect(await ask(3)).toMatchObject({ errorCode: 0, leaderEpoch: -1, endOffset: -1n });
  });

  it('fences a client ahead of the leader with UNKNOWN_LEADER_EPOCH', async () => {
    expect((await ask(0, 1))?.errorCode).toBe(KafkaErrorCode.UNKNOWN_LEADER_EPOCH);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for partitions that do not exist', async () => {
    expect((await ask(0, -1, 'epochs', 9))?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await ask(0, -1, 'nowhere'))?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
