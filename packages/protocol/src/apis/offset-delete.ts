import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * OffsetDelete (key 47). Removes committed offsets of partitions the group no longer consumes.
 * A single, non-flexible version; note the response puts `errorCode` before `throttleTimeMs`.
 *
 * OffsetDelete Request (Version: 0) => group_id [topics]
 *   topics => name [partitions]
 *     partitions => partition_index
 * OffsetDelete Response (Version: 0) => error_code throttle_time_ms [topics]
 *   topics => name [partitions]
 *     partitions => partition_index error_code
 */
export const OffsetDelete = defineApi({
  apiKey: 47,
  name: 'OffsetDelete',
  validVersions: '0',
  flexibleVersions: 'none',
  request: [
    f.string('groupId', '0+'),
    f.structs('topics', '0+', [f.string('name', '0+'), f.structs('partitions', '0+', [f.int32('partitionIndex', '0+')])]),
  ],
  response: [
    f.int16('errorCode', '0+'),
    f.int32('throttleTimeMs', '0+', { ignorable: true }),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+')]),
    ]),
  ],
});

export type OffsetDeleteRequest = RequestOf<typeof OffsetDelete>;
export type OffsetDeleteResponse = ResponseOf<typeof OffsetDelete>;
