// Public surface of @oxbow/controller. Explicit named exports only; the conformance suite is
// exported separately from `@oxbow/controller/testing`.
export type { BrokerInfo, Coordinator, CoordinatorEvent, CreateTopicRequest, PartitionState, ProducerIdBlock, TopicRecord } from './coordinator.js';
export {
  MAX_MANIFEST_APPENDS,
  type ManifestAppend,
  type ManifestCommitResult,
  type ManifestEntry,
  type ManifestEntryFormat,
  type ManifestStore,
  type PartitionManifest,
} from './manifest.js';
export { EmbeddedCoordinator, type EmbeddedCoordinatorOptions } from './embedded-coordinator.js';
export { CoordinatorError, COORDINATOR_ERROR_CODES, type CoordinatorErrorCode } from './coordinator-error.js';
export {
  assignReplicas,
  checkPartitionCount,
  checkReplicationFactor,
  newPartitionState,
  validateAssignments,
  validatePartitionUpdate,
  type AssignmentInput,
} from './assignment.js';
export { newClusterId, newTopicId, isValidClusterId, isValidTopicId, validateTopicName, topicCollisionKey, MAX_TOPIC_NAME_LENGTH } from './identifiers.js';
export { EtcdCoordinator, type EtcdCoordinatorOptions, type EtcdCloseOptions } from './etcd/etcd-coordinator.js';
export { type SessionLost, type SessionLostReason, type SessionRestored } from './etcd/etcd-session.js';
export { type CoordinatorLogger } from './etcd/coordinator-logger.js';
export {
  ClusterController,
  STORAGE_MODE_CONFIG,
  UNCLEAN_LEADER_ELECTION_CONFIG,
  changeIsr,
  electDisklessLeader,
  electLeader,
  expandIsr,
  shrinkIsr,
  type ClusterControllerOptions,
  type ControllableCoordinator,
  type IsrChange,
} from './cluster-controller.js';
