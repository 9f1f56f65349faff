/**
 * The EtcdCoordinator's topic writes (keys in docs/etcd-keyspace.md): createTopic, deleteTopic,
 * setTopicConfigs and createPartitions, each one etcd transaction. A new topic claims its name and
 * meta keys with `Create == 0`, so two nodes creating the same name conflict in etcd; every later
 * write compares the meta key's `Create == rev`, so it only lands on the topic incarnation it was
 * decided on. A lost compare catches the view up and decides again.
 */
import { randomInt } from 'node:crypto';
import { KafkaApiError } from '@oxbow/protocol';
import { assignReplicas, checkPartitionCount, newPartitionState, validateAssignments } from '../assignment.js';
import type { CreateTopicRequest, TopicRecord } from '../coordinator.js';
import { newTopicId, topicCollisionKey, validateTopicName } from '../identifiers.js';
import { checkConfigs, freezeTopic } from '../records.js';
import type { Budget } from './etcd-telemetry.js';
import { type EtcdWriteDeps, catchUp, liveIds, outcome, unknownTopic } from './etcd-txn.js';
import { encodePartition, encodeTopicMeta } from './keyspace.js';

export interface EtcdTopicDeps extends EtcdWriteDeps {
  /** etcd's `--max-txn-ops`: bounds the partitions one transaction may create. */
  readonly maxTxnOps: number;
}

export class EtcdTopics {
  readonly #d: EtcdTopicDeps;

  constructor(deps: EtcdTopicDeps) {
    this.#d = deps;
  }

  async create(request: CreateTopicRequest, b: Budget): Promise<TopicRecord> {
    const { keys, view } = this.#d;
    const { name } = request;
    validateTopicName(name);
    if (view.topic(name) !== undefined) throw new KafkaApiError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
    const collision = topicCollisionKey(name);
    for (const other of view.topicsSorted) {
      if (topicCollisionKey(other.name) === collision) throw new KafkaApiError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${other.name}`);
    }
    const configs = checkConfigs(request.configs);
    const replicaLists = this.#replicaListsFor(request);
    this.#checkTxnSize(replicaLists.length + 2, name);
    const live = liveIds(view);
    const topicId = newTopicId((id) => view.topicById(id) !== undefined);
    const topic = freezeTopic({ name, topicId, partitions: replicaLists.map((r, i) => newPartitionState(i, r, live)), configs });
    const client = this.#d.client();
    const res = await this.#d.calls.run(
      'create-topic',
      b,
      (deadline) =>
        client
          .if(keys.topicName(name), 'Create', '==', 0)
          .and(keys.topicMeta(name), 'Create', '==', 0)
          .then(
            client.put(keys.topicName(name)).value(name),
            client.put(keys.topicMeta(name)).value(encodeTopicMeta({ topicId, configs })),
            ...topic.partitions.map((p) => client.put(keys.partition(name, p.partition)).value(encodePartition(p))),
          )
          .else(client.get(keys.topicName(name)))
          .options({ deadline })
          .commit(),
      outcome,
    );
    if (!res.succeeded) {
      const holder = res.responses[0]?.response_range?.kvs[0]?.value.toString();
      if (holder === undefined || holder === name) throw new KafkaApiError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
      throw new KafkaApiError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${holder}`);
    }
    await this.#d.watch().awaitRevision(Number(res.header.revision), b);
    return topic;
  }

  async delete(name: string, b: Budget): Promise<TopicRecord> {
    const { keys, view } = this.#d;
    const client = this.#d.client();
    for (;;) {
      const createRevision = view.metaRevision(name);
      const before = view.topic(name);
      if (createRevision === undefined || before === undefined) throw unknownTopic(name);
      const res = await this.#d.calls.run(
        'delete-topic',
        b,
        (deadline) =>
          client
            .if(keys.topicMeta(name), 'Create', '==', createRevision)
            .then(
              client.delete().prefix(keys.topicPrefix(name)),
              client.delete().key(keys.topicName(name)),
              client.delete().prefix(keys.manifestPrefix(before.topicId)),
            )
            .else(client.get(keys.topicMeta(name)))
            .options({ deadline })
            .commit(),
        outcome,
      );
      if (res.succeeded) {
        const revision = Number(res.header.revision);
        await this.#d.watch().awaitRevision(revision, b);
        return view.deletedTopic(revision, name) ?? before;
      }
      await catchUp(this.#d, res, b, () => unknownTopic(name));
    }
  }

  async setConfigs(name: string, configs: Readonly<Record<string, string>>, b: Budget): Promise<TopicRecord> {
    const { keys, view } = this.#d;
    const checked = checkConfigs(configs);
    const client = this.#d.client();
    for (;;) {
      const createRevision = view.metaRevision(name);
      const current = view.topic(name);
      if (createRevision === undefined || current === undefined) throw unknownTopic(name);
      const res = await this.#d.calls.run(
        'set-topic-configs',
        b,
        (deadline) =>
          client
            .if(keys.topicMeta(name), 'Create', '==', createRevision)
            .then(client.put(keys.topicMeta(name)).value(encodeTopicMeta({ topicId: current.topicId, configs: checked })))
            .else(client.get(keys.topicMeta(name)))
            .options({ deadline })
            .commit(),
        outcome,
      );
      if (res.succeeded) {
        await this.#d.watch().awaitRevision(Number(res.header.revision), b);
        return view.topic(name) ?? freezeTopic({ ...current, configs: checked });
      }
      await catchUp(this.#d, res, b, () => unknownTopic(name));
    }
  }

  async createPartitions(name: string, totalCount: number, assignments: readonly (readonly number[])[] | undefined, b: Budget): Promise<TopicRecord> {
    const { keys, view } = this.#d;
    const client = this.#d.client();
    for (;;) {
      const current = view.topic(name);
      const createRevision = view.metaRevision(name);
      if (current === undefined || createRevision === undefined) throw unknownTopic(name);
      const have = current.partitions.length;
      if (!Number.isInteger(totalCount) || totalCount <= have) {
        throw new KafkaApiError('INVALID_PARTITIONS', `Topic currently has ${have} partitions, ${totalCount} would not be an increase.`);
      }
      const adding = totalCount - have;
      const replicationFactor = current.partitions[0]?.replicas.length ?? 1;
      const live = liveIds(view);
      let lists: readonly (readonly number[])[];
      if (assignments === undefined) {
        lists = assignReplicas({ brokers: view.brokers, existing: view.topicsMap().values(), partitionCount: adding, replicationFactor, startOffset: randomInt(1_000_000) });
      } else {
        if (assignments.length !== adding) {
          throw new KafkaApiError('INVALID_REPLICA_ASSIGNMENT', `Increasing the number of partitions by ${adding} but ${assignments.length} assignments provided.`);
        }
        validateAssignments(assignments, live, { replicationFactor, firstPartition: have });
        lists = assignments;
      }
      this.#checkTxnSize(adding + 2, name);
      const added = lists.map((r, i) => newPartitionState(have + i, r, live));
      const res = await this.#d.calls.run(
        'create-partitions',
        b,
        (deadline) =>
          client
            .if(keys.topicMeta(name), 'Create', '==', createRevision)
            .and(keys.partition(name, have), 'Create', '==', 0)
            .then(...added.map((p) => client.put(keys.partition(name, p.partition)).value(encodePartition(p))))
            .else(client.getAll().prefix(keys.topicPrefix(name)))
            .options({ deadline })
            .commit(),
        outcome,
      );
      if (res.succeeded) {
        await this.#d.watch().awaitRevision(Number(res.header.revision), b);
        return view.topic(name) ?? freezeTopic({ ...current, partitions: [...current.partitions, ...added] });
      }
      await catchUp(this.#d, res, b, () => unknownTopic(name));
    }
  }

  #replicaListsFor(request: CreateTopicRequest): readonly (readonly number[])[] {
    const { view } = this.#d;
    const { assignments, partitions, replicationFactor } = request;
    if (assignments === undefined) {
      checkPartitionCount(partitions);
      return assignReplicas({ brokers: view.brokers, existing: view.topicsMap().values(), partitionCount: partitions, replicationFactor, startOffset: randomInt(1_000_000) });
    }
    if (partitions !== -1 && partitions !== assignments.length) {
      throw new KafkaApiError('INVALID_REPLICA_ASSIGNMENT', `${assignments.length} replica assignments were given for ${partitions} partitions.`);
    }
    validateAssignments(assignments, liveIds(view), replicationFactor === -1 ? {} : { replicationFactor });
    return assignments;
  }

  #checkTxnSize(ops: number, name: string): void {
    if (ops > this.#d.maxTxnOps) {
      throw new KafkaApiError(
        'INVALID_PARTITIONS',
        `Topic '${name}': creating ${ops - 2} partitions at once needs ${ops} operations in one etcd transaction, above maxTxnOps ${this.#d.maxTxnOps} (etcd --max-txn-ops).`,
      );
    }
  }
}
