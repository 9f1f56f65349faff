import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * InitProducerId (key 22). A null transactional id asks for an idempotent-only producer id. From
 * v3 a producer may send its current id and epoch (both -1 when it has none) to bump the epoch
 * instead of getting a fresh id.
 *
 * InitProducerId Request (Version: 5) => transactional_id transaction_timeout_ms producer_id
 *                                        producer_epoch _tagged_fields
 * InitProducerId Response (Version: 5) => throttle_time_ms error_code producer_id producer_epoch
 *                                         _tagged_fields
 */
export const InitProducerId = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  validVersions: '0-5',
  flexibleVersions: '2+',
  request: [
    f.string('transactionalId', '0+', { nullable: '0+' }),
    f.int32('transactionTimeoutMs', '0+'),
    f.int64('producerId', '3+', { default: -1n }),
    f.int16('producerEpoch', '3+', { default: -1 }),
  ],
  response: [
    f.int32('throttleTimeMs', '0+', { ignorable: true }),
    f.int16('errorCode', '0+'),
    f.int64('producerId', '0+', { default: -1n }),
    f.int16('producerEpoch', '0+'),
  ],
});

export type InitProducerIdRequest = RequestOf<typeof InitProducerId>;
export type InitProducerIdResponse = ResponseOf<typeof InitProducerId>;
