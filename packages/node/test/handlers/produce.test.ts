import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecordBatch, Fetch, KafkaErrorCode, Produce, scanBatches } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { createTopic, produceBody, PRODUCE_VERSION, recordBatch, startTestBroker, type TestBroker } from '../test-broker.js';

describe('Produce', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
    await createTopic(c, 'produced', { partitions: 2 });
    await createTopic(c, 'appended', { configs: { 'message.timestamp.type': 'LogAppendTime' } });
    await createTopic(c, 'small', { configs: { 'max.message.bytes': '1000' } });
  });

  afterAll(async () => {
    await b.close();
  });

  const first = (res: Awaited<ReturnType<typeof c.send<typeof Produce>>>) => res.responses[0]?.partitionResponses[0];

  it('appends to several partitions in one request', async () => {
    const res = await c.send(Produce, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 10_000,
      topicData: [{ name: 'produced', partitionData: [{ index: 0, records: await recordBatch(2) }, { index: 1, records: await recordBatch(3) }] }],
    }, PRODUCE_VERSION);
    expect(res.responses[0]?.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset, p.logStartOffset])).toEqual([
      [0, 0, 0n, 0n],
      [1, 0, 0n, 0n],
    ]);
  });

  it('reports the broker time for LogAppendTime topics', async () => {
    const before = BigInt(Date.now());
    const p = first(await c.send(Produce, produceBody('appended', 0, await recordBatch(1, { timestamp: 5n })), PRODUCE_VERSION));
    expect(p?.errorCode).toBe(0);
    expect(p?.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    expect(p?.logAppendTimeMs).toBeLessThanOrEqual(BigInt(Date.now()));
  });

  it('answers per-partition errors: unknown partitions, bad batches, oversized batches', async () => {
    expect(first(await c.send(Produce, produceBody('produced', 7, await recordBatch(1)), PRODUCE_VERSION))?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(first(await c.send(Produce, produceBody('nowhere', 0, await recordBatch(1)), PRODUCE_VERSION))?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const corrupt = await recordBatch(2);
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] as number) ^ 0xff;
    expect(first(await c.send(Produce, produceBody('produced', 0, corrupt), PRODUCE_VERSION))?.errorCode).toBe(KafkaErrorCode.CORRUPT_MESSAGE);
    const big = first(await c.send(Produce, produceBody('small', 0, await recordBatch(1, { valueBytes: 2000 })), PRODUCE_VERSION));
    expect(big?.errorCode).toBe(KafkaErrorCode.MESSAGE_TOO_LARGE);
    expect(big?.errorMessage).toContain('max.message.bytes');
    const control = await encodeRecordBatch({ control: true, records: [{ timestamp: 0n, key: Buffer.alloc(4), value: Buffer.alloc(6) }] });
    expect(first(await c.send(Produce, produceBody('produced', 0, control), PRODUCE_VERSION))?.errorCode).toBe(KafkaErrorCode.INVALID_RECORD);
  });

  it('refuses acks other than -1, 0 and 1 with INVALID_REQUIRED_ACKS', async () => {
    expect(first(await c.send(Produce, produceBody('produced', 0, await recordBatch(1), 2), PRODUCE_VERSION))?.errorCode).toBe(KafkaErrorCode.INVALID_REQUIRED_ACKS);
  });

  it('stores what was acknowledged: a fetch returns the batches at their offsets', async () => {
    const base = first(await c.send(Produce, produceBody('produced', 1, await recordBatch(4, { compression: 'zstd' })), PRODUCE_VERSION))?.baseOffset;
    const res = await c.send(
      Fetch,
      { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'produced', partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: base ?? 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' },
      12,
    );
    const batches = scanBatches(res.responses[0]?.partitions[0]?.records ?? Buffer.alloc(0), { verifyCrc: true });
    expect(batches.map((x) => [x.baseOffset, x.recordsCount, x.compression])).toEqual([[base, 4, 'zstd']]);
  });
});
