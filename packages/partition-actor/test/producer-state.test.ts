import { describe, expect, it } from 'vitest';
import { KafkaErrorCode } from '@oxbow/protocol';
import { decodeProducerSnapshot, encodeProducerSnapshot } from '../src/producer-snapshot.js';
import { TransactionIndex } from '../src/transaction-index.js';
import { BATCHES_TO_RETAIN, incrementSequence, ProducerStateTable, type ProducerBatch } from '../src/producer-state.js';

const INT32_MAX = 0x7fffffff;

function b(producerId: bigint, producerEpoch: number, baseSequence: number, count = 1): ProducerBatch {
  return { producerId, producerEpoch, baseSequence, lastOffsetDelta: count - 1, isControl: false };
}

/** Checks and, when accepted, records the batch at `offset`; returns the verdict. */
function append(t: ProducerStateTable, batch: ProducerBatch, offset: bigint, now = 1000n): ReturnType<ProducerStateTable['check']> {
  const verdict = t.check(batch);
  if (verdict.kind === 'append') t.record(batch, offset, now);
  return verdict;
}

describe('ProducerStateTable', () => {
  it('ignores batches without a producer id', () => {
    const t = new ProducerStateTable();
    expect(append(t, b(-1n, -1, -1, 3), 0n)).toEqual({ kind: 'append' });
    expect(t.size).toBe(0);
  });

  it('accepts consecutive sequences and finds each of the last 5 batches as a duplicate with its original offset', () => {
    const t = new ProducerStateTable();
    let offset = 0n;
    let seq = 0;
    for (let i = 0; i < 7; i++) {
      expect(append(t, b(7n, 0, seq, 3), offset).kind).toBe('append');
      offset += 3n;
      seq += 3;
    }
    expect(t.get(7n)?.batches).toHaveLength(BATCHES_TO_RETAIN);
    for (let i = 2; i < 7; i++) {
      const verdict = t.check(b(7n, 0, i * 3, 3));
      expect(verdict).toMatchObject({ kind: 'duplicate', batch: { firstOffset: BigInt(i * 3), firstSeq: i * 3, lastSeq: i * 3 + 2 } });
    }
    // Older than the retained window: no longer recognised, and out of order.
    expect(t.check(b(7n, 0, 3, 3))).toMatchObject({ kind: 'error', errorCode: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('answers a sequence gap or a partial overlap with OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const t = new ProducerStateTable();
    append(t, b(1n, 0, 0, 5), 0n);
    expect(t.check(b(1n, 0, 6))).toMatchObject({ kind: 'error', errorCode: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(t.check(b(1n, 0, 0, 4))).toMatchObject({ kind: 'error', errorCode: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(t.check(b(1n, 0, 5))).toEqual({ kind: 'append' });
  });

  it('fences a lower epoch with INVALID_PRODUCER_EPOCH and requires sequence 0 for a higher one', () => {
    const t = new ProducerStateTable();
    append(t, b(1n, 3, 0, 2), 0n);
    expect(t.check(b(1n, 2, 2))).toMatchObject({ kind: 'error', errorCode: KafkaErrorCode.INVALID_PRODUCER_EPOCH });
    expect(t.check(b(1n, 4, 2))).toMatchObject({ kind: 'error', errorCode: KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(append(t, b(1n, 4, 0), 2n).kind).toBe('append');
    expect(t.get(1n)).toMatchObject({ epoch: 4, batches: [{ firstSeq: 0, lastSeq: 0, firstOffset: 2n }] });
    // The old epoch's batches are gone: a retry of them is fenced, not a duplicate.
    expect(t.check(b(1n, 3, 0, 2))).toMatchObject({ kind: 'error', errorCode: KafkaErrorCode.INVALID_PRODUCER_EPOCH });
  });

  it('accepts an unknown producer at any sequence (Kafka ≥ 2.5 does not answer UNKNOWN_PRODUCER_ID)', () => {
    const t = new ProducerStateTable();
    expect(append(t, b(9n, 0, 42), 0n)).toEqual({ kind: 'append' });
    expect(t.check(b(9n, 0, 43))).toEqual({ kind: 'append' });
  });

  it('rejects a producer id with a negative sequence as INVALID_RECORD', () => {
    expect(new ProducerStateTable().check(b(1n, 0, -1))).toMatchObject({ kind: 'error', errorCode: KafkaErrorCode.INVALID_RECORD });
  });

  it('wraps sequences at Int32 max', () => {
    expect(incrementSequence(INT32_MAX - 1, 3)).toBe(1);
    const t = new ProducerStateTable();
    append(t, b(1n, 0, INT32_MAX - 1, 2), 0n);
    expect(t.get(1n)?.batches[0]?.lastSeq).toBe(INT32_MAX);
    expect(append(t, b(1n, 0, 0, 2), 2n).kind).toBe('append');
    append(t, b(2n, 0, INT32_MAX - 1, 4), 4n);
    // MAX-1, MAX, 0, 1
    expect(t.get(2n)?.batches[0]?.lastSeq).toBe(1);
    expect(t.check(b(2n, 0, INT32_MAX - 1, 4))).toMatchObject({ kind: 'duplicate' });
    expect(t.check(b(2n, 0, 2))).toEqual({ kind: 'append' });
  });

  it('expires producers idle for longer than producer.id.expiration.ms', () => {
    const t = new ProducerStateTable();
    append(t, b(1n, 0, 0), 0n, 1_000n);
    append(t, b(2n, 0, 0), 1n, 5_000n);
    expect(t.expire(10_000, 6_000)).toBe(1);
    expect(t.get(1n)).toBeUndefined();
    expect(t.get(2n)).toBeDefined();
    // The expired producer's retry is no longer recognised: appended again, as in Kafka.
    expect(t.check(b(1n, 0, 0))).toEqual({ kind: 'append' });
  });

  it('forgets producers whose batches are all below the log start offset', () => {
    const t = new ProducerStateTable();
    append(t, b(1n, 0, 0, 2), 0n);
    append(t, b(2n, 0, 0, 2), 2n);
    t.truncateBefore(2n);
    expect(t.get(1n)).toBeUndefined();
    expect(t.get(2n)).toBeDefined();
  });

  it('round-trips through a snapshot', () => {
    const t = new ProducerStateTable();
    append(t, b(1n, 2, 0, 2), 0n, 77n);
    append(t, b(1n, 2, 2, 1), 2n, 78n);
    append(t, b(123456789012n, 0, 5), 3n, 79n);
    const txns = new TransactionIndex();
    txns.onData(1n, 2, 2n);
    txns.onData(9n, 0, 3n);
    txns.onMarker(9n, false, 4n);
    const snap = decodeProducerSnapshot(encodeProducerSnapshot(5n, t, txns));
    expect(snap.openTransactions).toEqual([{ producerId: 1n, producerEpoch: 2, firstOffset: 2n }]);
    expect(snap.abortedTransactions).toEqual([{ producerId: 9n, firstOffset: 3n, lastOffset: 4n }]);
    expect(snap.offset).toBe(5n);
    const restored = new ProducerStateTable();
    for (const e of snap.entries) restored.restore(e);
    expect([...restored.entries()]).toEqual([...t.entries()]);
    expect(() => decodeProducerSnapshot(Buffer.from('{"version":1'))).toThrow();
  });
});
