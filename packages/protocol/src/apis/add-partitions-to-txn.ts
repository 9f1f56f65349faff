import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/** A topic and the partitions to add (request, every version). */
const addPartitionsToTxnTopic = [f.string('name', '0+'), f.array('partitions', '0+', 'int32')] as const;

/** Per-topic results (response, every version). */
const addPartitionsToTxnTopicResult = [
  f.string('name', '0+'),
  f.structs('resultsByPartition', '0+', [f.int32('partitionIndex', '0+'), f.int16('partitionErrorCode', '0+')]),
] as const;

/**
 * AddPartitionsToTxn (key 24). Two shapes share one key: v0-3 (sent by clients) carry a single
 * transaction in the `v3AndBelow*` fields; v4+ (sent by brokers to the coordinator, KIP-890) batch
 * several transactions in `transactions`, may only verify (`verifyOnly`), and answer per
 * transaction with a top-level error code.
 *
 * AddPartitionsToTxn Request (Version: 5) => [transactions] _tagged_fields
 *   transactions => transactional_id producer_id producer_epoch verify_only [topics] _tagged_fields
 *     topics => name [partitions] _tagged_fields
 * AddPartitionsToTxn Request (Version: 3) => v3_and_below_transactional_id v3_and_below_producer_id
 *                                            v3_and_below_producer_epoch [v3_and_below_topics] _tagged_fields
 * AddPartitionsToTxn Response (Version: 5) => throttle_time_ms error_code [results_by_transaction] _tagged_fields
 *   results_by_transaction => transactional_id [topic_results] _tagged_fields
 *     topic_results => name [results_by_partition] _tagged_fields
 *       results_by_partition => partition_index partition_error_code _tagged_fields
 * AddPartitionsToTxn Response (Version: 3) => throttle_time_ms [results_by_topic_v3_and_below] _tagged_fields
 */
export const AddPartitionsToTxn = defineApi({
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: [
    f.structs('transactions', '4+', [
      f.string('transactionalId', '4+'),
      f.int64('producerId', '4+'),
      f.int16('producerEpoch', '4+'),
      f.bool('verifyOnly', '4+', { default: false }),
      f.structs('topics', '4+', addPartitionsToTxnTopic),
    ]),
    f.string('v3AndBelowTransactionalId', '0-3'),
    f.int64('v3AndBelowProducerId', '0-3'),
    f.int16('v3AndBelowProducerEpoch', '0-3'),
    f.structs('v3AndBelowTopics', '0-3', addPartitionsToTxnTopic),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '4+', { ignorable: true }),
    f.structs('resultsByTransaction', '4+', [
      f.string('transactionalId', '4+'),
      f.structs('topicResults', '4+', addPartitionsToTxnTopicResult),
    ]),
    f.structs('resultsByTopicV3AndBelow', '0-3', addPartitionsToTxnTopicResult),
  ],
});

export type AddPartitionsToTxnRequest = RequestOf<typeof AddPartitionsToTxn>;
export type AddPartitionsToTxnResponse = ResponseOf<typeof AddPartitionsToTxn>;
