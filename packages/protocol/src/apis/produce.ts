import { defineApi, type RequestOf, type ResponseOf } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * Produce (key 0). `records` carries raw batch bytes: message sets (magic 0/1) up to v2, record
 * batches (magic 2) from v3. With acks=0 the broker sends no response at all.
 *
 * Produce Request (Version: 9+) => transactional_id acks timeout_ms [topic_data] _tagged_fields
 *   topic_data => name [partition_data] _tagged_fields
 *     partition_data => index records _tagged_fields
 * Produce Response (Version: 10+) => [responses] throttle_time_ms _tagged_fields
 *   responses => name [partition_responses] _tagged_fields
 *     partition_responses => index error_code base_offset log_append_time_ms log_start_offset
 *                            [record_errors] error_message _tagged_fields
 *       record_errors => batch_index batch_index_error_message _tagged_fields
 *   tagged: current_leader (partition, tag 0), node_endpoints (top level, tag 0)
 */
export const Produce = defineApi({
  apiKey: 0,
  name: 'Produce',
  validVersions: '0-11',
  flexibleVersions: '9+',
  request: [
    f.string('transactionalId', '3+', { nullable: '3+', default: null }),
    f.int16('acks', '0+'),
    f.int32('timeoutMs', '0+'),
    f.structs('topicData', '0+', [
      f.string('name', '0+'),
      f.structs('partitionData', '0+', [
        f.int32('index', '0+'),
        f.records('records', '0+', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    f.structs('responses', '0+', [
      f.string('name', '0+'),
      f.structs('partitionResponses', '0+', [
        f.int32('index', '0+'),
        f.int16('errorCode', '0+'),
        f.int64('baseOffset', '0+'),
        f.int64('logAppendTimeMs', '2+', { default: -1n, ignorable: true }),
        f.int64('logStartOffset', '5+', { default: -1n, ignorable: true }),
        f.structs(
          'recordErrors',
          '8+',
          [
            f.int32('batchIndex', '8+'),
            f.string('batchIndexErrorMessage', '8+', { nullable: '8+', default: null }),
          ],
          { ignorable: true },
        ),
        f.string('errorMessage', '8+', { nullable: '8+', default: null, ignorable: true }),
        f.struct(
          'currentLeader',
          '10+',
          [f.int32('leaderId', '10+', { default: -1 }), f.int32('leaderEpoch', '10+', { default: -1 })],
          { tagged: '10+', tag: 0 },
        ),
      ]),
    ]),
    f.int32('throttleTimeMs', '1+', { default: 0, ignorable: true }),
    f.structs(
      'nodeEndpoints',
      '10+',
      [
        f.int32('nodeId', '10+'),
        f.string('host', '10+'),
        f.int32('port', '10+'),
        f.string('rack', '10+', { nullable: '10+', default: null }),
      ],
      { tagged: '10+', tag: 0 },
    ),
  ],
});

export type ProduceRequest = RequestOf<typeof Produce>;
export type ProduceResponse = ResponseOf<typeof Produce>;
