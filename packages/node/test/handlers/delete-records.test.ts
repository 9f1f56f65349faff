import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteRecords, KafkaErrorCode, ListOffsets } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { createTopic, produce, recordBatch, startTestBroker, type TestBroker } from '../test-broker.js';

describe('DeleteRecords', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
  });

  afterAll(async () => {
    await b.close();
  });

  const deleteBefore = (topic: string, offsets: [number, bigint][]) =>
    c.send(DeleteRecords, { topics: [{ name: topic, partitions: offsets.map(([partitionIndex, offset]) => ({ partitionIndex, offset })) }], timeoutMs: 10_000 });

  const earliest = async (topic: string): Promise<bigint | undefined> => {
    const res = await c.send(ListOffsets, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }] });
    return res.topics[0]?.partitions[0]?.offset;
  };

  it('moves the low watermark; -1 means the high watermark', async () => {
    await createTopic(c, 'trimmed');
    for (let i = 0; i < 5; i++) await produce(c, 'trimmed', 0, await recordBatch(2));
    expect((await deleteBefore('trimmed', [[0, 4n]])).topics[0]?.partitions[0]).toMatchObject({ partitionIndex: 0, lowWatermark: 4n, errorCode: 0 });
    expect(await earliest('trimmed')).toBe(4n);
    expect((await deleteBefore('trimmed', [[0, -1n]])).topics[0]?.partitions[0]).toMatchObject({ lowWatermark: 10n, errorCode: 0 });
    expect(await earliest('trimmed')).toBe(10n);
    expect(await produce(c, 'trimmed', 0, await recordBatch(1))).toBe(10n);
  });

  it('refuses offsets beyond the high watermark with OFFSET_OUT_OF_RANGE, per partition', async () => {
    await createTopic(c, 'short', { partitions: 2 });
    await produce(c, 'short', 0, await recordBatch(3));
    const res = await deleteBefore('short', [[0, 4n], [1, 0n], [5, 0n]]);
    expect(res.topics[0]?.partitions.map((p) => [p.partitionIndex, p.errorCode, p.lowWatermark])).toEqual([
      [0, KafkaErrorCode.OFFSET_OUT_OF_RANGE, -1n],
      [1, 0, 0n],
      [5, KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n],
    ]);
    expect(await earliest('short')).toBe(0n);
    const unknown = await deleteBefore('nowhere', [[0, 0n]]);
    expect(unknown.topics[0]?.partitions[0]?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
