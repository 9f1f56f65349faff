import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DescribeGroups (key 15). Classic groups only; member metadata and assignment are opaque bytes.
 * `authorizedOperations` defaults to INT32_MIN ("not requested"). v6 (KIP-1043) answers an
 * unknown group with GROUP_ID_NOT_FOUND instead of a Dead group and adds a per-group message; the
 * request is unchanged at v6.
 *
 * DescribeGroups Request (Version: 6) => [groups] include_authorized_operations _tagged_fields
 * DescribeGroups Response (Version: 6) => throttle_time_ms [groups] _tagged_fields
 *   groups => error_code error_message group_id group_state protocol_type protocol_data [members]
 *             authorized_operations _tagged_fields
 *     members => member_id group_instance_id client_id client_host member_metadata member_assignment
 *                _tagged_fields
 */
export const DescribeGroups = defineApi({
  apiKey: 15,
  name: 'DescribeGroups',
  validVersions: '0-6',
  flexibleVersions: '5+',
  request: [f.array('groups', '0+', 'string'), f.bool('includeAuthorizedOperations', '3+')],
  response: [
    f.int32('throttleTimeMs', '1+', { ignorable: true }),
    f.structs('groups', '0+', [
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '6+', { nullable: '6+', default: null }),
      f.string('groupId', '0+'),
      f.string('groupState', '0+'),
      f.string('protocolType', '0+'),
      f.string('protocolData', '0+'),
      f.structs('members', '0+', [
        f.string('memberId', '0+'),
        f.string('groupInstanceId', '4+', { nullable: '4+', default: null, ignorable: true }),
        f.string('clientId', '0+'),
        f.string('clientHost', '0+'),
        f.bytes('memberMetadata', '0+'),
        f.bytes('memberAssignment', '0+'),
      ]),
      f.int32('authorizedOperations', '3+', { default: -2147483648 }),
    ]),
  ],
});

export type DescribeGroupsRequest = RequestOf<typeof DescribeGroups>;
export type DescribeGroupsResponse = ResponseOf<typeof DescribeGroups>;
