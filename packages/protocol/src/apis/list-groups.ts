import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * ListGroups (key 16). v4 adds a state filter and the group state, v5 a type filter and the group
 * type (classic/consumer/share); empty filters mean "all".
 *
 * ListGroups Request (Version: 5) => [states_filter] [types_filter] _tagged_fields
 * ListGroups Response (Version: 5) => throttle_time_ms error_code [groups] _tagged_fields
 *   groups => group_id protocol_type group_state group_type _tagged_fields
 */
export const ListGroups = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: [f.array('statesFilter', '4+', 'string'), f.array('typesFilter', '5+', 'string')],
  response: [
    f.int32('throttleTimeMs', '1+', { ignorable: true }),
    f.int16('errorCode', '0+'),
    f.structs('groups', '0+', [
      f.string('groupId', '0+'),
      f.string('protocolType', '0+'),
      f.string('groupState', '4+', { ignorable: true }),
      f.string('groupType', '5+', { ignorable: true }),
    ]),
  ],
});

export type ListGroupsRequest = RequestOf<typeof ListGroups>;
export type ListGroupsResponse = ResponseOf<typeof ListGroups>;
