/**
 * The EtcdCoordinator's producer-id allocation: one counter key advanced by `count` in a
 * transaction that compares its `Mod == rev`, so blocks handed out by different nodes never
 * overlap.
 */
import { KafkaApiError } from '@oxbow/protocol';
import type { ProducerIdBlock } from '../coordinator.js';
import { CoordinatorError } from '../coordinator-error.js';
import type { Budget } from './etcd-telemetry.js';
import { type EtcdWriteDeps, catchUp, outcome } from './etcd-txn.js';

const MAX_PRODUCER_ID_BLOCK = 1_000_000;

/** Claims the next `count` producer ids (1 to MAX_PRODUCER_ID_BLOCK). */
export async function allocateProducerIds(d: EtcdWriteDeps, count: number, b: Budget): Promise<ProducerIdBlock> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PRODUCER_ID_BLOCK) {
    throw new KafkaApiError('INVALID_REQUEST', `Producer id block size must be an integer in [1, ${MAX_PRODUCER_ID_BLOCK}], got ${count}.`);
  }
  const client = d.client();
  const key = d.keys.producerIds();
  for (;;) {
    const { next, modRevision } = d.view.producerIds();
    const res = await d.calls.run(
      'allocate-producer-ids',
      b,
      (deadline) => client.if(key, 'Mod', '==', modRevision).then(client.put(key).value((next + BigInt(count)).toString())).else(client.get(key)).options({ deadline })
          .commit(),
      outcome,
    );
    if (res.succeeded) {
      await d.watch().awaitRevision(Number(res.header.revision), b);
      return Object.freeze({ first: next, count });
    }
    await catchUp(d, res, b, () => new CoordinatorError('corrupt-state', `Producer id counter ${key} vanished from etcd.`));
  }
}
