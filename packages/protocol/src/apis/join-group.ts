import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * JoinGroup (key 11). First step of a classic-protocol rebalance. Since v4 a member that joins
 * without a member id is bounced with MEMBER_ID_REQUIRED and a fresh id, then joins again with it.
 * `protocolName` only becomes nullable in v7; `skipAssignment` (v9) tells a leader that the
 * coordinator assigns on its own.
 *
 * JoinGroup Request (Version: 9) => group_id session_timeout_ms rebalance_timeout_ms member_id
 *                                   group_instance_id protocol_type [protocols] reason _tagged_fields
 *   protocols => name metadata _tagged_fields
 * JoinGroup Response (Version: 9) => throttle_time_ms error_code generation_id protocol_type protocol_name
 *                                    leader skip_assignment member_id [members] _tagged_fields
 *   members => member_id group_instance_id metadata _tagged_fields
 */
export const JoinGroup = defineApi({
  apiKey: 11,
  name: 'JoinGroup',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: [
    f.string('groupId', '0+'),
    f.int32('sessionTimeoutMs', '0+'),
    f.int32('rebalanceTimeoutMs', '1+', { default: -1, ignorable: true }),
    f.string('memberId', '0+'),
    f.string('groupInstanceId', '5+', { nullable: '5+', default: null }),
    f.string('protocolType', '0+'),
    f.structs('protocols', '0+', [f.string('name', '0+'), f.bytes('metadata', '0+')]),
    f.string('reason', '8+', { nullable: '8+', default: null, ignorable: true }),
  ],
  response: [
    f.int32('throttleTimeMs', '2+', { ignorable: true }),
    f.int16('errorCode', '0+'),
    f.int32('generationId', '0+', { default: -1 }),
    f.string('protocolType', '7+', { nullable: '7+', default: null, ignorable: true }),
    f.string('protocolName', '0+', { nullable: '7+' }),
    f.string('leader', '0+'),
    f.bool('skipAssignment', '9+', { default: false }),
    f.string('memberId', '0+'),
    f.structs('members', '0+', [
      f.string('memberId', '0+'),
      f.string('groupInstanceId', '5+', { nullable: '5+', default: null, ignorable: true }),
      f.bytes('metadata', '0+'),
    ]),
  ],
});

export type JoinGroupRequest = RequestOf<typeof JoinGroup>;
export type JoinGroupResponse = ResponseOf<typeof JoinGroup>;
