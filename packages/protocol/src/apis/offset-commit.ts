import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * OffsetCommit (key 8). The per-partition commit timestamp exists only in v1 and the retention
 * time only in v2-v4; later versions leave retention to the broker. The second field carries the
 * classic generation id or, for a KIP-848 consumer group, the member epoch.
 *
 * OffsetCommit Request (Version: 9) => group_id generation_id_or_member_epoch member_id
 *                                      group_instance_id [topics] _tagged_fields
 *   topics => name [partitions] _tagged_fields
 *     partitions => partition_index committed_offset committed_leader_epoch committed_metadata
 *                   _tagged_fields
 * OffsetCommit Response (Version: 9) => throttle_time_ms [topics] _tagged_fields
 *   topics => name [partitions] _tagged_fields
 *     partitions => partition_index error_code _tagged_fields
 */
export const OffsetCommit = defineApi({
  apiKey: 8,
  name: 'OffsetCommit',
  validVersions: '0-9',
  flexibleVersions: '8+',
  request: [
    f.string('groupId', '0+'),
    f.int32('generationIdOrMemberEpoch', '1+', { default: -1, ignorable: true }),
    f.string('memberId', '1+', { ignorable: true }),
    f.string('groupInstanceId', '7+', { nullable: '7+', default: null }),
    f.int64('retentionTimeMs', '2-4', { default: -1n, ignorable: true }),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int64('committedOffset', '0+'),
        f.int32('committedLeaderEpoch', '6+', { default: -1, ignorable: true }),
        f.int64('commitTimestamp', '1', { default: -1n }),
        f.string('committedMetadata', '0+', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    f.int32('throttleTimeMs', '3+', { ignorable: true }),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+')]),
    ]),
  ],
});

export type OffsetCommitRequest = RequestOf<typeof OffsetCommit>;
export type OffsetCommitResponse = ResponseOf<typeof OffsetCommit>;
