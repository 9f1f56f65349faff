import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DeleteRecords (key 21). Moves each partition's log start offset up to `offset` (-1 means the
 * high watermark); the response reports the resulting low watermark.
 *
 * DeleteRecords Request (Version: 2) => [topics] timeout_ms _tagged_fields
 *   topics => name [partitions] _tagged_fields
 *     partitions => partition_index offset _tagged_fields
 * DeleteRecords Response (Version: 2) => throttle_time_ms [topics] _tagged_fields
 *   topics => name [partitions] _tagged_fields
 *     partitions => partition_index low_watermark error_code _tagged_fields
 */
export const DeleteRecords = defineApi({
  apiKey: 21,
  name: 'DeleteRecords',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int64('offset', '0+')]),
    ]),
    f.int32('timeoutMs', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int64('lowWatermark', '0+'),
        f.int16('errorCode', '0+'),
      ]),
    ]),
  ],
});

export type DeleteRecordsRequest = RequestOf<typeof DeleteRecords>;
export type DeleteRecordsResponse = ResponseOf<typeof DeleteRecords>;
