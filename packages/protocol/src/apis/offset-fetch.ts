import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * OffsetFetch (key 9). Up to v7 the request names one group (`groupId` + `topics`); from v8 it is a
 * batch of groups (`groups`), and the response moves from top-level `topics`/`errorCode` to
 * per-group entries. A null topic list (v2+ single-group, every v8+ group) means "every topic the
 * group has offsets for". v9 adds the KIP-848 member id and epoch per group.
 *
 * OffsetFetch Request (Version: 9) => [groups] require_stable _tagged_fields
 *   groups => group_id member_id member_epoch [topics] _tagged_fields
 *     topics => name [partition_indexes] _tagged_fields
 * OffsetFetch Response (Version: 9) => throttle_time_ms [groups] _tagged_fields
 *   groups => group_id [topics] error_code _tagged_fields
 *     topics => name [partitions] _tagged_fields
 *       partitions => partition_index committed_offset committed_leader_epoch metadata error_code
 *                     _tagged_fields
 */
export const OffsetFetch = defineApi({
  apiKey: 9,
  name: 'OffsetFetch',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: [
    f.string('groupId', '0-7'),
    f.structs('topics', '0-7', [f.string('name', '0-7'), f.array('partitionIndexes', '0-7', 'int32')], {
      nullable: '2-7',
    }),
    f.structs('groups', '8+', [
      f.string('groupId', '8+'),
      f.string('memberId', '9+', { nullable: '9+', default: null, ignorable: true }),
      f.int32('memberEpoch', '9+', { default: -1, ignorable: true }),
      f.structs('topics', '8+', [f.string('name', '8+'), f.array('partitionIndexes', '8+', 'int32')], {
        nullable: '8+',
      }),
    ]),
    f.bool('requireStable', '7+', { default: false }),
  ],
  response: [
    f.int32('throttleTimeMs', '3+', { ignorable: true }),
    f.structs('topics', '0-7', [
      f.string('name', '0-7'),
      f.structs('partitions', '0-7', [
        f.int32('partitionIndex', '0-7'),
        f.int64('committedOffset', '0-7'),
        f.int32('committedLeaderEpoch', '5-7', { default: -1, ignorable: true }),
        f.string('metadata', '0-7', { nullable: '0-7' }),
        f.int16('errorCode', '0-7'),
      ]),
    ]),
    f.int16('errorCode', '2-7', { default: 0, ignorable: true }),
    f.structs('groups', '8+', [
      f.string('groupId', '8+'),
      f.structs('topics', '8+', [
        f.string('name', '8+'),
        f.structs('partitions', '8+', [
          f.int32('partitionIndex', '8+'),
          f.int64('committedOffset', '8+'),
          f.int32('committedLeaderEpoch', '8+', { default: -1, ignorable: true }),
          f.string('metadata', '8+', { nullable: '8+' }),
          f.int16('errorCode', '8+'),
        ]),
      ]),
      f.int16('errorCode', '8+', { default: 0 }),
    ]),
  ],
});

export type OffsetFetchRequest = RequestOf<typeof OffsetFetch>;
export type OffsetFetchResponse = ResponseOf<typeof OffsetFetch>;
