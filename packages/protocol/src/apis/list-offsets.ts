import { defineApi, type RequestOf, type ResponseOf } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * ListOffsets (key 2). v0 asks for up to `maxNumOffsets` offsets and gets them back in
 * `oldStyleOffsets`; from v1 each partition answers with a single timestamp/offset pair.
 * Timestamp -1 means latest, -2 earliest (plus newer sentinels in later versions).
 *
 * ListOffsets Request (Version: 10) => replica_id isolation_level [topics] timeout_ms _tagged_fields
 *   topics => name [partitions] _tagged_fields
 *     partitions => partition_index current_leader_epoch timestamp _tagged_fields
 * ListOffsets Response (Version: 10) => throttle_time_ms [topics] _tagged_fields
 *   topics => name [partitions] _tagged_fields
 *     partitions => partition_index error_code timestamp offset leader_epoch _tagged_fields
 */
export const ListOffsets = defineApi({
  apiKey: 2,
  name: 'ListOffsets',
  validVersions: '0-10',
  flexibleVersions: '6+',
  request: [
    f.int32('replicaId', '0+'),
    f.int8('isolationLevel', '2+'),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int32('currentLeaderEpoch', '4+', { default: -1, ignorable: true }),
        f.int64('timestamp', '0+'),
        f.int32('maxNumOffsets', '0', { default: 1 }),
      ]),
    ]),
    f.int32('timeoutMs', '10+', { ignorable: true }),
  ],
  response: [
    f.int32('throttleTimeMs', '2+', { ignorable: true }),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int16('errorCode', '0+'),
        f.array('oldStyleOffsets', '0', 'int64'),
        f.int64('timestamp', '1+', { default: -1n }),
        f.int64('offset', '1+', { default: -1n }),
        f.int32('leaderEpoch', '4+', { default: -1 }),
      ]),
    ]),
  ],
});

export type ListOffsetsRequest = RequestOf<typeof ListOffsets>;
export type ListOffsetsResponse = ResponseOf<typeof ListOffsets>;
