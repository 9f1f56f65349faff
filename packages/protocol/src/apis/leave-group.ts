import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * LeaveGroup (key 13). Up to v2 one member leaves (`memberId`); from v3 the request is a batch of
 * member identities (so an admin can remove static members by instance id) and the response
 * carries a per-member error code.
 *
 * LeaveGroup Request (Version: 5) => group_id [members] _tagged_fields
 *   members => member_id group_instance_id reason _tagged_fields
 * LeaveGroup Response (Version: 5) => throttle_time_ms error_code [members] _tagged_fields
 *   members => member_id group_instance_id error_code _tagged_fields
 */
export const LeaveGroup = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: [
    f.string('groupId', '0+'),
    f.string('memberId', '0-2'),
    f.structs('members', '3+', [
      f.string('memberId', '3+'),
      f.string('groupInstanceId', '3+', { nullable: '3+', default: null }),
      f.string('reason', '5+', { nullable: '5+', default: null, ignorable: true }),
    ]),
  ],
  response: [
    f.int32('throttleTimeMs', '1+', { ignorable: true }),
    f.int16('errorCode', '0+'),
    f.structs('members', '3+', [
      f.string('memberId', '3+'),
      f.string('groupInstanceId', '3+', { nullable: '3+' }),
      f.int16('errorCode', '3+'),
    ]),
  ],
});

export type LeaveGroupRequest = RequestOf<typeof LeaveGroup>;
export type LeaveGroupResponse = ResponseOf<typeof LeaveGroup>;
