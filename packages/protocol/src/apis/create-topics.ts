import type { RequestOf, ResponseOf } from '../schema/api.js';
import { defineApi } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * CreateTopics (key 19). `timeoutMs` defaults to 60000 rather than 0. From v5 the response echoes
 * the created topic's partition count, replication factor and configs; v7 adds the topic id.
 *
 * CreateTopics Request (Version: 7) => [topics] timeout_ms validate_only _tagged_fields
 *   topics => name num_partitions replication_factor [assignments] [configs] _tagged_fields
 *     assignments => partition_index [broker_ids] _tagged_fields
 *     configs => name value _tagged_fields
 * CreateTopics Response (Version: 7) => throttle_time_ms [topics] _tagged_fields
 *   topics => name topic_id error_code error_message num_partitions replication_factor [configs]
 *             _tagged_fields (topic_config_error_code: tag 0)
 *     configs => name value read_only config_source is_sensitive _tagged_fields
 */
export const CreateTopics = defineApi({
  apiKey: 19,
  name: 'CreateTopics',
  validVersions: '0-7',
  flexibleVersions: '5+',
  request: [
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.int32('numPartitions', '0+'),
      f.int16('replicationFactor', '0+'),
      f.structs('assignments', '0+', [f.int32('partitionIndex', '0+'), f.array('brokerIds', '0+', 'int32')]),
      f.structs('configs', '0+', [f.string('name', '0+'), f.string('value', '0+', { nullable: '0+' })]),
    ]),
    f.int32('timeoutMs', '0+', { default: 60000 }),
    f.bool('validateOnly', '1+', { default: false }),
  ],
  response: [
    f.int32('throttleTimeMs', '2+', { ignorable: true }),
    f.structs('topics', '0+', [
      f.string('name', '0+'),
      f.uuid('topicId', '7+', { ignorable: true }),
      f.int16('errorCode', '0+'),
      f.string('errorMessage', '1+', { nullable: '0+', ignorable: true }),
      f.int16('topicConfigErrorCode', '5+', { tagged: '5+', tag: 0, ignorable: true }),
      f.int32('numPartitions', '5+', { default: -1, ignorable: true }),
      f.int16('replicationFactor', '5+', { default: -1, ignorable: true }),
      f.structs(
        'configs',
        '5+',
        [
          f.string('name', '5+'),
          f.string('value', '5+', { nullable: '5+' }),
          f.bool('readOnly', '5+'),
          f.int8('configSource', '5+', { default: -1, ignorable: true }),
          f.bool('isSensitive', '5+'),
        ],
        { nullable: '5+', ignorable: true },
      ),
    ]),
  ],
});

export type CreateTopicsRequest = RequestOf<typeof CreateTopics>;
export type CreateTopicsResponse = ResponseOf<typeof CreateTopics>;
