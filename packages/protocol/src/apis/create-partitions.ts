import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * CreatePartitions (key 37). `assignments` is null when the broker should place the new
 * partitions itself; otherwise it holds one broker list per new partition.
 *
 * CreatePartitions Request (Version: 2+) => [topics] timeout_ms validate_only _tagged_fields
 *   topics => name count [assignments] _tagged_fields
 *     assignments => [broker_ids] _tagged_fields
 * CreatePartitions Response (Version: 2+) => throttle_time_ms [results] _tagged_fields
 *   results => name error_code error_message _tagged_fields
 */
export const CreatePartitions = defineApi({
  apiKey: 37,
  name: 'CreatePartitions',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.int32('count', '0+'),
      f.structs('assignments', '0+', [f.array('brokerIds', '0+', 'int32')], { nullable: '0+' }),
    ]),
    f.int32('timeoutMs', '0+'),
    f.bool('validateOnly', '0+'),
  ],
  response: [
    f.int32('throttleTimeMs', '0+'),
    f.structs('results', '0+', [
      f.string('name', '0+'),
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '0+', { nullable: '0+', default: null }),
    ]),
  ],
});

export type CreatePartitionsRequest = RequestOf<typeof CreatePartitions>;
export type CreatePartitionsResponse = ResponseOf<typeof CreatePartitions>;
