/**
 * The EtcdCoordinator's partition-state write (leader, ISR, leader epoch): one transaction that
 * compares the partition key's `Mod == rev`, so a writer deciding on a stale view, or racing
 * another node's controller, loses in etcd and decides again on the state the other left.
 */
import { KafkaApiError } from '@oxbow/protocol';
import { validatePartitionUpdate } from '../assignment.js';
import type { PartitionState } from '../coordinator.js';
import { freezePartition, samePartitionState } from '../records.js';
import type { Budget } from './etcd-telemetry.js';
import { type EtcdWriteDeps, catchUp, liveIds, outcome, unknownTopic } from './etcd-txn.js';
import { encodePartition } from './keyspace.js';

/**
 * Writes `next` as the state of `topic`/`partition` if its leader epoch is still
 * `expectedLeaderEpoch`; null when it is not.
 */
export async function updatePartition(
  d: EtcdWriteDeps,
  topic: string,
  partition: number,
  expectedLeaderEpoch: number,
  next: Omit<PartitionState, 'partition'>,
  b: Budget,
): Promise<PartitionState | null> {
  const { view } = d;
  const client = d.client();
  const key = d.keys.partition(topic, partition);
  for (;;) {
    if (view.topic(topic) === undefined) throw unknownTopic(topic);
    const entry = Number.isInteger(partition) ? view.partitionEntry(topic, partition) : undefined;
    if (entry === undefined) throw new KafkaApiError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' has no partition ${partition}.`);
    const current = freezePartition({ partition, ...entry.state });
    if (current.leaderEpoch !== expectedLeaderEpoch) return null;
    validatePartitionUpdate(current, next, liveIds(view));
    if (samePartitionState(current, next)) return current;
    const modRevision = entry.modRevision;
    const res = await d.calls.run(
      'update-partition',
      b,
      (deadline) => client.if(key, 'Mod', '==', modRevision).then(client.put(key).value(encodePartition(next))).else(client.get(key)).options({ deadline })
          .commit(),
      outcome,
    );
    if (res.succeeded) {
      await d.watch().awaitRevision(Number(res.header.revision), b);
      return freezePartition({ ...next, partition });
    }
    // Someone else wrote the partition: decide again on the state they left.
    await catchUp(d, res, b, () => unknownTopic(topic));
  }
}
