import { defineApi, type RequestOf, type ResponseOf } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * FindCoordinator (key 10). Up to v3 one key per request and one coordinator in the response's top
 * level; from v4 keys are batched and each gets its own entry in `coordinators`.
 * `keyType`: 0 = group, 1 = transaction, 2 = share group.
 *
 * FindCoordinator Request (Version: 6) => key_type [coordinator_keys] _tagged_fields
 * FindCoordinator Response (Version: 6) => throttle_time_ms [coordinators] _tagged_fields
 *   coordinators => key node_id host port error_code error_message _tagged_fields
 */
export const FindCoordinator = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  validVersions: '0-6',
  flexibleVersions: '3+',
  request: [
    f.string('key', '0-3'),
    f.int8('keyType', '1+', { default: 0 }),
    f.array('coordinatorKeys', '4+', 'string'),
  ],
  response: [
    f.int32('throttleTimeMs', '1+', { ignorable: true }),
    f.int16('errorCode', '0-3'),
    f.string('errorMessage', '1-3', { nullable: '1-3', ignorable: true }),
    f.int32('nodeId', '0-3'),
    f.string('host', '0-3'),
    f.int32('port', '0-3'),
    f.structs('coordinators', '4+', [
      f.string('key', '4+'),
      f.int32('nodeId', '4+'),
      f.string('host', '4+'),
      f.int32('port', '4+'),
      f.int16('errorCode', '4+'),
      f.string('errorMessage', '4+', { nullable: '4+', ignorable: true }),
    ]),
  ],
});

export type FindCoordinatorRequest = RequestOf<typeof FindCoordinator>;
export type FindCoordinatorResponse = ResponseOf<typeof FindCoordinator>;
