import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaErrorCode, ListOffsets } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { createTopic, produce, recordBatch, startTestBroker, type TestBroker } from '../test-broker.js';

const T = 1_700_000_000_000n;

describe('ListOffsets', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
    await createTopic(c, 'offsets');
    await produce(c, 'offsets', 0, await recordBatch(2, { timestamp: T })); // 0-1
    await produce(c, 'offsets', 0, await recordBatch(2, { timestamp: T + 100n })); // 2-3
    await produce(c, 'offsets', 0, await recordBatch(1, { timestamp: T + 50n })); // 4
  });

  afterAll(async () => {
    await b.close();
  });

  const list = async (timestamp: bigint, version?: number, currentLeaderEpoch = -1, partitionIndex = 0) => {
    const res = await c.send(ListOffsets, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'offsets', partitions: [{ partitionIndex, currentLeaderEpoch, timestamp }] }] }, version);
    return res.topics[0]?.partitions[0];
  };

  it('answers latest (-1), earliest (-2), earliest local (-4) and max timestamp (-3)', async () => {
    expect(await list(-1n)).toMatchObject({ errorCode: 0, offset: 5n, timestamp: -1n, leaderEpoch: 0 });
    expect(await list(-2n)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await list(-4n)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await list(-3n)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: T + 100n });
  });

  it('finds the first offset with a timestamp at or after the one asked for', async () => {
    expect(await list(T)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: T });
    expect(await list(T + 1n)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: T + 100n });
    expect(await list(T + 101n)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
  });

  it('refuses special timestamps the request version does not know with UNSUPPORTED_VERSION', async () => {
    expect((await list(-3n, 6))?.errorCode).toBe(KafkaErrorCode.UNSUPPORTED_VERSION);
    expect((await list(-4n, 7))?.errorCode).toBe(KafkaErrorCode.UNSUPPORTED_VERSION);
    expect((await list(-3n, 7))?.errorCode).toBe(0);
  });

  it('carries the leader epoch from v4 and fences stale or future epochs', async () => {
    expect((await list(-1n, 3))?.leaderEpoch).toBe(-1);
    expect((await list(-1n, 4))?.leaderEpoch).toBe(0);
    expect((await list(-1n, undefined, 0))?.errorCode).toBe(0);
    expect((await list(-1n, undefined, 1))?.errorCode).toBe(KafkaErrorCode.UNKNOWN_LEADER_EPOCH);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for partitions that do not exist', async () => {
    expect((await list(-1n, undefined, -1, 3))?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
