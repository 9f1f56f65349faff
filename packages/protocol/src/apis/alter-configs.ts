import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * AlterConfigs (key 33). Replaces a resource's whole set of dynamic configs with the ones given
 * (keys left out are reset); IncrementalAlterConfigs is the per-key alternative.
 *
 * AlterConfigs Request (Version: 2) => [resources] validate_only _tagged_fields
 *   resources => resource_type resource_name [configs] _tagged_fields
 *     configs => name value _tagged_fields
 * AlterConfigs Response (Version: 2) => throttle_time_ms [responses] _tagged_fields
 *   responses => error_code error_message resource_type resource_name _tagged_fields
 */
export const AlterConfigs = defineApi({
  apiKey: 33,
  name: 'AlterConfigs',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    f.structs('resources', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.structs('configs', '0+', [f.string('name', '0+'), f.string('value', '0+', { nullable: '0+' })]),
    ]),
    f.bool('validateOnly', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('responses', '0+', [
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '0+', { nullable: '0+' }),
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
    ]),
  ],
});

export type AlterConfigsRequest = RequestOf<typeof AlterConfigs>;
export type AlterConfigsResponse = ResponseOf<typeof AlterConfigs>;
