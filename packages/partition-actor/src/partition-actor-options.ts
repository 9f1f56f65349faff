// The partition actor's options and the leader side of replication's request and answer.
import type { PartitionBackend } from './backend.js';
import type { ValidationConfig } from './batch-validator.js';

export interface PartitionActorConfig extends ValidationConfig {
  /** min.insync.replicas: acks=all needs at least this many replicas in sync. */
  readonly minInsyncReplicas: number;
}

export interface PartitionLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PartitionActorOptions {
  readonly topic: string;
  readonly partition: number;
  readonly backend: PartitionBackend;
  readonly config: PartitionActorConfig;
  readonly leaderEpoch: number;
  /** Replicas currently in sync when there is no `replication` (1 on a single node). */
  readonly isrSize: number;
  /** Replication (replication factor > 1, or any partition in a cluster): this node's role and peers. */
  readonly replication?: ReplicationOptions;
  readonly mailboxCapacity?: number;
  readonly now?: () => number;
  readonly logger?: PartitionLogger;
  /** producer.id.expiration.ms: idle idempotent producers are forgotten after this (default 1 day). */
  readonly producerIdExpirationMs?: number;
}

/** How a partition replicates; see {@link PartitionActor.becomeLeader} and {@link PartitionActor.becomeFollower}. */
export interface ReplicationOptions {
  /** This node's id. */
  readonly selfId: number;
  /** replica.lag.time.max.ms: an ISR member not caught up for this long is removed. */
  readonly lagTimeMaxMs: number;
  /**
   * Proposes a new ISR to the coordinator (compare-and-swap on the leader epoch); resolves to the
   * ISR now in force, or null when the change lost (the leader moved on).
   */
  readonly changeIsr: (isr: readonly number[]) => Promise<readonly number[] | null>;
  /** How long acks=all waits for the ISR before REQUEST_TIMED_OUT (default 30 s). */
  readonly ackTimeoutMs?: number;
}

export interface ReplicaFetchRequest {
  readonly replicaId: number;
  /** The leader epoch the follower knows; it must be the leader's. */
  readonly leaderEpoch: number;
  readonly fetchOffset: bigint;
  /** Epoch of the follower's last batch (-1 = empty log): the leader checks the logs agree up to there. */
  readonly lastFetchedEpoch: number;
  readonly maxBytes: number;
  readonly maxWaitMs: number;
}

export interface ReplicaFetchResult {
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
  readonly records: Buffer;
  /** Set when the follower's log diverges: it must truncate to `endOffset` (at most) and fetch again. */
  readonly divergingEpoch: { readonly epoch: number; readonly endOffset: bigint } | null;
}
