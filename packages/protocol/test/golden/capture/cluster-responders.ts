/**
 * Capture-server responders for the cluster as a whole: ApiVersions (every API we know, at every
 * version), Metadata, DescribeCluster, and SASL (PLAIN, any credentials).
 */
import { ALL_APIS, ApiVersions, DescribeCluster, Metadata, SaslAuthenticate, SaslHandshake } from '../../../src/index.js';
import { CLUSTER_ID, NODE_ID, ZERO_UUID, type FakeCluster } from './fake-cluster.js';
import type { On } from './handlers.js';

export function registerClusterResponders(on: On, cluster: FakeCluster): void {
  const { host, topics, topic, topicById } = cluster;

  on(ApiVersions, (_b, v, _req, respond) =>
    respond(ApiVersions, {
      errorCode: 0,
      apiKeys: ALL_APIS.map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })),
      throttleTimeMs: 0,
      ...(v >= 3 ? { finalizedFeaturesEpoch: -1n } : {}),
    }),
  );

  on(Metadata, (b, v, _req, respond) => {
    const wanted =
      b.topics === null || (v === 0 && b.topics.length === 0)
        ? [...topics.values()]
        : b.topics.map((t) => (t.name === null ? topicById(t.topicId) : topic(t.name)));
    return respond(Metadata, {
      throttleTimeMs: 0,
      brokers: [{ nodeId: NODE_ID, host, port: cluster.advertisedPort, rack: null }],
      clusterId: CLUSTER_ID,
      controllerId: NODE_ID,
      topics: wanted.map((t, i) =>
        t === undefined
          ? { errorCode: 100, name: null, topicId: b.topics?.[i]?.topicId ?? ZERO_UUID, isInternal: false, partitions: [] }
          : {
              errorCode: 0,
              name: t.name,
              topicId: t.id,
              isInternal: false,
              partitions: t.partitions.map((_p, idx) => ({
                errorCode: 0,
                partitionIndex: idx,
                leaderId: NODE_ID,
                leaderEpoch: 0,
                replicaNodes: [NODE_ID],
                isrNodes: [NODE_ID],
                offlineReplicas: [],
              })),
            },
      ),
    });
  });

  on(DescribeCluster, (_b, _v, _req, respond) =>
    respond(DescribeCluster, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      clusterId: CLUSTER_ID,
      controllerId: NODE_ID,
      brokers: [{ brokerId: NODE_ID, host, port: cluster.advertisedPort, rack: null }],
      clusterAuthorizedOperations: -2147483648,
    }),
  );

  on(SaslHandshake, (_b, _v, _req, respond) => respond(SaslHandshake, { errorCode: 0, mechanisms: ['PLAIN'] }));
  on(SaslAuthenticate, (_b, _v, _req, respond) =>
    respond(SaslAuthenticate, { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n }),
  );
}
