import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiVersions, encodeRecordBatch, FindCoordinator, InitProducerId, KafkaErrorCode, Produce } from '@oxbow/protocol';
import type { Coordinator, ProducerIdBlock } from '@oxbow/controller';
import { ProducerIdAllocator } from '../../src/producers/producer-id-allocator.js';
import { createTopic, PRODUCE_VERSION, produceBody, startTestBroker, type TestBroker } from '../test-broker.js';

const noTxn = { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 };

describe('InitProducerId', () => {
  let b: TestBroker;

  beforeAll(async () => {
    b = await startTestBroker();
  });

  afterAll(async () => {
    await b.close();
  });

  it('is advertised at v0-5', async () => {
    const c = await b.client();
    const res = await c.send(ApiVersions, {}, 3);
    expect(res.apiKeys.find((k) => k.apiKey === 22)).toMatchObject({ minVersion: 0, maxVersion: 5 });
  });

  it('gives every idempotent producer a fresh id at epoch 0, at every version', async () => {
    const c = await b.client();
    const ids: bigint[] = [];
    for (const version of [0, 1, 2, 3, 4, 5]) {
      const res = await c.send(InitProducerId, noTxn, version);
      expect(res).toMatchObject({ errorCode: 0, producerEpoch: 0 });
      ids.push(res.producerId);
    }
    const concurrent = await Promise.all(Array.from({ length: 20 }, () => c.send(InitProducerId, noTxn, 4)));
    ids.push(...concurrent.map((r) => r.producerId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id >= 0n)).toBe(true);
  });

  it('answers a v3+ re-initialisation with its old id and epoch (KIP-360) with a fresh id at epoch 0, as Kafka does', async () => {
    const c = await b.client();
    const first = await c.send(InitProducerId, noTxn, 4);
    const again = await c.send(InitProducerId, { ...noTxn, producerId: first.producerId, producerEpoch: 0 }, 4);
    expect(again).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(again.producerId).not.toBe(first.producerId);
  });

  it('refuses half a producer id/epoch pair with INVALID_REQUEST', async () => {
    const c = await b.client();
    expect((await c.send(InitProducerId, { ...noTxn, producerId: 5n }, 3)).errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);
    expect((await c.send(InitProducerId, { ...noTxn, producerEpoch: 2 }, 5)).errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);
  });

  it('bumps the epoch of a transactional id on every InitProducerId and fences older instances', async () => {
    const c = await b.client();
    const txn = { ...noTxn, transactionalId: 'txn-init' };
    // Before FindCoordinator created __transaction_state nobody coordinates the id.
    expect((await c.send(InitProducerId, txn, 4)).errorCode).toBe(KafkaErrorCode.NOT_COORDINATOR);
    expect((await c.send(FindCoordinator, { key: 'txn-init', keyType: 1, coordinatorKeys: [] }, 3)).errorCode).toBe(0);
    const first = await c.send(InitProducerId, txn, 4);
    expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    const second = await c.send(InitProducerId, txn, 4);
    expect(second).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
    // KIP-360: naming the current id/epoch bumps; naming a stale one is a fenced zombie.
    expect(await c.send(InitProducerId, { ...txn, producerId: second.producerId, producerEpoch: 1 }, 4)).toMatchObject({ errorCode: 0, producerEpoch: 2 });
    expect((await c.send(InitProducerId, { ...txn, producerId: first.producerId, producerEpoch: 0 }, 4)).errorCode).toBe(KafkaErrorCode.PRODUCER_FENCED);
    expect((await c.send(InitProducerId, { ...txn, producerId: first.producerId, producerEpoch: 0 }, 3)).errorCode).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await c.send(InitProducerId, { ...txn, transactionTimeoutMs: 0 }, 4)).errorCode).toBe(KafkaErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await c.send(InitProducerId, { ...txn, transactionTimeoutMs: 900_001 }, 4)).errorCode).toBe(KafkaErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await c.send(InitProducerId, { ...noTxn, transactionalId: '' }, 4)).errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);
  });

  it('lets Produce dedupe retries and reject out-of-order or fenced batches of the ids it hands out', async () => {
    const c = await b.client();
    await createTopic(c, 'idem');
    const { producerId } = await c.send(InitProducerId, noTxn, 4);
    const batch = (epoch: number, sequence: number, count: number): Promise<Buffer> =>
      encodeRecordBatch({ producerId, producerEpoch: epoch, baseSequence: sequence, records: Array.from({ length: count }, (_, i) => ({ timestamp: BigInt(Date.now()), key: null, value: Buffer.from(`v${sequence + i}`) })) });
    const send = async (records: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> => {
      const res = await c.send(Produce, produceBody('idem', 0, records), PRODUCE_VERSION);
      const p = res.responses[0]?.partitionResponses[0];
      if (p === undefined) throw new Error('no partition response');
      return { errorCode: p.errorCode, baseOffset: p.baseOffset };
    };
    expect(await send(await batch(1, 0, 2))).toEqual({ errorCode: 0, baseOffset: 0n });
    expect(await send(await batch(1, 2, 3))).toEqual({ errorCode: 0, baseOffset: 2n });
    expect(await send(await batch(1, 0, 2))).toEqual({ errorCode: 0, baseOffset: 0n });
    expect((await send(await batch(1, 6, 1))).errorCode).toBe(KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await send(await batch(0, 5, 1))).errorCode).toBe(KafkaErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await send(await batch(1, 5, 1))).toEqual({ errorCode: 0, baseOffset: 5n });
  });
});

describe('ProducerIdAllocator', () => {
  function countingCoordinator(): { coordinator: Coordinator; calls: number[] } {
    let next = 100n;
    const calls: number[] = [];
    const coordinator = {
      allocateProducerIds: async (count: number): Promise<ProducerIdBlock> => {
        calls.push(count);
        await new Promise((r) => setTimeout(r, 5));
        const first = next;
        next += BigInt(count);
        return { first, count };
      },
    } as unknown as Coordinator;
    return { coordinator, calls };
  }

  it('serves ids from blocks, taking one block at a time even under concurrency', async () => {
    const { coordinator, calls } = countingCoordinator();
    const allocator = new ProducerIdAllocator(coordinator, 3);
    const ids = await Promise.all(Array.from({ length: 7 }, () => allocator.next()));
    expect([...ids].sort((x, y) => (x < y ? -1 : 1))).toEqual([100n, 101n, 102n, 103n, 104n, 105n, 106n]);
    expect(calls).toEqual([3, 3, 3]);
  });
});
