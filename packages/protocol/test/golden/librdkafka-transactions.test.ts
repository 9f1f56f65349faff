/**
 * librdkafka's transactional producer golden frames: InitProducerId (idempotent and
 * transactional), the transaction coordinator, AddPartitionsToTxn, AddOffsetsToTxn,
 * TxnOffsetCommit and EndTxn (commit and abort).
 * Loading and the scenario's constants: librdkafka-fixtures.ts.
 */
import { describe, expect, it } from 'vitest';
import { AddOffsetsToTxn } from '../../src/apis/add-offsets-to-txn.js';
import { AddPartitionsToTxn } from '../../src/apis/add-partitions-to-txn.js';
import { EndTxn } from '../../src/apis/end-txn.js';
import { FindCoordinator } from '../../src/apis/find-coordinator.js';
import { InitProducerId } from '../../src/apis/init-producer-id.js';
import { TxnOffsetCommit } from '../../src/apis/txn-offset-commit.js';
import { TRANSACTIONAL_PRODUCER } from './capture/capture-server.js';
import { GROUP, MEMBER, request, TOPIC, TXN_ID, TXN_TOPIC } from './librdkafka-fixtures.js';

describe('librdkafka golden frames', () => {
  describe('transactions', () => {
    it('InitProducerId v4: idempotent (no transactional id)', () => {
      expect(request('InitProducerId-v4.bin', InitProducerId)).toMatchObject({
        transactionalId: null,
        transactionTimeoutMs: -1,
        producerId: -1n,
        producerEpoch: -1,
      });
    });

    it('InitProducerId v4: transactional', () => {
      expect(request('InitProducerId-v4-transactional.bin', InitProducerId)).toMatchObject({
        transactionalId: TXN_ID,
        transactionTimeoutMs: 30000,
        producerId: -1n,
        producerEpoch: -1,
      });
    });

    it('FindCoordinator v2: the transaction coordinator', () => {
      expect(request('FindCoordinator-v2-transaction.bin', FindCoordinator)).toMatchObject({ key: TXN_ID, keyType: 1 });
    });

    it('AddPartitionsToTxn v0', () => {
      expect(request('AddPartitionsToTxn-v0.bin', AddPartitionsToTxn)).toMatchObject({
        v3AndBelowTransactionalId: TXN_ID,
        v3AndBelowProducerId: TRANSACTIONAL_PRODUCER.producerId,
        v3AndBelowProducerEpoch: TRANSACTIONAL_PRODUCER.producerEpoch,
        v3AndBelowTopics: [{ name: TXN_TOPIC, partitions: [0] }],
      });
    });

    it('AddOffsetsToTxn v0', () => {
      expect(request('AddOffsetsToTxn-v0.bin', AddOffsetsToTxn)).toMatchObject({ transactionalId: TXN_ID, groupId: GROUP, ...TRANSACTIONAL_PRODUCER });
    });

    it('TxnOffsetCommit v3: the consumer group metadata and the offsets sent', () => {
      expect(request('TxnOffsetCommit-v3.bin', TxnOffsetCommit)).toMatchObject({
        transactionalId: TXN_ID,
        groupId: GROUP,
        ...TRANSACTIONAL_PRODUCER,
        generationId: 1,
        memberId: MEMBER,
        groupInstanceId: null,
        topics: [
          {
            name: TOPIC,
            partitions: [
              { partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, committedMetadata: '' },
              { partitionIndex: 1, committedOffset: 4n, committedLeaderEpoch: -1, committedMetadata: '' },
            ],
          },
        ],
      });
    });

    it('EndTxn v1: commit, then abort', () => {
      expect(request('EndTxn-v1.bin', EndTxn)).toMatchObject({ transactionalId: TXN_ID, ...TRANSACTIONAL_PRODUCER, committed: true });
      expect(request('EndTxn-v1-abort.bin', EndTxn)).toMatchObject({ transactionalId: TXN_ID, ...TRANSACTIONAL_PRODUCER, committed: false });
    });
  });
});
