/**
 * The etcd3 client the EtcdCoordinator talks through, configured so that our own budgets and
 * retries (EtcdCalls, EtcdWatch, EtcdSession) decide what happens during an outage.
 */
import { Etcd3, type IOptions } from 'etcd3';

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
type Backoff = NonNullable<NonNullable<IOptions['faultHandling']>['watchBackoff']>;

/** A client for `endpoints` that dials within `timeoutMs`. */
export function createEtcdClient(endpoints: readonly string[], timeoutMs: number): Etcd3 {
  return new Etcd3({
    hosts: [...endpoints],
    dialTimeout: timeoutMs,
    // No receive limit (grpc-js defaults to 4 MiB): one revision's watch events arrive in one
    // message, and deleting a topic deletes all its manifest entries in one revision.
    grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000, 'grpc.max_receive_message_length': -1 },
    // Our own budgets and retries decide; etcd3's default circuit breaker would keep failing
    // calls for 5 s after etcd is back, and its watch backoff grows to 30 s.
    faultHandling: { global: passThrough, host: () => passThrough, watchBackoff: cappedBackoff(100, 1000) },
  });
}

/** A fault-handling policy that just runs the call (see the client options above). */
const passThrough = {
  execute: <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> =>
    Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal })),
  onSuccess: () => ({ dispose: () => undefined }),
  onFailure: () => ({ dispose: () => undefined }),
} as unknown as Policy;

/** Watch reconnect backoff: doubling from `first` ms, capped at `max` ms. */
function cappedBackoff(first: number, max: number): Backoff {
  const at = (duration: number): { duration: number; next: () => unknown } => ({ duration, next: () => at(Math.min(max, duration * 2)) });
  return { next: () => at(first) } as unknown as Backoff;
}
