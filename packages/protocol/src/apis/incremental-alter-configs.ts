import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * IncrementalAlterConfigs (key 44). Each config carries its own operation: 0 set, 1 delete,
 * 2 append, 3 subtract (the last two for list-valued configs).
 *
 * IncrementalAlterConfigs Request (Version: 1) => [resources] validate_only _tagged_fields
 *   resources => resource_type resource_name [configs] _tagged_fields
 *     configs => name config_operation value _tagged_fields
 * IncrementalAlterConfigs Response (Version: 1) => throttle_time_ms [responses] _tagged_fields
 *   responses => error_code error_message resource_type resource_name _tagged_fields
 */
export const IncrementalAlterConfigs = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  validVersions: '0-1',
  flexibleVersions: '1+',
  request: [
    f.structs('resources', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.structs('configs', '0+', [
        f.string('name', '0+'),
        f.int8('configOperation', '0+'),
        f.string('value', '0+', { nullable: '0+' }),
      ]),
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

export type IncrementalAlterConfigsRequest = RequestOf<typeof IncrementalAlterConfigs>;
export type IncrementalAlterConfigsResponse = ResponseOf<typeof IncrementalAlterConfigs>;
