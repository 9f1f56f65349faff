import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * CreateAcls (key 30). One result per creation, in request order. v0 (deprecated) has no pattern
 * type; it reads as 3 (LITERAL).
 *
 * CreateAcls Request (Version: 3) => [creations] _tagged_fields
 *   creations => resource_type resource_name resource_pattern_type principal host operation
 *                permission_type _tagged_fields
 * CreateAcls Response (Version: 3) => throttle_time_ms [results] _tagged_fields
 *   results => error_code error_message _tagged_fields
 */
export const CreateAcls = defineApi({
  apiKey: 30,
  name: 'CreateAcls',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    f.structs('creations', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.int8('resourcePatternType', '1+', { default: 3 }),
      f.string('principal', '0+'),
      f.string('host', '0+'),
      f.int8('operation', '0+'),
      f.int8('permissionType', '0+'),
    ]),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('results', '0+', [f.int16('errorCode', '0+'), f.string('errorMessage', '0+', { nullable: '0+' })]),
  ],
});

export type CreateAclsRequest = RequestOf<typeof CreateAcls>;
export type CreateAclsResponse = ResponseOf<typeof CreateAcls>;
