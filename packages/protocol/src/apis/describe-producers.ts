import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DescribeProducers (key 61, KIP-664). Lists the active idempotent/transactional producers of
 * partitions this broker leads. Note `producerEpoch` is an int32 here, unlike the int16 epochs
 * elsewhere.
 *
 * DescribeProducers Request (Version: 0) => [topics] _tagged_fields
 *   topics => name [partition_indexes] _tagged_fields
 * DescribeProducers Response (Version: 0) => throttle_time_ms [topics] _tagged_fields
 *   topics => name [partitions] _tagged_fields
 *     partitions => partition_index error_code error_message [active_producers] _tagged_fields
 *       active_producers => producer_id producer_epoch last_sequence last_timestamp coordinator_epoch
 *                           current_txn_start_offset _tagged_fields
 */
export const DescribeProducers = defineApi({
  apiKey: 61,
  name: 'DescribeProducers',
  validVersions: '0',
  flexibleVersions: '0+',
  request: [
    f.structs('topics', '0+', [f.string('name', '0+'), f.array('partitionIndexes', '0+', 'int32')]),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int16('errorCode', '0+'),
        f.string('errorMessage', '0+', { nullable: '0+', default: null }),
        f.structs('activeProducers', '0+', [
          f.int64('producerId', '0+'),
          f.int32('producerEpoch', '0+'),
          f.int32('lastSequence', '0+', { default: -1 }),
          f.int64('lastTimestamp', '0+', { default: -1n }),
          f.int32('coordinatorEpoch', '0+'),
          f.int64('currentTxnStartOffset', '0+', { default: -1n }),
        ]),
      ]),
    ]),
  ],
});

export type DescribeProducersRequest = RequestOf<typeof DescribeProducers>;
export type DescribeProducersResponse = ResponseOf<typeof DescribeProducers>;
