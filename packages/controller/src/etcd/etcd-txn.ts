/**
 * What the EtcdCoordinator's write modules (etcd-topics, etcd-partition-updates,
 * etcd-producer-ids, etcd-brokers) share: their dependencies on the coordinator, and the steps
 * every compare-and-write loop takes. Each write is one etcd transaction run through EtcdCalls (a
 * span and a latency sample each) and resolves once this node's view has applied its revision.
 */
import type { Etcd3 } from 'etcd3';
import { KafkaApiError } from '@oxbow/protocol';
import type { Budget, EtcdCalls } from './etcd-telemetry.js';
import type { EtcdView } from './etcd-view.js';
import type { EtcdWatch } from './etcd-watch.js';
import type { Keyspace } from './keyspace.js';

/** The coordinator's parts a write module uses; client and watch exist only once started. */
export interface EtcdWriteDeps {
  readonly client: () => Etcd3;
  readonly watch: () => EtcdWatch;
  readonly keys: Keyspace;
  readonly calls: EtcdCalls;
  readonly view: EtcdView;
}

/** A transaction's result as far as catching up needs it: what its else-branch read. */
export interface CompareFailed {
  readonly responses: readonly { readonly response_range?: { readonly kvs: readonly { readonly mod_revision: string }[] } }[];
}

/**
 * After a lost compare: waits until the view holds the newest revision among the keys the
 * transaction's else-branch read, so the next attempt decides on current state. No keys means
 * the thing is gone.
 */
export async function catchUp(d: EtcdWriteDeps, res: CompareFailed, b: Budget, gone: () => Error): Promise<void> {
  const kvs = res.responses.flatMap((r) => r.response_range?.kvs ?? []);
  if (kvs.length === 0) throw gone();
  const newest = Math.max(...kvs.map((kv) => Number(kv.mod_revision)));
  await d.watch().awaitRevision(newest, b);
}

/** Names a transaction's result for the latency metric and the span. */
export function outcome(res: { succeeded: boolean }): string {
  return res.succeeded ? 'committed' : 'compare-failed';
}

export function unknownTopic(name: string): KafkaApiError {
  return new KafkaApiError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
}

/** Node ids of the brokers registered in the view. */
export function liveIds(view: EtcdView): ReadonlySet<number> {
  return new Set(view.brokers.map((b) => b.nodeId));
}
