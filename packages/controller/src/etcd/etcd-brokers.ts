/**
 * The EtcdCoordinator's broker registrations: each broker key is put under this node's session
 * lease, so it vanishes when the lease expires or is revoked. The brokers this coordinator
 * registered are remembered and registered again under each new lease after a session loss.
 */
import type { BrokerInfo } from '../coordinator.js';
import { CoordinatorError } from '../coordinator-error.js';
import { sameBroker, validateBrokerInfo } from '../records.js';
import type { EtcdSession } from './etcd-session.js';
import { type Budget, budget, isLeaseGone, unavailable } from './etcd-telemetry.js';
import type { EtcdWriteDeps } from './etcd-txn.js';
import { encodeBroker } from './keyspace.js';

export interface EtcdBrokerDeps extends EtcdWriteDeps {
  readonly session: () => EtcdSession;
  /** Budget of a re-registration after a session loss, in ms. */
  readonly timeoutMs: number;
}

export class EtcdBrokers {
  readonly #d: EtcdBrokerDeps;
  /** Brokers this coordinator registered, re-registered under each new session lease. */
  readonly #own = new Map<number, BrokerInfo>();

  constructor(deps: EtcdBrokerDeps) {
    this.#d = deps;
  }

  async register(info: BrokerInfo, b: Budget): Promise<void> {
    const { keys } = this.#d;
    validateBrokerInfo(info);
    const session = this.#d.session();
    const leaseId = await session.waitAlive(b.deadline).catch((e: unknown) => {
      throw unavailable(`Cannot register broker ${info.nodeId}: ${e instanceof Error ? e.message : String(e)}`, e);
    });
    const current = this.#d.view.brokerEntry(info.nodeId);
    this.#own.set(info.nodeId, info);
    if (current !== undefined && sameBroker(current.info, info) && current.lease === leaseId) return;
    const client = this.#d.client();
    const res = await this.#d.calls
      .run('register-broker', b, (deadline) =>
        client
          .if(keys.clusterId(), 'Create', '>', 0)
          .then(client.put(keys.broker(info.nodeId)).value(encodeBroker(info)).lease(leaseId))
          .options({ deadline })
          .commit(),
      )
      .catch((error: unknown) => {
        if (isLeaseGone((error as { cause?: unknown }).cause ?? error)) session.leaseGone(error);
        throw error;
      });
    if (!res.succeeded) throw new CoordinatorError('corrupt-state', `The cluster id key ${keys.clusterId()} is gone from etcd.`);
    await this.#d.watch().awaitRevision(Number(res.header.revision), b);
  }

  /** Re-registers this coordinator's brokers under a new lease (unless another session took the id). */
  async reregister(leaseId: string): Promise<void> {
    const client = this.#d.client();
    const b = budget(this.#d.timeoutMs);
    for (const info of [...this.#own.values()]) {
      const key = this.#d.keys.broker(info.nodeId);
      const res = await this.#d.calls.run('reregister-broker', b, (deadline) =>
        client.if(key, 'Create', '==', 0).then(client.put(key).value(encodeBroker(info)).lease(leaseId)).options({ deadline }).commit(),
      );
      if (!res.succeeded) this.#own.delete(info.nodeId);
      // Restored means registered again in this node's view too (the revoke deleted them first).
      else await this.#d.watch().awaitRevision(Number(res.header.revision), b);
    }
  }
}
