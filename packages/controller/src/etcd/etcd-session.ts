/**
 * The coordinator's etcd session: one lease that binds this node's broker registrations, kept alive
 * by our own keepalive loop so that we know exactly when it was last renewed.
 *
 * Fencing timing. etcd expires the lease TTL after the last keepalive it *received*; we count from
 * the moment we *sent* the last keepalive that succeeded, which is earlier, so our clock runs ahead
 * of etcd's. Keepalives go out every TTL/4. If none has succeeded for ⅔·TTL the session is declared
 * lost (`onLost`), at least ⅓·TTL before etcd can expire the lease and another node can take over
 * this node's partitions: a node must stop acting as partition leader and as controller when it
 * hears `onLost`. A keepalive answered with "lease not found" (expired or revoked) loses the
 * session at once.
 *
 * After a loss the session re-establishes itself in the background (retrying every 0.5–2 s): it
 * revokes the old lease if etcd still has it (so registrations bound to it vanish and the
 * controller moves leaderships away cleanly, instead of a half-fenced node keeping them), grants a
 * new lease, runs the coordinator's restore hook (re-register brokers, campaign again), and then
 * reports `onRestored`.
 */
import type { Etcd3, Lease } from 'etcd3';
import { type CoordinatorLogger } from './coordinator-logger.js';
import { isLeaseGone } from './etcd-telemetry.js';

export type SessionLostReason = 'keepalive-timeout' | 'lease-expired';

export interface SessionLost {
  readonly reason: SessionLostReason;
  /** The lease that was lost (decimal etcd lease id). */
  readonly leaseId: string;
  /** Milliseconds since the last keepalive that etcd acknowledged was sent. */
  readonly sinceRenewalMs: number;
  readonly error?: unknown;
}

export interface SessionRestored {
  readonly leaseId: string;
  /** How long the node was without a session. */
  readonly downMs: number;
}

type State = 'new' | 'alive' | 'lost' | 'closed';

export class EtcdSession {
  readonly #client: Etcd3;
  readonly #ttlSeconds: number;
  readonly #log: CoordinatorLogger;
  readonly #lostListeners = new Set<(info: SessionLost) => void>();
  readonly #restoredListeners = new Set<(info: SessionRestored) => void>();
  #restoreHook: (lease: Lease, leaseId: string) => Promise<void> = () => Promise.resolve();
  #state: State = 'new';
  #lease: Lease | undefined;
  #leaseId = '';
  /** Lease abandoned by a loss, revoked (best effort) before a new one is granted. */
  #stale: Lease | undefined;
  #renewedAt = 0;
  #lostAt = 0;
  #fenceTimer: NodeJS.Timeout | undefined;
  #keepaliveTimer: NodeJS.Timeout | undefined;
  #restoreTimer: NodeJS.Timeout | undefined;
  #restoreDelay = 500;
  #waiters: (() => void)[] = [];

  constructor(client: Etcd3, ttlSeconds: number, log: CoordinatorLogger) {
    this.#client = client;
    this.#ttlSeconds = ttlSeconds;
    this.#log = log;
  }

  get alive(): boolean {
    return this.#state === 'alive';
  }
  /** The current lease id (decimal), or undefined while there is no live session. */
  get leaseId(): string | undefined {
    return this.#state === 'alive' ? this.#leaseId : undefined;
  }
  get lease(): Lease | undefined {
    return this.#state === 'alive' ? this.#lease : undefined;
  }
  /** ⅔·TTL: how long after the last successful keepalive the node considers itself fenced. */
  get fenceAfterMs(): number {
    return (this.#ttlSeconds * 1000 * 2) / 3;
  }

  /** Runs after each new lease is granted, before the session counts as alive again. */
  setRestoreHook(hook: (lease: Lease, leaseId: string) => Promise<void>): void {
    this.#restoreHook = hook;
  }

  onLost(listener: (info: SessionLost) => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }
  onRestored(listener: (info: SessionRestored) => void): () => void {
    this.#restoredListeners.add(listener);
    return () => this.#restoredListeners.delete(listener);
  }

  /** Grants the first lease; rejects if etcd does not answer before `deadline`. */
  async start(deadline: number): Promise<void> {
    const { lease, id } = await this.#grant(deadline);
    this.#adopt(lease, id);
  }

  /** Resolves once the session is alive (at once if it is), or rejects at `deadline`. */
  async waitAlive(deadline: number): Promise<string> {
    while (this.#state !== 'alive') {
      if (this.#state === 'closed') throw new Error('session closed');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('no etcd session (lease lost and not yet re-established)');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#leaseId;
  }

  /** Reports that etcd rejected a request because our lease is gone. */
  leaseGone(error: unknown): void {
    this.#lose('lease-expired', error);
  }

  /** Stops keepalives; revokes the lease (clean shutdown) or leaves it to expire (a simulated crash). */
  async close(revoke: boolean, deadline: number): Promise<void> {
    if (this.#state === 'closed') return;
    const lease = this.#state === 'alive' ? this.#lease : undefined;
    this.#state = 'closed';
    this.#clearTimers();
    for (const wake of this.#waiters.splice(0)) wake();
    const stale = this.#stale;
    this.#stale = undefined;
    if (!revoke) {
      lease?.release();
      stale?.release();
      return;
    }
    await Promise.all([lease, stale].flatMap((l) => (l === undefined ? [] : [revokeQuietly(l, deadline)])));
  }

  async #grant(deadline: number): Promise<{ lease: Lease; id: string }> {
    const lease = this.#client.lease(this.#ttlSeconds, { autoKeepAlive: false, deadline: new Date(deadline) });
    lease.on('lost', (error) => {
      if (lease === this.#lease) this.#lose('lease-expired', error);
    });
    const id = await withDeadline(lease.grant(), deadline, 'lease grant');
    return { lease, id };
  }

  #adopt(lease: Lease, id: string): void {
    this.#lease = lease;
    this.#leaseId = id;
    this.#state = 'alive';
    this.#renewedAt = performance.now();
    this.#armFence();
    this.#scheduleKeepalive(0);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #scheduleKeepalive(delay: number): void {
    this.#keepaliveTimer = setTimeout(() => void this.#keepalive(), delay);
  }

  async #keepalive(): Promise<void> {
    const lease = this.#lease;
    if (this.#state !== 'alive' || lease === undefined) return;
    const interval = (this.#ttlSeconds * 1000) / 4;
    const sentAt = performance.now();
    try {
      await withDeadline(lease.keepaliveOnce({ deadline: new Date(Date.now() + interval) }), Date.now() + interval, 'lease keepalive');
      if (this.#state !== 'alive' || lease !== this.#lease) return;
      this.#renewedAt = Math.max(this.#renewedAt, sentAt);
      this.#armFence();
    } catch (error) {
      if (this.#state !== 'alive' || lease !== this.#lease) return;
      if (isLeaseGone(error)) {
        this.#lose('lease-expired', error);
        return;
      }
      // A missed keepalive is not yet a loss; the fence timer decides.
    }
    if (this.#state === 'alive' && lease === this.#lease) this.#scheduleKeepalive(Math.max(0, sentAt + interval - performance.now()));
  }

  #armFence(): void {
    clearTimeout(this.#fenceTimer);
    const due = this.#renewedAt + this.fenceAfterMs - performance.now();
    this.#fenceTimer = setTimeout(() => this.#lose('keepalive-timeout'), Math.max(0, due));
  }

  #lose(reason: SessionLostReason, error?: unknown): void {
    if (this.#state !== 'alive') return;
    this.#state = 'lost';
    this.#lostAt = performance.now();
    this.#clearTimers();
    this.#lease?.release();
    this.#stale = this.#lease;
    const info: SessionLost = { reason, leaseId: this.#leaseId, sinceRenewalMs: Math.round(performance.now() - this.#renewedAt), error };
    this.#log.warn({ reason, leaseId: this.#leaseId, sinceRenewalMs: info.sinceRenewalMs }, 'etcd session lost: this node is fenced until it has a new lease');
    for (const listener of [...this.#lostListeners]) {
      try {
        listener(info);
      } catch (e) {
        this.#log.warn({ err: e }, 'A session-lost listener threw');
      }
    }
    this.#restoreDelay = 500;
    this.#scheduleRestore(0);
  }

  #scheduleRestore(delay: number): void {
    this.#restoreTimer = setTimeout(() => void this.#restore(), delay);
  }

  async #restore(): Promise<void> {
    if (this.#state !== 'lost') return;
    const deadline = Date.now() + Math.max(1000, (this.#ttlSeconds * 1000) / 2);
    let granted: Lease | undefined;
    try {
      if (this.#stale !== undefined) {
        await revokeOrThrow(this.#stale, deadline);
        this.#stale = undefined;
      }
      const { lease, id } = await this.#grant(deadline);
      granted = lease;
      await this.#restoreHook(lease, id);
      if (this.#state !== 'lost') {
        await revokeQuietly(lease, deadline);
        return;
      }
      const downMs = Math.round(performance.now() - this.#lostAt);
      this.#adopt(lease, id);
      this.#log.info({ leaseId: id, downMs }, 'etcd session re-established');
      for (const listener of [...this.#restoredListeners]) {
        try {
          listener({ leaseId: id, downMs });
        } catch (e) {
          this.#log.warn({ err: e }, 'A session-restored listener threw');
        }
      }
    } catch {
      if (granted !== undefined) void revokeQuietly(granted, Date.now() + 1000);
      if (this.#state !== 'lost') return;
      this.#scheduleRestore(this.#restoreDelay);
      this.#restoreDelay = Math.min(2000, this.#restoreDelay * 2);
    }
  }

  #clearTimers(): void {
    clearTimeout(this.#fenceTimer);
    clearTimeout(this.#keepaliveTimer);
    clearTimeout(this.#restoreTimer);
  }
}

async function revokeOrThrow(lease: Lease, deadline: number): Promise<void> {
  try {
    await withDeadline(lease.revoke({ deadline: new Date(deadline) }), deadline, 'lease revoke');
  } catch (error) {
    if (!isLeaseGone(error)) throw error;
  }
}

async function revokeQuietly(lease: Lease, deadline: number): Promise<void> {
  await revokeOrThrow(lease, deadline).catch(() => undefined);
}

function withDeadline<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`etcd ${what}: no answer in time`)), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
