import { defineApi, type RequestOf, type ResponseOf } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * Metadata (key 3). In v0 an empty topic list means "all topics"; from v1 that is a null list and
 * an empty one means none. From v10 topics may be asked for by id (name null); from v12 a topic
 * in the response may have a null name (unknown id). Cluster-level authorized operations moved to
 * DescribeCluster after v10.
 *
 * Metadata Request (Version: 12) => [topics] allow_auto_topic_creation
 *     include_topic_authorized_operations _tagged_fields
 *   topics => topic_id name _tagged_fields
 * Metadata Response (Version: 12) => throttle_time_ms [brokers] cluster_id controller_id [topics] _tagged_fields
 *   brokers => node_id host port rack _tagged_fields
 *   topics => error_code name topic_id is_internal [partitions] topic_authorized_operations _tagged_fields
 *     partitions => error_code partition_index leader_id leader_epoch [replica_nodes] [isr_nodes]
 *                   [offline_replicas] _tagged_fields
 */
export const Metadata = defineApi({
  apiKey: 3,
  name: 'Metadata',
  validVersions: '0-12',
  flexibleVersions: '9+',
  request: [
    f.structs(
      'topics',
      '0+',
      [f.uuid('topicId', '10+', { ignorable: true }), f.string('name', '0+', { nullable: '10+' })],
      { nullable: '1+' },
    ),
    f.bool('allowAutoTopicCreation', '4+', { default: true }),
    f.bool('includeClusterAuthorizedOperations', '8-10'),
    f.bool('includeTopicAuthorizedOperations', '8+'),
  ],
  response: [
    f.int32('throttleTimeMs', '3+', { ignorable: true }),
    f.structs('brokers', '0+', [
      f.int32('nodeId', '0+'),
      f.string('host', '0+'),
      f.int32('port', '0+'),
      f.string('rack', '1+', { nullable: '1+', default: null, ignorable: true }),
    ]),
    f.string('clusterId', '2+', { nullable: '2+', default: null, ignorable: true }),
    f.int32('controllerId', '1+', { default: -1, ignorable: true }),
    f.structs('topics', '0+', [
      f.int16('errorCode', '0+'),
      f.string('name', '0+', { nullable: '12+' }),
      f.uuid('topicId', '10+', { ignorable: true }),
      f.bool('isInternal', '1+', { default: false, ignorable: true }),
      f.structs('partitions', '0+', [
        f.int16('errorCode', '0+'),
        f.int32('partitionIndex', '0+'),
        f.int32('leaderId', '0+'),
        f.int32('leaderEpoch', '7+', { default: -1, ignorable: true }),
        f.array('replicaNodes', '0+', 'int32'),
        f.array('isrNodes', '0+', 'int32'),
        f.array('offlineReplicas', '5+', 'int32', { ignorable: true }),
      ]),
      f.int32('topicAuthorizedOperations', '8+', { default: -2147483648 }),
    ]),
    f.int32('clusterAuthorizedOperations', '8-10', { default: -2147483648 }),
  ],
});

export type MetadataRequest = RequestOf<typeof Metadata>;
export type MetadataResponse = ResponseOf<typeof Metadata>;
