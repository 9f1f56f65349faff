import { defineApi, type RequestOf, type ResponseOf } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * OffsetForLeaderEpoch (key 23). Used by followers and by consumers after a leader change to find
 * where an epoch ended. `replicaId` defaults to -2 (a debugging consumer, allowed past the high
 * watermark) for versions that do not carry it.
 *
 * OffsetForLeaderEpoch Request (Version: 4) => replica_id [topics] _tagged_fields
 *   topics => topic [partitions] _tagged_fields
 *     partitions => partition current_leader_epoch leader_epoch _tagged_fields
 * OffsetForLeaderEpoch Response (Version: 4) => throttle_time_ms [topics] _tagged_fields
 *   topics => topic [partitions] _tagged_fields
 *     partitions => error_code partition leader_epoch end_offset _tagged_fields
 */
export const OffsetForLeaderEpoch = defineApi({
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    f.int32('replicaId', '3+', { default: -2, ignorable: true }),
    f.structs('topics', '0+', [
      f.string('topic', '0+'),
      f.structs('partitions', '0+', [
        f.int32('partition', '0+'),
        f.int32('currentLeaderEpoch', '2+', { default: -1, ignorable: true }),
        f.int32('leaderEpoch', '0+'),
      ]),
    ]),
  ],
  response: [
    f.int32('throttleTimeMs', '2+', { ignorable: true }),
    f.structs('topics', '0+', [
      f.string('topic', '0+'),
      f.structs('partitions', '0+', [
        f.int16('errorCode', '0+'),
        f.int32('partition', '0+'),
        f.int32('leaderEpoch', '1+', { default: -1, ignorable: true }),
        f.int64('endOffset', '0+', { default: -1n }),
      ]),
    ]),
  ],
});

export type OffsetForLeaderEpochRequest = RequestOf<typeof OffsetForLeaderEpoch>;
export type OffsetForLeaderEpochResponse = ResponseOf<typeof OffsetForLeaderEpoch>;
