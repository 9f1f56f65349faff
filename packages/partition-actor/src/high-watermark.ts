import { KafkaErrorCode } from '@oxbow/protocol';
import { CommitWaiters } from './commit-waiters.js';
import { LeaderReplicas } from './leader-replicas.js';
import type { PartitionLogger, ReplicationOptions } from './partition-actor-options.js';

const DEFAULT_ACK_TIMEOUT_MS = 30_000;

/** What the high watermark's upkeep reads from its partition, each time it needs it. */
export interface HighWatermarkContext {
  readonly topic: string;
  readonly partition: number;
  readonly replication: ReplicationOptions | undefined;
  readonly logger: PartitionLogger | undefined;
  now(): number;
  /** Only a leader moves its high watermark itself (a follower learns it from its leader). */
  isLeader(): boolean;
  leaderEpoch(): number;
  minInsyncReplicas(): number;
  /** The end of what may be committed: the log end, or the durable end of a deferred backend. */
  durableEnd(): bigint;
  /** Where the current leader epoch started (the previous epoch's end offset). */
  epochStart(): bigint;
}

/**
 * A partition's high watermark and what moves it: on a leader, the ISR's log ends as its
 * followers fetch (the leader's own, alone, without followers), and the ISR changes it proposes to
 * the coordinator (shrink on a timer, expand on fetch). Releases acks=all appends waiting for
 * their offsets to be committed and tells listeners when it advances.
 */
export class HighWatermark {
  readonly #ctx: HighWatermarkContext;
  #offset: bigint;
  /** ISR size as configured when there are no followers to track. */
  #isrSize: number;
  /** The leader's view of its followers; null on a follower or without replication. */
  #followers: LeaderReplicas | null = null;
  /** acks=all appends waiting for the high watermark. */
  readonly #commitWaiters = new CommitWaiters();
  readonly #listeners = new Set<() => void>();
  #isrTimer: NodeJS.Timeout | null = null;
  #isrChanging = false;

  constructor(ctx: HighWatermarkContext, isrSize: number) {
    this.#ctx = ctx;
    this.#isrSize = isrSize;
    // Without followers every appended record is committed; with them, lead/follow decide (a
    // follower learns the watermark from its leader).
    this.#offset = ctx.durableEnd();
  }

  get offset(): bigint {
    return this.#offset;
  }

  /** In-sync replicas as the leader knows them (its own id only, without replication). */
  get isr(): readonly number[] {
    return this.#followers?.isr ?? [this.#ctx.replication?.selfId ?? 0];
  }

  get isrSize(): number {
    return this.#followers?.isr.length ?? this.#isrSize;
  }

  /** Takes the leader's replica set and ISR; `wasLeader` keeps what is known of the followers. */
  lead(state: { readonly replicas: readonly number[]; readonly isr: readonly number[] }, wasLeader: boolean): void {
    const selfId = this.#ctx.replication?.selfId ?? 0;
    const others = state.replicas.filter((id) => id !== selfId);
    if (others.length === 0) {
      this.#followers = null;
      this.#isrSize = state.isr.length;
    } else if (wasLeader && this.#followers !== null) {
      this.#followers.update(state.replicas, state.isr, this.#ctx.now());
    } else {
      this.#followers = new LeaderReplicas(selfId, state.replicas, state.isr, this.#ctx.now());
    }
  }

  /** No longer leading: followers are forgotten and waiting appends fail. */
  follow(): void {
    this.#followers = null;
    this.stopLeading(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
  }

  /** Stops ISR upkeep and fails every waiting acks=all append with `errorCode`. */
  stopLeading(errorCode: number): void {
    this.#stopIsrTimer();
    this.#commitWaiters.failAll(errorCode);
  }

  isReplica(replicaId: number): boolean {
    return this.#followers !== null && this.#followers.isReplica(replicaId);
  }

  /** A follower fetched from `fetchOffset`, acknowledging everything before it. */
  followerFetched(replicaId: number, fetchOffset: bigint, logEndOffset: bigint): void {
    this.#followers?.onFetch(replicaId, fetchOffset, logEndOffset, this.#ctx.now());
    this.update();
    this.#maybeExpandIsr();
  }

  /** Recomputes the high watermark (leader): the (durable) log end without followers, else the ISR's smallest log end. */
  update(): void {
    if (!this.#ctx.isLeader()) return;
    const end = this.#ctx.durableEnd();
    const hwm = this.#followers === null ? end : this.#followers.highWatermark(end);
    if (hwm > this.#offset) this.advanceTo(hwm);
  }

  advanceTo(to: bigint): void {
    if (to <= this.#offset) return;
    this.#offset = to;
    if (this.#commitWaiters.size > 0) {
      // Kafka: an acks=all append whose offsets became committed while the ISR had shrunk below
      // min.insync.replicas is answered NOT_ENOUGH_REPLICAS_AFTER_APPEND (it is stored, but not as
      // widely as asked).
      this.#commitWaiters.release(to, this.isrSize < this.#ctx.minInsyncReplicas() ? KafkaErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : 0);
    }
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (err) {
        this.#ctx.logger?.error({ err, topic: this.#ctx.topic, partition: this.#ctx.partition }, 'high-watermark listener threw');
      }
    }
  }

  /** The log was truncated to `offset` (follower): the watermark cannot stay above it. Listeners are not told. */
  truncateTo(offset: bigint): void {
    if (this.#offset > offset) this.#offset = offset;
  }

  /** Resolves with 0 once the high watermark reaches `offset`, or a Kafka error code. */
  waitCommitted(offset: bigint): Promise<number> {
    if (this.#offset >= offset) return Promise.resolve(0);
    if (!this.#ctx.isLeader()) return Promise.resolve(KafkaErrorCode.NOT_LEADER_OR_FOLLOWER);
    return this.#commitWaiters.wait(offset, this.#ctx.replication?.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS, KafkaErrorCode.REQUEST_TIMED_OUT);
  }

  /** Calls `listener` whenever the high watermark advances; returns an unsubscribe function. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  clearListeners(): void {
    this.#listeners.clear();
  }

  startIsrTimer(): void {
    this.#stopIsrTimer();
    const replication = this.#ctx.replication;
    if (this.#followers === null || replication === undefined) return;
    this.#isrTimer = setInterval(() => this.#maybeShrinkIsr(), Math.max(100, Math.floor(replication.lagTimeMaxMs / 2)));
    this.#isrTimer.unref();
  }

  #stopIsrTimer(): void {
    if (this.#isrTimer !== null) clearInterval(this.#isrTimer);
    this.#isrTimer = null;
  }

  #maybeShrinkIsr(): void {
    const followers = this.#followers;
    const replication = this.#ctx.replication;
    if (followers === null || replication === undefined || !this.#ctx.isLeader()) return;
    const lagging = followers.laggingInIsr(this.#ctx.now(), replication.lagTimeMaxMs);
    if (lagging.length === 0) return;
    this.#proposeIsr(followers.isr.filter((id) => !lagging.includes(id)), 'shrink');
  }

  #maybeExpandIsr(): void {
    const followers = this.#followers;
    if (followers === null || !this.#ctx.isLeader()) return;
    const joining = followers.caughtUpOutsideIsr(this.#offset, this.#ctx.epochStart());
    if (joining.length === 0) return;
    this.#proposeIsr([...followers.isr, ...joining], 'expand');
  }

  /** One ISR change at a time; applied locally once the coordinator accepted it. */
  #proposeIsr(isr: readonly number[], why: 'shrink' | 'expand'): void {
    const replication = this.#ctx.replication;
    const followers = this.#followers;
    if (this.#isrChanging || replication === undefined || followers === null) return;
    this.#isrChanging = true;
    const epoch = this.#ctx.leaderEpoch();
    const sorted = [...new Set(isr)].sort((a, b) => a - b);
    replication
      .changeIsr(sorted)
      .then((applied) => {
        if (applied === null || this.#followers !== followers || this.#ctx.leaderEpoch() !== epoch) return;
        this.#ctx.logger?.warn({ topic: this.#ctx.topic, partition: this.#ctx.partition, isr: applied, why }, 'ISR changed');
        followers.update(followers.replicas, applied, this.#ctx.now());
        this.update();
      })
      .catch((err: unknown) => this.#ctx.logger?.warn({ err, topic: this.#ctx.topic, partition: this.#ctx.partition }, 'ISR change failed'))
      .finally(() => {
        this.#isrChanging = false;
      });
  }
}
