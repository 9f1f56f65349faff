import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * ListTransactions (key 66, KIP-664). Empty filters match everything; v1 (KIP-994) adds a minimum
 * running duration, -1 meaning no filter.
 *
 * ListTransactions Request (Version: 1) => [state_filters] [producer_id_filters] duration_filter _tagged_fields
 * ListTransactions Response (Version: 1) => throttle_time_ms error_code [unknown_state_filters]
 *                                           [transaction_states] _tagged_fields
 *   transaction_states => transactional_id producer_id transaction_state _tagged_fields
 */
export const ListTransactions = defineApi({
  apiKey: 66,
  name: 'ListTransactions',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: [
    f.array('stateFilters', '0+', 'string'),
    f.array('producerIdFilters', '0+', 'int64'),
    f.int64('durationFilter', '1+', { default: -1n }),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.array('unknownStateFilters', '0+', 'string'),
    f.structs('transactionStates', '0+', [
      f.string('transactionalId', '0+'),
      f.int64('producerId', '0+'),
      f.string('transactionState', '0+'),
    ]),
  ],
});

export type ListTransactionsRequest = RequestOf<typeof ListTransactions>;
export type ListTransactionsResponse = ResponseOf<typeof ListTransactions>;
