import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * Heartbeat (key 12). A classic-protocol member's keep-alive; a rebalance in progress is signalled
 * through the error code (REBALANCE_IN_PROGRESS), not a field.
 *
 * Heartbeat Request (Version: 4) => group_id generation_id member_id group_instance_id _tagged_fields
 * Heartbeat Response (Version: 4) => throttle_time_ms error_code _tagged_fields
 */
export const Heartbeat = defineApi({
  apiKey: 12,
  name: 'Heartbeat',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    f.string('groupId', '0+'),
    f.int32('generationId', '0+'),
    f.string('memberId', '0+'),
    f.string('groupInstanceId', '3+', { nullable: '3+', default: null }),
  ],
  response: [f.int32('throttleTimeMs', '1+', { ignorable: true }), f.int16('errorCode', '0+')],
});

export type HeartbeatRequest = RequestOf<typeof Heartbeat>;
export type HeartbeatResponse = ResponseOf<typeof Heartbeat>;
