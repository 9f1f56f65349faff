import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * EndTxn (key 26). `committed` false means abort. From v5 (KIP-890 part 2) the epoch is bumped on
 * every transaction, so the response returns the producer id and epoch to use next.
 *
 * EndTxn Request (Version: 5) => transactional_id producer_id producer_epoch committed _tagged_fields
 * EndTxn Response (Version: 5) => throttle_time_ms error_code producer_id producer_epoch _tagged_fields
 */
export const EndTxn = defineApi({
  apiKey: 26,
  name: 'EndTxn',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: [
    f.string('transactionalId', '0+'),
    f.int64('producerId', '0+'),
    f.int16('producerEpoch', '0+'),
    f.bool('committed', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.int64('producerId', '5+', { default: -1n, ignorable: true }),
    f.int16('producerEpoch', '5+', { default: -1, ignorable: true }),
  ],
});

export type EndTxnRequest = RequestOf<typeof EndTxn>;
export type EndTxnResponse = ResponseOf<typeof EndTxn>;
