/**
 * The local view an EtcdCoordinator answers reads from: the cluster's keys as of one etcd revision,
 * fed by one initial range read and then by the watch, one revision at a time. Applying a revision
 * returns the CoordinatorEvents it caused (a transaction is one revision, so `createTopic` with its
 * partition keys yields one `topic-created`). Derived records are frozen and rebuilt only for what a
 * revision touched; unchanged records keep their identity.
 */
import type { BrokerInfo, CoordinatorEvent, TopicRecord } from '../coordinator.js';
import { freezeBroker, freezePartition, freezeTopic, sameBroker } from '../records.js';
import {
  type Keyspace,
  type StoredPartition,
  type TopicMeta,
  decodeBroker,
  decodePartition,
  decodeProducerIds,
  decodeTopicMeta,
} from './keyspace.js';
import { type ManifestKvChange, ManifestView } from './manifest-view.js';

/** One key as the watch or a range read reports it (revisions as numbers: far below 2^53). */
export interface ViewKv {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  /** Lease id (decimal string), '0' without a lease. */
  readonly lease: string;
}

export interface ViewChange {
  readonly type: 'put' | 'delete';
  readonly kv: ViewKv;
}

interface Versioned<T> {
  readonly value: T;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly lease: string;
}

export class EtcdView {
  readonly #keys: Keyspace;
  readonly #warn: (message: string, key: string, error: unknown) => void;
  #revision = 0;
  #clusterId: string | undefined;
  #producerIds: Versioned<bigint> | undefined;
  readonly #brokerKeys = new Map<number, Versioned<BrokerInfo>>();
  readonly #electionKeys = new Map<string, { nodeId: number; createRevision: number }>();
  readonly #metas = new Map<string, Versioned<TopicMeta>>();
  readonly #partitions = new Map<string, Map<number, Versioned<StoredPartition>>>();
  #topics = new Map<string, TopicRecord>();
  #topicsById = new Map<string, TopicRecord>();
  #sortedTopics: readonly TopicRecord[] = Object.freeze([]);
  #brokers: readonly BrokerInfo[] = Object.freeze([]);
  #controllerId = -1;
  /** Records deleted by recent revisions, so a deleteTopic can return the record as it was. */
  readonly #deletedAt = new Map<number, Map<string, TopicRecord>>();
  /** Diskless manifests (they cause no CoordinatorEvents). */
  readonly manifests: ManifestView;

  constructor(keys: Keyspace, warn: (message: string, key: string, error: unknown) => void) {
    this.#keys = keys;
    this.#warn = warn;
    this.manifests = new ManifestView(warn);
  }

  get revision(): number {
    return this.#revision;
  }
  get clusterId(): string | undefined {
    return this.#clusterId;
  }
  get brokers(): readonly BrokerInfo[] {
    return this.#brokers;
  }
  get controllerId(): number {
    return this.#controllerId;
  }
  get topicsSorted(): readonly TopicRecord[] {
    return this.#sortedTopics;
  }
  topic(name: string): TopicRecord | undefined {
    return this.#topics.get(name);
  }
  topicById(id: string): TopicRecord | undefined {
    return this.#topicsById.get(id);
  }
  topicsMap(): ReadonlyMap<string, TopicRecord> {
    return this.#topics;
  }
  /** The broker key's lease and value, to skip identical re-registrations. */
  brokerEntry(nodeId: number): { readonly info: BrokerInfo; readonly lease: string } | undefined {
    const entry = this.#brokerKeys.get(nodeId);
    return entry === undefined ? undefined : { info: entry.value, lease: entry.lease };
  }
  metaRevision(name: string): number | undefined {
    return this.#metas.get(name)?.createRevision;
  }
  partitionEntry(name: string, partition: number): { readonly state: StoredPartition; readonly modRevision: number } | undefined {
    const entry = this.#partitions.get(name)?.get(partition);
    return entry === undefined ? undefined : { state: entry.value, modRevision: entry.modRevision };
  }
  producerIds(): { readonly next: bigint; readonly modRevision: number } {
    return { next: this.#producerIds?.value ?? 0n, modRevision: this.#producerIds?.modRevision ?? 0 };
  }
  /** The record a revision deleted (kept for the last 256 revisions that deleted topics). */
  deletedTopic(revision: number, name: string): TopicRecord | undefined {
    return this.#deletedAt.get(revision)?.get(name);
  }

  /** Replaces the whole view with a range read at `revision`; returns the events of the difference. */
  reset(kvs: readonly ViewKv[], revision: number): CoordinatorEvent[] {
    const current = new Set<string>(kvs.map((kv) => kv.key));
    const changes: ViewChange[] = [];
    for (const key of this.#knownKeys()) if (!current.has(key)) changes.push({ type: 'delete', kv: { key, value: '', createRevision: 0, modRevision: revision, lease: '0' } });
    for (const kv of kvs) changes.push({ type: 'put', kv });
    return this.apply(changes, revision);
  }

  /** Applies the changes of one revision (in order) and returns the events they cause. */
  apply(changes: readonly ViewChange[], revision: number): CoordinatorEvent[] {
    const touched = new Set<string>();
    let brokersTouched = false;
    let electionTouched = false;
    const manifestChanges: ManifestKvChange[] = [];
    for (const { type, kv } of changes) {
      const parsed = this.#keys.parse(kv.key);
      if (parsed === undefined) continue;
      try {
        switch (parsed.kind) {
          case 'cluster-id':
            if (type === 'put') this.#clusterId = kv.value;
            break;
          case 'producer-ids':
            this.#producerIds = type === 'put' ? versioned(decodeProducerIds(kv.value), kv) : undefined;
            break;
          case 'broker':
            brokersTouched = true;
            if (type === 'put') this.#brokerKeys.set(parsed.nodeId, versioned(decodeBroker(parsed.nodeId, kv.value), kv));
            else this.#brokerKeys.delete(parsed.nodeId);
            break;
          case 'election': {
            electionTouched = true;
            const nodeId = Number(kv.value);
            if (type === 'put' && Number.isInteger(nodeId) && nodeId >= 0) this.#electionKeys.set(parsed.key, { nodeId, createRevision: kv.createRevision });
            else this.#electionKeys.delete(parsed.key);
            break;
          }
          case 'topic-meta':
            touched.add(parsed.name);
            if (type === 'put') this.#metas.set(parsed.name, versioned(decodeTopicMeta(kv.value), kv));
            else this.#metas.delete(parsed.name);
            break;
          case 'partition': {
            touched.add(parsed.name);
            let partitions = this.#partitions.get(parsed.name);
            if (type === 'put') {
              if (partitions === undefined) this.#partitions.set(parsed.name, (partitions = new Map<number, Versioned<StoredPartition>>()));
              partitions.set(parsed.partition, versioned(decodePartition(kv.value), kv));
            } else if (partitions !== undefined) {
              partitions.delete(parsed.partition);
              if (partitions.size === 0) this.#partitions.delete(parsed.name);
            }
            break;
          }
          case 'manifest-next':
          case 'manifest-start':
          case 'manifest-entry':
            manifestChanges.push({ type, parsed, key: kv.key, value: kv.value, modRevision: kv.modRevision });
            break;
          case 'topic-name':
          case 'secret':
            break;
        }
      } catch (error) {
        this.#warn('Ignoring an etcd key whose value does not parse', kv.key, error);
      }
    }
    if (manifestChanges.length > 0) this.manifests.apply(manifestChanges);
    this.#revision = Math.max(this.#revision, revision);
    const events: CoordinatorEvent[] = [];
    if (touched.size > 0) this.#rebuildTopics(touched, revision, events);
    if (brokersTouched) this.#rebuildBrokers(events);
    if (electionTouched) this.#controllerId = this.#electedNode();
    return events;
  }

  #rebuildTopics(names: ReadonlySet<string>, revision: number, events: CoordinatorEvent[]): void {
    const topics = new Map(this.#topics);
    let membershipChanged = false;
    for (const name of names) {
      const before = topics.get(name);
      const after = this.#buildTopic(name);
      if (after === undefined) {
        if (before === undefined) continue;
        topics.delete(name);
        membershipChanged = true;
        this.#rememberDeleted(revision, before);
        events.push({ type: 'topic-deleted', topic: before });
      } else if (before === undefined) {
        topics.set(name, after);
        membershipChanged = true;
        events.push({ type: 'topic-created', topic: after });
      } else if (before.topicId !== after.topicId) {
        // Deleted and created again within one revision range (a resync after a gap).
        topics.set(name, after);
        this.#rememberDeleted(revision, before);
        events.push({ type: 'topic-deleted', topic: before }, { type: 'topic-created', topic: after });
      } else if (JSON.stringify(before) !== JSON.stringify(after)) {
        topics.set(name, after);
        events.push({ type: 'topic-changed', topic: after });
      }
    }
    this.#topics = topics;
    this.#topicsById = new Map([...topics.values()].map((t) => [t.topicId, t]));
    this.#sortedTopics = membershipChanged
      ? Object.freeze([...topics.values()].sort(byName))
      : Object.freeze(this.#sortedTopics.map((t) => topics.get(t.name) ?? t));
  }

  /** A topic exists once its meta key and partitions 0..n-1 are present (they are written in one txn). */
  #buildTopic(name: string): TopicRecord | undefined {
    const meta = this.#metas.get(name);
    const partitions = this.#partitions.get(name);
    if (meta === undefined || partitions === undefined) return undefined;
    const states = [];
    for (let i = 0; i < partitions.size; i++) {
      const p = partitions.get(i);
      if (p === undefined) {
        this.#warn(`Topic ${name} misses partition ${i} in etcd; showing partitions 0-${i - 1}`, this.#keys.partition(name, i), undefined);
        break;
      }
      states.push(freezePartition({ partition: i, ...p.value }));
    }
    if (states.length === 0) return undefined;
    return freezeTopic({ name, topicId: meta.value.topicId, partitions: states, configs: meta.value.configs });
  }

  #rememberDeleted(revision: number, topic: TopicRecord): void {
    let atRevision = this.#deletedAt.get(revision);
    if (atRevision === undefined) this.#deletedAt.set(revision, (atRevision = new Map<string, TopicRecord>()));
    atRevision.set(topic.name, topic);
    while (this.#deletedAt.size > 256) {
      const oldest = this.#deletedAt.keys().next().value;
      if (oldest === undefined) break;
      this.#deletedAt.delete(oldest);
    }
  }

  #rebuildBrokers(events: CoordinatorEvent[]): void {
    const next = [...this.#brokerKeys.values()].map((v) => v.value).sort((a, b) => a.nodeId - b.nodeId);
    const same = next.length === this.#brokers.length && next.every((b, i) => {
      const old = this.#brokers[i];
      return old !== undefined && sameBroker(old, b);
    });
    if (same) return;
    this.#brokers = Object.freeze(next.map((b) => freezeBroker(b)));
    events.push({ type: 'brokers-changed', brokers: this.#brokers });
  }

  /** The etcd election rule: the candidate key with the lowest create revision leads. */
  #electedNode(): number {
    let best: { nodeId: number; createRevision: number } | undefined;
    for (const candidate of this.#electionKeys.values()) {
      if (best === undefined || candidate.createRevision < best.createRevision) best = candidate;
    }
    return best?.nodeId ?? -1;
  }

  *#knownKeys(): Iterable<string> {
    if (this.#clusterId !== undefined) yield this.#keys.clusterId();
    if (this.#producerIds !== undefined) yield this.#keys.producerIds();
    for (const id of this.#brokerKeys.keys()) yield this.#keys.broker(id);
    yield* this.#electionKeys.keys();
    for (const name of this.#metas.keys()) yield this.#keys.topicMeta(name);
    for (const [name, partitions] of this.#partitions) for (const p of partitions.keys()) yield this.#keys.partition(name, p);
    yield* this.manifests.knownKeys(this.#keys);
  }
}

function versioned<T>(value: T, kv: ViewKv): Versioned<T> {
  return { value, createRevision: kv.createRevision, modRevision: kv.modRevision, lease: kv.lease };
}

function byName(a: TopicRecord, b: TopicRecord): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
