// Public surface of @oxbow/partition-actor. Explicit named exports only.
export { BoundedMailbox, MailboxFullError } from './mailbox.js';
export type { AppendInfo, DeferredDurability, PartitionBackend } from './backend.js';
export { LocalLogBackend } from './local-log-backend.js';
export { validateProducedRecords, type ValidationConfig, type ValidationResult } from './batch-validator.js';
export {
  LIST_OFFSETS_TIMESTAMP,
  type Acks,
  type AppendOrigin,
  type AppendResult,
  type ListOffsetResult,
  type PartitionHandle,
  type ProducerDescription,
  type ReadRequest,
  type ReadResult,
  type TxnMarker,
} from './partition-handle.js';
export {
  PartitionActor,
  type PartitionActorConfig,
  type PartitionActorOptions,
  type PartitionLogger,
  type ReplicaFetchRequest,
  type ReplicaFetchResult,
  type ReplicationOptions,
} from './partition-actor.js';
export { FollowerFetcher, type FollowerFetcherOptions, type LeaderFetch } from './follower-fetcher.js';
export { LeaderReplicas } from './leader-replicas.js';
export {
  BATCHES_TO_RETAIN,
  incrementSequence,
  ProducerStateTable,
  type ProducerBatch,
  type ProducerCheck,
  type ProducerEntry,
  type RetainedBatch,
} from './producer-state.js';
export { decodeProducerSnapshot, encodeProducerSnapshot, type ProducerSnapshot } from './producer-snapshot.js';
export { TransactionIndex, type AbortedTransaction, type OpenTransaction } from './transaction-index.js';
