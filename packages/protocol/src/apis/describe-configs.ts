import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * DescribeConfigs (key 32). `configurationKeys` null means every key. v0 answers with
 * `isDefault`; v1 replaces it with `configSource` and adds synonyms; v3 adds the config type and
 * documentation.
 *
 * DescribeConfigs Request (Version: 4) => [resources] include_synonyms include_documentation _tagged_fields
 *   resources => resource_type resource_name [configuration_keys] _tagged_fields
 * DescribeConfigs Response (Version: 4) => throttle_time_ms [results] _tagged_fields
 *   results => error_code error_message resource_type resource_name [configs] _tagged_fields
 *     configs => name value read_only config_source is_sensitive [synonyms] config_type
 *                documentation _tagged_fields
 *       synonyms => name value source _tagged_fields
 */
export const DescribeConfigs = defineApi({
  apiKey: 32,
  name: 'DescribeConfigs',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    f.structs('resources', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.array('configurationKeys', '0+', 'string', { nullable: '0+' }),
    ]),
    f.bool('includeSynonyms', '1+', { default: false }),
    f.bool('includeDocumentation', '3+', { default: false }),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('results', '0+', [
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '0+', { nullable: '0+' }),
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.structs('configs', '0+', [
        f.string('name', '0+'),
        f.string('value', '0+', { nullable: '0+' }),
        f.bool('readOnly', '0+'),
        f.bool('isDefault', '0'),
        f.int8('configSource', '1+', { default: -1, ignorable: true }),
        f.bool('isSensitive', '0+'),
        f.structs(
          'synonyms',
          '1+',
          [f.string('name', '1+'), f.string('value', '1+', { nullable: '0+' }), f.int8('source', '1+')],
          { ignorable: true },
        ),
        f.int8('configType', '3+', { default: 0, ignorable: true }),
        f.string('documentation', '3+', { nullable: '0+', ignorable: true }),
      ]),
    ]),
  ],
});

export type DescribeConfigsRequest = RequestOf<typeof DescribeConfigs>;
export type DescribeConfigsResponse = ResponseOf<typeof DescribeConfigs>;
