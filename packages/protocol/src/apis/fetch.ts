import { defineApi, type RequestOf, type ResponseOf } from '../schema/api.js';
import { f } from '../schema/fields.js';

/**
 * Fetch (key 1). Topics are named up to v12 and identified by topic id from v13. The follower's
 * replica id moves from a regular field (v0-14) into the tagged `replicaState` struct (v15+). The
 * tagged per-partition structs default to -1 members, so they are only sent when set.
 *
 * Fetch Request (Version: 17) => max_wait_ms min_bytes max_bytes isolation_level session_id
 *     session_epoch [topics] [forgotten_topics_data] rack_id _tagged_fields
 *   topics => topic_id [partitions] _tagged_fields
 *     partitions => partition current_leader_epoch fetch_offset last_fetched_epoch
 *                   log_start_offset partition_max_bytes _tagged_fields
 *   forgotten_topics_data => topic_id [partitions] _tagged_fields
 *   tagged: cluster_id (0), replica_state (1); per partition replica_directory_id (0)
 * Fetch Response (Version: 17) => throttle_time_ms error_code session_id [responses] _tagged_fields
 *   responses => topic_id [partitions] _tagged_fields
 *     partitions => partition_index error_code high_watermark last_stable_offset log_start_offset
 *                   [aborted_transactions] preferred_read_replica records _tagged_fields
 *       aborted_transactions => producer_id first_offset _tagged_fields
 *   tagged: node_endpoints (0); per partition diverging_epoch (0), current_leader (1), snapshot_id (2)
 */
export const Fetch = defineApi({
  apiKey: 1,
  name: 'Fetch',
  validVersions: '0-17',
  flexibleVersions: '12+',
  request: [
    f.string('clusterId', '12+', { nullable: '12+', default: null, tagged: '12+', tag: 0, ignorable: true }),
    f.int32('replicaId', '0-14', { default: -1 }),
    f.struct(
      'replicaState',
      '15+',
      [f.int32('replicaId', '15+', { default: -1 }), f.int64('replicaEpoch', '15+', { default: -1n })],
      { tagged: '15+', tag: 1 },
    ),
    f.int32('maxWaitMs', '0+'),
    f.int32('minBytes', '0+'),
    f.int32('maxBytes', '3+', { default: 0x7fffffff, ignorable: true }),
    f.int8('isolationLevel', '4+', { default: 0, ignorable: true }),
    f.int32('sessionId', '7+', { default: 0, ignorable: true }),
    f.int32('sessionEpoch', '7+', { default: -1, ignorable: true }),
    f.structs('topics', '0+', [
      f.string('topic', '0-12', { ignorable: true }),
      f.uuid('topicId', '13+', { ignorable: true }),
      f.structs('partitions', '0+', [
        f.int32('partition', '0+'),
        f.int32('currentLeaderEpoch', '9+', { default: -1, ignorable: true }),
        f.int64('fetchOffset', '0+'),
        f.int32('lastFetchedEpoch', '12+', { default: -1 }),
        f.int64('logStartOffset', '5+', { default: -1n, ignorable: true }),
        f.int32('partitionMaxBytes', '0+'),
        f.uuid('replicaDirectoryId', '17+', { tagged: '17+', tag: 0, ignorable: true }),
      ]),
    ]),
    f.structs('forgottenTopicsData', '7+', [
      f.string('topic', '7-12', { ignorable: true }),
      f.uuid('topicId', '13+', { ignorable: true }),
      f.array('partitions', '7+', 'int32'),
    ]),
    f.string('rackId', '11+', { default: '', ignorable: true }),
  ],
  response: [
    f.int32('throttleTimeMs', '1+', { ignorable: true }),
    f.int16('errorCode', '7+', { ignorable: true }),
    f.int32('sessionId', '7+', { default: 0 }),
    f.structs('responses', '0+', [
      f.string('topic', '0-12', { ignorable: true }),
      f.uuid('topicId', '13+', { ignorable: true }),
      f.structs('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int16('errorCode', '0+'),
        f.int64('highWatermark', '0+'),
        f.int64('lastStableOffset', '4+', { default: -1n, ignorable: true }),
        f.int64('logStartOffset', '5+', { default: -1n, ignorable: true }),
        f.struct(
          'divergingEpoch',
          '12+',
          [f.int32('epoch', '12+', { default: -1 }), f.int64('endOffset', '12+', { default: -1n })],
          { tagged: '12+', tag: 0 },
        ),
        f.struct(
          'currentLeader',
          '12+',
          [f.int32('leaderId', '12+', { default: -1 }), f.int32('leaderEpoch', '12+', { default: -1 })],
          { tagged: '12+', tag: 1 },
        ),
        f.struct(
          'snapshotId',
          '12+',
          [f.int64('endOffset', '0+', { default: -1n }), f.int32('epoch', '0+', { default: -1 })],
          { tagged: '12+', tag: 2 },
        ),
        f.structs(
          'abortedTransactions',
          '4+',
          [f.int64('producerId', '4+'), f.int64('firstOffset', '4+')],
          { nullable: '4+', ignorable: true },
        ),
        f.int32('preferredReadReplica', '11+', { default: -1 }),
        f.records('records', '0+', { nullable: '0+' }),
      ]),
    ]),
    f.structs(
      'nodeEndpoints',
      '16+',
      [
        f.int32('nodeId', '16+'),
        f.string('host', '16+'),
        f.int32('port', '16+'),
        f.string('rack', '16+', { nullable: '16+', default: null }),
      ],
      { tagged: '16+', tag: 0 },
    ),
  ],
});

export type FetchRequest = RequestOf<typeof Fetch>;
export type FetchResponse = ResponseOf<typeof Fetch>;
