import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DeleteAcls (key 31). One result per filter, listing every ACL the filter matched and removed.
 * v0 (deprecated) has no pattern types; they read as 3 (LITERAL).
 *
 * DeleteAcls Request (Version: 3) => [filters] _tagged_fields
 *   filters => resource_type_filter resource_name_filter pattern_type_filter principal_filter
 *              host_filter operation permission_type _tagged_fields
 * DeleteAcls Response (Version: 3) => throttle_time_ms [filter_results] _tagged_fields
 *   filter_results => error_code error_message [matching_acls] _tagged_fields
 *     matching_acls => error_code error_message resource_type resource_name pattern_type principal
 *                      host operation permission_type _tagged_fields
 */
export const DeleteAcls = defineApi({
  apiKey: 31,
  name: 'DeleteAcls',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    f.structs('filters', '0+', [
      f.int8('resourceTypeFilter', '0+'),
      f.string('resourceNameFilter', '0+', { nullable: '0+' }),
      f.int8('patternTypeFilter', '1+', { default: 3 }),
      f.string('principalFilter', '0+', { nullable: '0+' }),
      f.string('hostFilter', '0+', { nullable: '0+' }),
      f.int8('operation', '0+'),
      f.int8('permissionType', '0+'),
    ]),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('filterResults', '0+', [
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '0+', { nullable: '0+' }),
      f.structs('matchingAcls', '0+', [
        f.int16('errorCode', '0+'),
        f.string('errorMessage', '0+', { nullable: '0+' }),
        f.int8('resourceType', '0+'),
        f.string('resourceName', '0+'),
        f.int8('patternType', '1+', { default: 3 }),
        f.string('principal', '0+'),
        f.string('host', '0+'),
        f.int8('operation', '0+'),
        f.int8('permissionType', '0+'),
      ]),
    ]),
  ],
});

export type DeleteAclsRequest = RequestOf<typeof DeleteAcls>;
export type DeleteAclsResponse = ResponseOf<typeof DeleteAcls>;
