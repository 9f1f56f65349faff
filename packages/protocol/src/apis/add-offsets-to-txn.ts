import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * AddOffsetsToTxn (key 25). Adds the consumer group's offsets partition to the transaction, ahead
 * of a TxnOffsetCommit to the group coordinator.
 *
 * AddOffsetsToTxn Request (Version: 4) => transactional_id producer_id producer_epoch group_id _tagged_fields
 * AddOffsetsToTxn Response (Version: 4) => throttle_time_ms error_code _tagged_fields
 */
export const AddOffsetsToTxn = defineApi({
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [
    f.string('transactionalId', '0+'),
    f.int64('producerId', '0+'),
    f.int16('producerEpoch', '0+'),
    f.string('groupId', '0+'),
  ],
  response: [f.int32('throttleTimeMs', '0+'), f.int16('errorCode', '0+')],
});

export type AddOffsetsToTxnRequest = RequestOf<typeof AddOffsetsToTxn>;
export type AddOffsetsToTxnResponse = ResponseOf<typeof AddOffsetsToTxn>;
