/**
 * The capture server's fake cluster: one node, and just enough state (topics with their partition
 * logs and configs, consumer groups with their committed offsets, broker configs, ACLs) for
 * librdkafka to walk through its producer, consumer, transactional and admin flows. The
 * responders (*-responders.ts) read and change it; capture-server.ts owns one per server.
 */
import { createHash } from 'node:crypto';

export const NODE_ID = 1;
export const CLUSTER_ID = 'golden-cluster-0000001';
export const DEFAULT_PARTITIONS = 3;
/** Producer ids handed out by InitProducerId: idempotent producers, then transactional ones. */
export const IDEMPOTENT_PRODUCER = { producerId: 4001n, producerEpoch: 0 } as const;
export const TRANSACTIONAL_PRODUCER = { producerId: 5001n, producerEpoch: 7 } as const;
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Kafka-style topic id, derived from the name so captures are reproducible. */
export function topicIdFor(name: string): string {
  const h = createHash('md5').update(`topic:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface StoredBatch {
  readonly baseOffset: bigint;
  readonly nextOffset: bigint;
  readonly bytes: Buffer;
}

export interface Partition {
  readonly batches: StoredBatch[];
  logStartOffset: bigint;
  highWatermark: bigint;
}

export interface Topic {
  readonly name: string;
  readonly id: string;
  readonly partitions: Partition[];
  readonly configs: Map<string, string>;
}

export interface Member {
  readonly memberId: string;
  readonly clientId: string;
  readonly groupInstanceId: string | null;
  metadata: Buffer;
  assignment: Buffer;
}

export interface Group {
  readonly groupId: string;
  protocolType: string;
  protocolName: string;
  generationId: number;
  leader: string;
  readonly members: Map<string, Member>;
  /** committed offsets by `topic\0partition` */
  readonly offsets: Map<string, { offset: bigint; leaderEpoch: number; metadata: string | null }>;
}

export interface Acl {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

export interface FakeCluster {
  readonly host: string;
  /** The port Metadata, DescribeCluster and FindCoordinator advertise (set once the server listens). */
  advertisedPort: number;
  readonly topics: Map<string, Topic>;
  readonly groups: Map<string, Group>;
  readonly acls: Acl[];
  readonly brokerConfigs: Map<string, string>;
  /** Member ids handed out so far by JoinGroup. */
  memberCounter: number;
  /** The topic of that name, created (with `partitions` partitions) on first use. */
  readonly topic: (name: string, partitions?: number) => Topic;
  readonly topicById: (id: string) => Topic | undefined;
  /** The group of that id, created empty on first use. */
  readonly group: (groupId: string) => Group;
  readonly groupState: (g: Group) => string;
}

export function partitionLog(): Partition {
  return { batches: [], logStartOffset: 0n, highWatermark: 0n };
}

export function createFakeCluster(host: string, port: number): FakeCluster {
  const topics = new Map<string, Topic>();
  const groups = new Map<string, Group>();

  const topic = (name: string, partitions = DEFAULT_PARTITIONS): Topic => {
    let t = topics.get(name);
    if (t === undefined) {
      t = { name, id: topicIdFor(name), partitions: Array.from({ length: partitions }, partitionLog), configs: new Map() };
      topics.set(name, t);
    }
    return t;
  };
  const topicById = (id: string): Topic | undefined => [...topics.values()].find((t) => t.id === id);
  const group = (groupId: string): Group => {
    let g = groups.get(groupId);
    if (g === undefined) {
      g = { groupId, protocolType: 'consumer', protocolName: '', generationId: 0, leader: '', members: new Map(), offsets: new Map() };
      groups.set(groupId, g);
    }
    return g;
  };
  const groupState = (g: Group): string => (g.members.size > 0 ? 'Stable' : 'Empty');

  return { host, advertisedPort: port, topics, groups, acls: [], brokerConfigs: new Map(), memberCounter: 0, topic, topicById, group, groupState };
}
