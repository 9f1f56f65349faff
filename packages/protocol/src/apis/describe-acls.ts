import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DescribeAcls (key 29). One filter per request; null strings match anything. Pattern types
 * arrive in v1; for v0 the pattern is taken as 3 (LITERAL). v0 is deprecated but still valid.
 *
 * DescribeAcls Request (Version: 3) => resource_type_filter resource_name_filter pattern_type_filter
 *                                      principal_filter host_filter operation permission_type _tagged_fields
 * DescribeAcls Response (Version: 3) => throttle_time_ms error_code error_message [resources] _tagged_fields
 *   resources => resource_type resource_name pattern_type [acls] _tagged_fields
 *     acls => principal host operation permission_type _tagged_fields
 */
export const DescribeAcls = defineApi({
  apiKey: 29,
  name: 'DescribeAcls',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    f.int8('resourceTypeFilter', '0+'),
    f.string('resourceNameFilter', '0+', { nullable: '0+' }),
    f.int8('patternTypeFilter', '1+', { default: 3 }),
    f.string('principalFilter', '0+', { nullable: '0+' }),
    f.string('hostFilter', '0+', { nullable: '0+' }),
    f.int8('operation', '0+'),
    f.int8('permissionType', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.string('errorMessage', '0+', { nullable: '0+' }),
    f.structs('resources', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.int8('patternType', '1+', { default: 3 }),
      f.structs('acls', '0+', [
        f.string('principal', '0+'),
        f.string('host', '0+'),
        f.int8('operation', '0+'),
        f.int8('permissionType', '0+'),
      ]),
    ]),
  ],
});

export type DescribeAclsRequest = RequestOf<typeof DescribeAcls>;
export type DescribeAclsResponse = ResponseOf<typeof DescribeAcls>;
