import { AddOffsetsToTxn } from './add-offsets-to-txn.js';
import { AddPartitionsToTxn } from './add-partitions-to-txn.js';
import { AlterConfigs } from './alter-configs.js';
import { ApiVersions } from './api-versions.js';
import { CreateAcls } from './create-acls.js';
import { CreatePartitions } from './create-partitions.js';
import { CreateTopics } from './create-topics.js';
import { DeleteAcls } from './delete-acls.js';
import { DeleteGroups } from './delete-groups.js';
import { DeleteRecords } from './delete-records.js';
import { DeleteTopics } from './delete-topics.js';
import { DescribeAcls } from './describe-acls.js';
import { DescribeCluster } from './describe-cluster.js';
import { DescribeConfigs } from './describe-configs.js';
import { DescribeGroups } from './describe-groups.js';
import { DescribeProducers } from './describe-producers.js';
import { DescribeTransactions } from './describe-transactions.js';
import { EndTxn } from './end-txn.js';
import { Fetch } from './fetch.js';
import { FindCoordinator } from './find-coordinator.js';
import { Heartbeat } from './heartbeat.js';
import { IncrementalAlterConfigs } from './incremental-alter-configs.js';
import { InitProducerId } from './init-producer-id.js';
import { JoinGroup } from './join-group.js';
import { LeaveGroup } from './leave-group.js';
import { ListGroups } from './list-groups.js';
import { ListOffsets } from './list-offsets.js';
import { ListTransactions } from './list-transactions.js';
import { Metadata } from './metadata.js';
import { OffsetCommit } from './offset-commit.js';
import { OffsetDelete } from './offset-delete.js';
import { OffsetFetch } from './offset-fetch.js';
import { OffsetForLeaderEpoch } from './offset-for-leader-epoch.js';
import { Produce } from './produce.js';
import { SaslAuthenticate } from './sasl-authenticate.js';
import { SaslHandshake } from './sasl-handshake.js';
import { SyncGroup } from './sync-group.js';
import { TxnOffsetCommit } from './txn-offset-commit.js';
import type { Api } from '../schema/api.js';

/**
 * Every API this codec knows, with Kafka's full version ranges. Which APIs and versions a broker
 * serves is the broker's decision (its handler registry), not this list's.
 */
export const ALL_APIS: readonly Api[] = [
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  AlterConfigs,
  ApiVersions,
  CreateAcls,
  CreatePartitions,
  CreateTopics,
  DeleteAcls,
  DeleteGroups,
  DeleteRecords,
  DeleteTopics,
  DescribeAcls,
  DescribeCluster,
  DescribeConfigs,
  DescribeGroups,
  DescribeProducers,
  DescribeTransactions,
  EndTxn,
  Fetch,
  FindCoordinator,
  Heartbeat,
  IncrementalAlterConfigs,
  InitProducerId,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  ListOffsets,
  ListTransactions,
  Metadata,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  OffsetForLeaderEpoch,
  Produce,
  SaslAuthenticate,
  SaslHandshake,
  SyncGroup,
  TxnOffsetCommit,
].sort((a, b) => a.apiKey - b.apiKey);

const BY_KEY: ReadonlyMap<number, Api> = new Map(ALL_APIS.map((api) => [api.apiKey, api]));

/** The API with this key, or undefined for keys this codec does not know. */
export function lookupApi(apiKey: number): Api | undefined {
  return BY_KEY.get(apiKey);
}
