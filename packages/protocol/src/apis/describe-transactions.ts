import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DescribeTransactions (key 65, KIP-664). Sent to the transaction coordinator; one state entry per
 * requested transactional id, each with its own error code.
 *
 * DescribeTransactions Request (Version: 0) => [transactional_ids] _tagged_fields
 * DescribeTransactions Response (Version: 0) => throttle_time_ms [transaction_states] _tagged_fields
 *   transaction_states => error_code transactional_id transaction_state transaction_timeout_ms
 *                         transaction_start_time_ms producer_id producer_epoch [topics] _tagged_fields
 *     topics => topic [partitions] _tagged_fields
 */
export const DescribeTransactions = defineApi({
  apiKey: 65,
  name: 'DescribeTransactions',
  validVersions: '0',
  flexibleVersions: '0+',
  request: [f.array('transactionalIds', '0+', 'string')],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('transactionStates', '0+', [
      f.int16('errorCode', '0+'),
      f.string('transactionalId', '0+'),
      f.string('transactionState', '0+'),
      f.int32('transactionTimeoutMs', '0+'),
      f.int64('transactionStartTimeMs', '0+'),
      f.int64('producerId', '0+'),
      f.int16('producerEpoch', '0+'),
      f.structs('topics', '0+', [f.string('topic', '0+'), f.array('partitions', '0+', 'int32')]),
    ]),
  ],
});

export type DescribeTransactionsRequest = RequestOf<typeof DescribeTransactions>;
export type DescribeTransactionsResponse = ResponseOf<typeof DescribeTransactions>;
