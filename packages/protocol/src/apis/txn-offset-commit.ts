import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * TxnOffsetCommit (key 28). Offsets written inside a transaction, visible only once it commits.
 * v3 adds the consumer's group membership so the coordinator can fence zombie members.
 *
 * TxnOffsetCommit Request (Version: 4) => transactional_id group_id producer_id producer_epoch
 *                                         generation_id member_id group_instance_id [topics] _tagged_fields
 *   topics => name [partitions] _tagged_fields
 *     partitions => partition_index committed_offset committed_leader_epoch committed_metadata _tagged_fields
 * TxnOffsetCommit Response (Version: 4) => throttle_time_ms [topics] _tagged_fields
 *   topics => name [partitions] _tagged_fields
 *     partitions => partition_index error_code _tagged_fields
 */
export const TxnOffsetCommit = defineApi({
  apiKey: 28,
  name: 'TxnOffsetCommit',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [
    f.string('transactionalId', '0+'),
    f.string('groupId', '0+'),
    f.int64('producerId', '0+'),
    f.int16('producerEpoch', '0+'),
    f.int32('generationId', '3+', { default: -1 }),
    f.string('memberId', '3+', { default: '' }),
    f.string('groupInstanceId', '3+', { nullable: '3+', default: null }),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int64('committedOffset', '0+'),
        f.int32('committedLeaderEpoch', '2+', { default: -1, ignorable: true }),
        f.string('committedMetadata', '0+', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.structs('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+')]),
    ]),
  ],
});

export type TxnOffsetCommitRequest = RequestOf<typeof TxnOffsetCommit>;
export type TxnOffsetCommitResponse = ResponseOf<typeof TxnOffsetCommit>;
