/**
 * The leader's view of its followers, after Kafka's Partition/Replica classes: each follower's log
 * end offset (the offset it fetches from, which acknowledges everything before it) and when it
 * was last caught up. From these come the high watermark (the smallest log end offset in the ISR,
 * the leader's own included) and the ISR changes the leader proposes: a follower that has not
 * caught up for `replica.lag.time.max.ms` leaves; one that reached the high watermark rejoins.
 */
export interface FollowerState {
  /** Next offset the follower will fetch: it holds everything below. -1n = unknown. */
  logEndOffset: bigint;
  /** Last time (ms) the follower's fetch reached the leader's log end as it was at its previous fetch. */
  lastCaughtUpMs: number;
  /** The leader's log end offset when it answered this follower's previous fetch. */
  leaderEndAtLastFetch: bigint;
}

export class LeaderReplicas {
  readonly selfId: number;
  #replicas: readonly number[];
  #isr: ReadonlySet<number>;
  readonly #followers = new Map<number, FollowerState>();

  constructor(selfId: number, replicas: readonly number[], isr: readonly number[], nowMs: number) {
    this.selfId = selfId;
    this.#replicas = replicas;
    this.#isr = new Set(isr);
    for (const id of replicas) if (id !== selfId) this.#followers.set(id, { logEndOffset: -1n, lastCaughtUpMs: nowMs, leaderEndAtLastFetch: -1n });
  }

  get isr(): readonly number[] {
    return [...this.#isr].sort((a, b) => a - b);
  }

  get replicas(): readonly number[] {
    return this.#replicas;
  }

  isReplica(id: number): boolean {
    return this.#followers.has(id);
  }

  /** The coordinator's current replica set and ISR (after a change this leader or the controller made). */
  update(replicas: readonly number[], isr: readonly number[], nowMs: number): void {
    this.#replicas = replicas;
    this.#isr = new Set(isr);
    for (const id of replicas) if (id !== this.selfId && !this.#followers.has(id)) this.#followers.set(id, { logEndOffset: -1n, lastCaughtUpMs: nowMs, leaderEndAtLastFetch: -1n });
    for (const id of [...this.#followers.keys()]) if (!replicas.includes(id)) this.#followers.delete(id);
  }

  /** A follower fetched from `fetchOffset` while the leader's log ended at `leaderEnd`. */
  onFetch(id: number, fetchOffset: bigint, leaderEnd: bigint, nowMs: number): void {
    const f = this.#followers.get(id);
    if (f === undefined) return;
    f.logEndOffset = fetchOffset;
    if (fetchOffset >= leaderEnd || (f.leaderEndAtLastFetch >= 0n && fetchOffset >= f.leaderEndAtLastFetch)) f.lastCaughtUpMs = nowMs;
    f.leaderEndAtLastFetch = leaderEnd;
  }

  /** The smallest log end offset among the ISR (the leader's own is `leaderEnd`). */
  highWatermark(leaderEnd: bigint): bigint {
    let hwm = leaderEnd;
    for (const id of this.#isr) {
      if (id === this.selfId) continue;
      const f = this.#followers.get(id);
      const leo = f === undefined || f.logEndOffset < 0n ? -1n : f.logEndOffset;
      if (leo < 0n) return -1n; // not heard from yet: the watermark cannot move
      if (leo < hwm) hwm = leo;
    }
    return hwm;
  }

  /** ISR members (other than the leader) that have not caught up for `lagMs`. */
  laggingInIsr(nowMs: number, lagMs: number): number[] {
    return [...this.#isr].filter((id) => id !== this.selfId && nowMs - (this.#followers.get(id)?.lastCaughtUpMs ?? 0) > lagMs);
  }

  /** Followers outside the ISR whose log reached `highWatermark` (and the current epoch's start). */
  caughtUpOutsideIsr(highWatermark: bigint, epochStart: bigint): number[] {
    return [...this.#followers]
      .filter(([id, f]) => !this.#isr.has(id) && f.logEndOffset >= highWatermark && f.logEndOffset >= epochStart)
      .map(([id]) => id);
  }
}
