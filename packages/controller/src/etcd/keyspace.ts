/**
 * The etcd keyspace of one Oxbow cluster (docs/etcd-keyspace.md): key names under
 * `/oxbow/{clusterName}/` and the JSON value of each kind of key, with defensive parsing (a value
 * another version or a person wrote must never crash a node's watch; it is reported and skipped).
 */
import type { BrokerInfo, PartitionState } from '../coordinator.js';
import { isValidTopicId, topicCollisionKey } from '../identifiers.js';

/** Cluster names become etcd path segments: the same alphabet as cluster ids. */
const CLUSTER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function isValidClusterName(name: string): boolean {
  return CLUSTER_NAME.test(name) && name !== '.' && name !== '..';
}

/** Full keys for one cluster; every method returns a key under `root`. */
export class Keyspace {
  /** `/oxbow/{clusterName}/` */
  readonly root: string;

  constructor(clusterName: string) {
    this.root = `/oxbow/${clusterName}/`;
  }

  clusterId(): string {
    return `${this.root}cluster-id`;
  }
  broker(nodeId: number): string {
    return `${this.root}brokers/${nodeId}`;
  }
  /** Prefix of the etcd3 `Election` named 'controller' inside the cluster namespace. */
  electionPrefix(): string {
    return `${this.root}election/controller/`;
  }
  /** Reserves a topic's name modulo '.'/'_' (Kafka's collision rule) so racing creators conflict in etcd. */
  topicName(name: string): string {
    return `${this.root}topic-names/${topicCollisionKey(name)}`;
  }
  /** Everything of one topic: its meta key and its partition keys. */
  topicPrefix(name: string): string {
    return `${this.root}topics/${name}/`;
  }
  topicMeta(name: string): string {
    return `${this.topicPrefix(name)}meta`;
  }
  partition(name: string, partition: number): string {
    return `${this.topicPrefix(name)}partitions/${partition}`;
  }
  producerIds(): string {
    return `${this.root}producer-ids/next`;
  }
  /** `clusterSecretKey()`: 32 random bytes, base64; created once by whichever node asks first. */
  clusterSecretKey(): string {
    return `${this.root}secrets/cluster-key`;
  }
  /** Every manifest key of one topic (deleted with the topic). */
  manifestPrefix(topicId: string): string {
    return `${this.root}manifests/${topicId}/`;
  }
  /** A partition's next offset (decimal); absent means 0. Written only by commits. */
  manifestNext(topicId: string, partition: number): string {
    return `${this.manifestPrefix(topicId)}${partition}/next`;
  }
  /**
   * A partition's log start offset (decimal); absent means 0. Its mod revision also versions the
   * entry layout below the next offset: replaces and start advances re-put it and compare it.
   */
  manifestStart(topicId: string, partition: number): string {
    return `${this.manifestPrefix(topicId)}${partition}/start`;
  }
  /** Prefix of a partition's entry keys, which sort by base offset (zero-padded to 20 digits). */
  manifestEntries(topicId: string, partition: number): string {
    return `${this.manifestPrefix(topicId)}${partition}/e/`;
  }
  manifestEntry(topicId: string, partition: number, baseOffset: bigint): string {
    return `${this.manifestEntries(topicId, partition)}${baseOffset.toString().padStart(20, '0')}`;
  }

  /** What a full key names, or undefined for keys outside the layout (ignored). */
  parse(key: string): ParsedKey | undefined {
    if (!key.startsWith(this.root)) return undefined;
    const rel = key.slice(this.root.length);
    if (rel === 'cluster-id') return { kind: 'cluster-id' };
    if (rel === 'producer-ids/next') return { kind: 'producer-ids' };
    const parts = rel.split('/');
    if (parts[0] === 'brokers' && parts.length === 2) {
      const nodeId = parseIndex(parts[1]);
      return nodeId === undefined ? undefined : { kind: 'broker', nodeId };
    }
    if (parts[0] === 'election' && parts[1] === 'controller' && parts.length === 3) return { kind: 'election', key };
    if (parts[0] === 'topic-names' && parts.length === 2) return { kind: 'topic-name' };
    if (parts[0] === 'secrets') return { kind: 'secret' };
    if (parts[0] === 'manifests' && (parts.length === 4 || parts.length === 5)) return parseManifestKey(parts);
    if (parts[0] === 'topics' && parts.length >= 3) {
      const name = parts[1] ?? '';
      if (parts.length === 3 && parts[2] === 'meta') return { kind: 'topic-meta', name };
      if (parts.length === 4 && parts[2] === 'partitions') {
        const partition = parseIndex(parts[3]);
        return partition === undefined ? undefined : { kind: 'partition', name, partition };
      }
    }
    return undefined;
  }
}

export type ParsedKey =
  | { readonly kind: 'cluster-id' }
  | { readonly kind: 'producer-ids' }
  | { readonly kind: 'broker'; readonly nodeId: number }
  | { readonly kind: 'election'; readonly key: string }
  | { readonly kind: 'topic-name' }
  | { readonly kind: 'topic-meta'; readonly name: string }
  | { readonly kind: 'partition'; readonly name: string; readonly partition: number }
  | { readonly kind: 'secret' }
  | ManifestKey;

export type ManifestKey =
  | { readonly kind: 'manifest-next' | 'manifest-start'; readonly topicId: string; readonly partition: number }
  | { readonly kind: 'manifest-entry'; readonly topicId: string; readonly partition: number; readonly baseOffset: bigint };

/** `manifests/{topicId}/{partition}/next|start` or `.../e/{baseOffset:020}`. */
function parseManifestKey(parts: readonly string[]): ManifestKey | undefined {
  const [, topicId = '', p, kind, base] = parts;
  const partition = parseIndex(p);
  if (!isValidTopicId(topicId) || partition === undefined) return undefined;
  if (parts.length === 4 && kind === 'next') return { kind: 'manifest-next', topicId, partition };
  if (parts.length === 4 && kind === 'start') return { kind: 'manifest-start', topicId, partition };
  if (parts.length === 5 && kind === 'e' && base !== undefined && /^[0-9]{20}$/.test(base)) return { kind: 'manifest-entry', topicId, partition, baseOffset: BigInt(base) };
  return undefined;
}

function parseIndex(text: string | undefined): number | undefined {
  if (text === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(text)) return undefined;
  return Number(text);
}

/** `brokers/{nodeId}`: the advertised listener (the node id is in the key). */
export function encodeBroker(info: BrokerInfo): string {
  return JSON.stringify({ host: info.host, port: info.port, rack: info.rack, ...(typeof info.grpc === 'string' ? { grpc: info.grpc } : {}) });
}

export function decodeBroker(nodeId: number, text: string): BrokerInfo {
  const v = parseObject(text);
  const { host, port, rack, grpc } = v;
  if (typeof host !== 'string' || host.length === 0) throw new Error('host must be a non-empty string');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error('port must be 1-65535');
  if (rack !== null && (typeof rack !== 'string' || rack.length === 0)) throw new Error('rack must be null or a non-empty string');
  if (grpc !== undefined && grpc !== null && typeof grpc !== 'string') throw new Error('grpc must be null or host:port');
  return { nodeId, host, port, rack, ...(typeof grpc === 'string' ? { grpc } : {}) };
}

export interface TopicMeta {
  readonly topicId: string;
  readonly configs: Readonly<Record<string, string>>;
}

/** `topics/{name}/meta`: the topic id (fixed for the topic's life) and its explicitly set configs. */
export function encodeTopicMeta(meta: TopicMeta): string {
  return JSON.stringify({ topicId: meta.topicId, configs: meta.configs });
}

export function decodeTopicMeta(text: string): TopicMeta {
  const v = parseObject(text);
  if (typeof v.topicId !== 'string' || !isValidTopicId(v.topicId)) throw new Error('topicId must be a canonical UUID');
  const configs: Record<string, string> = {};
  if (typeof v.configs !== 'object' || v.configs === null || Array.isArray(v.configs)) throw new Error('configs must be an object');
  for (const [key, value] of Object.entries(v.configs as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new Error(`config ${key} must be a string`);
    configs[key] = value;
  }
  return { topicId: v.topicId, configs };
}

export type StoredPartition = Omit<PartitionState, 'partition'>;

/** `topics/{name}/partitions/{i}`: one partition's replicas, leader, leader epoch and ISR. */
export function encodePartition(p: StoredPartition): string {
  return JSON.stringify({ replicas: p.replicas, leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr });
}

export function decodePartition(text: string): StoredPartition {
  const v = parseObject(text);
  const ids = (x: unknown, what: string): number[] => {
    if (!Array.isArray(x) || !x.every((id) => Number.isInteger(id) && (id as number) >= 0)) throw new Error(`${what} must be a list of node ids`);
    return x as number[];
  };
  const replicas = ids(v.replicas, 'replicas');
  const isr = ids(v.isr, 'isr');
  if (typeof v.leader !== 'number' || !Number.isInteger(v.leader) || v.leader < -1) throw new Error('leader must be a node id or -1');
  if (typeof v.leaderEpoch !== 'number' || !Number.isInteger(v.leaderEpoch) || v.leaderEpoch < 0) throw new Error('leaderEpoch must be >= 0');
  return { replicas, leader: v.leader, leaderEpoch: v.leaderEpoch, isr };
}

/** `producer-ids/next`: the first producer id not yet handed out, as a decimal string. */
export function decodeProducerIds(text: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) throw new Error('must be a non-negative decimal integer');
  return BigInt(text);
}

function parseObject(text: string): Record<string, unknown> {
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('must be a JSON object');
  return v as Record<string, unknown>;
}
