import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DeleteGroups (key 42). Deletes empty groups and their committed offsets; one result per group.
 * Unlike most responses, `throttleTimeMs` is present from v0.
 *
 * DeleteGroups Request (Version: 2) => [groups_names] _tagged_fields
 * DeleteGroups Response (Version: 2) => throttle_time_ms [results] _tagged_fields
 *   results => group_id error_code _tagged_fields
 */
export const DeleteGroups = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [f.array('groupsNames', '0+', 'string')],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('results', '0+', [f.string('groupId', '0+'), f.int16('errorCode', '0+')]),
  ],
});

export type DeleteGroupsRequest = RequestOf<typeof DeleteGroups>;
export type DeleteGroupsResponse = ResponseOf<typeof DeleteGroups>;
