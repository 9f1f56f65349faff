import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * ApiVersions (key 18). The response header stays v0 even in flexible versions, so a client that
 * sent a version the broker does not know can still read the error and the broker's ranges.
 *
 * ApiVersions Request (Version: 3+) => client_software_name client_software_version _tagged_fields
 * ApiVersions Response (Version: 3+) => error_code [api_keys] throttle_time_ms _tagged_fields
 *   api_keys => api_key min_version max_version _tagged_fields
 */
export const ApiVersions = defineApi({
  apiKey: 18,
  name: 'ApiVersions',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: [
    f.string('clientSoftwareName', '3+'),
    f.string('clientSoftwareVersion', '3+'),
  ],
  response: [
    f.int16('errorCode', '0+'),
    f.structs('apiKeys', '0+', [
      f.int16('apiKey', '0+'),
      f.int16('minVersion', '0+'),
      f.int16('maxVersion', '0+'),
    ]),
    f.int32('throttleTimeMs', '1+', { ignorable: true }),
    f.structs(
      'supportedFeatures',
      '3+',
      [f.string('name', '3+'), f.int16('minVersion', '3+'), f.int16('maxVersion', '3+')],
      { tagged: '3+', tag: 0, ignorable: true },
    ),
    f.int64('finalizedFeaturesEpoch', '3+', { tagged: '3+', tag: 1, default: -1n, ignorable: true }),
    f.structs(
      'finalizedFeatures',
      '3+',
      [f.string('name', '3+'), f.int16('maxVersionLevel', '3+'), f.int16('minVersionLevel', '3+')],
      { tagged: '3+', tag: 2, ignorable: true },
    ),
    f.bool('zkMigrationReady', '3+', { tagged: '3+', tag: 3, default: false, ignorable: true }),
  ],
});
