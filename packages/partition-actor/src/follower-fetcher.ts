import { KafkaErrorCode } from '@oxbow/protocol';
import type { PartitionActor, PartitionLogger, ReplicaFetchRequest, ReplicaFetchResult } from './partition-actor.js';

/** How a follower reaches its leader (gRPC between nodes; a direct call in tests). `signal` aborts the call when the fetcher stops. */
export type LeaderFetch = (request: ReplicaFetchRequest, signal: AbortSignal) => Promise<ReplicaFetchResult>;

export interface FollowerFetcherOptions {
  readonly selfId: number;
  /** The leader epoch this follower follows. */
  readonly leaderEpoch: number;
  readonly fetch: LeaderFetch;
  /** replica.fetch.max.bytes */
  readonly maxBytes: number;
  /** replica.fetch.wait.max.ms */
  readonly maxWaitMs: number;
  /** Pause after an error before fetching again (default 200 ms). */
  readonly backoffMs?: number;
  readonly logger?: PartitionLogger;
}

/**
 * A follower's replication loop (Kafka's ReplicaFetcherThread, one per partition): fetch from the
 * log end with the epoch of the last local batch, truncate when the leader reports divergence
 * (KIP-279/KIP-320), append what comes back and take the leader's high watermark. Errors back off
 * and retry until `stop`; a new leader or epoch means a new fetcher.
 */
export class FollowerFetcher {
  readonly #actor: PartitionActor;
  readonly #o: FollowerFetcherOptions;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  readonly #abort = new AbortController();
  #lastError = 0;

  constructor(actor: PartitionActor, options: FollowerFetcherOptions) {
    this.#actor = actor;
    this.#o = options;
  }

  get leaderEpoch(): number {
    return this.#o.leaderEpoch;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const code = await this.#step().catch((err: unknown) => {
        if (this.#running) this.#report(-1, err);
        return -1;
      });
      if (code !== 0 && this.#running) await this.#sleep(this.#o.backoffMs ?? 200);
    }
  }

  /** One fetch; resolves to 0, or an error code after which the loop backs off. */
  async #step(): Promise<number> {
    const actor = this.#actor;
    const fetchOffset = actor.logEndOffset;
    const result = await this.#o.fetch({
      replicaId: this.#o.selfId,
      leaderEpoch: this.#o.leaderEpoch,
      fetchOffset,
      lastFetchedEpoch: actor.lastLogEpoch,
      maxBytes: this.#o.maxBytes,
      maxWaitMs: this.#o.maxWaitMs,
    }, this.#abort.signal);
    if (!this.#running) return 0;
    if (result.errorCode !== 0) {
      this.#report(result.errorCode);
      return result.errorCode;
    }
    if (result.divergingEpoch !== null) {
      const to = result.divergingEpoch.endOffset < fetchOffset ? result.divergingEpoch.endOffset : fetchOffset;
      this.#o.logger?.warn({ topic: actor.topic, partition: actor.partition, from: String(fetchOffset), to: String(to), epoch: result.divergingEpoch.epoch }, 'follower log diverges from the leader; truncating');
      await actor.truncateTo(to);
      return 0;
    }
    const code = await actor.appendReplicated(result.records, result.highWatermark, result.logStartOffset);
    if (code !== 0) this.#report(code);
    else this.#lastError = 0;
    return code;
  }

  /** Logs an error once until the fetcher recovers (a leader change produces a burst of them). */
  #report(code: number, err?: unknown): void {
    if (code === this.#lastError && err === undefined) return;
    this.#lastError = code;
    const expected = code === KafkaErrorCode.NOT_LEADER_OR_FOLLOWER || code === KafkaErrorCode.FENCED_LEADER_EPOCH || code === KafkaErrorCode.UNKNOWN_LEADER_EPOCH;
    if (!expected) this.#o.logger?.warn({ err, errorCode: code, topic: this.#actor.topic, partition: this.#actor.partition }, 'replica fetch failed; retrying');
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }
}
