import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * SyncGroup (key 14). Second step of a classic-protocol rebalance: the leader sends every member's
 * assignment, the others send an empty list, and each gets its own assignment back. Assignments
 * are opaque bytes here (the consumer protocol's encoding is the client's business). v5 echoes the
 * protocol type and name so the coordinator can reject a mismatch.
 *
 * SyncGroup Request (Version: 5) => group_id generation_id member_id group_instance_id protocol_type
 *                                   protocol_name [assignments] _tagged_fields
 *   assignments => member_id assignment _tagged_fields
 * SyncGroup Response (Version: 5) => throttle_time_ms error_code protocol_type protocol_name
 *                                    assignment _tagged_fields
 */
export const SyncGroup = defineApi({
  apiKey: 14,
  name: 'SyncGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: [
    f.string('groupId', '0+'),
    f.int32('generationId', '0+'),
    f.string('memberId', '0+'),
    f.string('groupInstanceId', '3+', { nullable: '3+', default: null }),
    f.string('protocolType', '5+', { nullable: '5+', default: null, ignorable: true }),
    f.string('protocolName', '5+', { nullable: '5+', default: null, ignorable: true }),
    f.structs('assignments', '0+', [f.string('memberId', '0+'), f.bytes('assignment', '0+')]),
  ],
  response: [
    f.int32('throttleTimeMs', '1+', { ignorable: true }),
    f.int16('errorCode', '0+'),
    f.string('protocolType', '5+', { nullable: '5+', default: null, ignorable: true }),
    f.string('protocolName', '5+', { nullable: '5+', default: null, ignorable: true }),
    f.bytes('assignment', '0+'),
  ],
});

export type SyncGroupRequest = RequestOf<typeof SyncGroup>;
export type SyncGroupResponse = ResponseOf<typeof SyncGroup>;
