/**
 * A tiny fake Kafka broker for capturing golden request bytes from real clients.
 *
 * It parses every request and encodes every response with OUR codec only (`decodeRequestFrame`,
 * `encodeResponseFrame`), keeps just enough state (topics, partition logs, one consumer group,
 * producer ids, configs, ACLs) for librdkafka to walk through its producer, consumer,
 * transactional and admin flows, and records the first request frame it sees for each
 * (API, version) — for Produce, one frame per compression codec and producer kind (the one with
 * the most records); InitProducerId, FindCoordinator and EndTxn keep their transactional /
 * transaction-key / abort flavours apart too.
 *
 * Standalone: `node --conditions=oxbow:source --import tsx test/golden/capture/capture-server.ts`
 * prints `PORT <n>` and serves until killed. `capture.ts` imports `startCaptureServer` instead.
 */
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import {
  ALL_APIS,
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  AlterConfigs,
  ApiVersions,
  CreateAcls,
  CreatePartitions,
  CreateTopics,
  DeleteAcls,
  DeleteGroups,
  DeleteRecords,
  DeleteTopics,
  DescribeAcls,
  DescribeCluster,
  DescribeConfigs,
  DescribeGroups,
  EndTxn,
  Fetch,
  FindCoordinator,
  FrameDecoder,
  Heartbeat,
  IncrementalAlterConfigs,
  InitProducerId,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  OffsetForLeaderEpoch,
  Produce,
  SaslAuthenticate,
  SaslHandshake,
  SyncGroup,
  TxnOffsetCommit,
  decodeRequestFrame,
  encodeResponseFrame,
  lookupApi,
  scanBatches,
  type Api,
  type DecodedRequest,
  type RequestOf,
  type ResponseInputOf,
} from '../../../src/index.js';

export const NODE_ID = 1;
export const CLUSTER_ID = 'golden-cluster-0000001';
export const DEFAULT_PARTITIONS = 3;
/** Producer ids handed out by InitProducerId: idempotent producers, then transactional ones. */
export const IDEMPOTENT_PRODUCER = { producerId: 4001n, producerEpoch: 0 } as const;
export const TRANSACTIONAL_PRODUCER = { producerId: 5001n, producerEpoch: 7 } as const;
const MAX_FETCH_WAIT_MS = 100;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** One captured request frame (without its size prefix). */
export interface CapturedFrame {
  /** Fixture base name, e.g. `Produce-v7-gzip`. */
  readonly name: string;
  readonly api: string;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly variant: string | null;
  readonly frame: Buffer;
}

export interface CaptureServer {
  readonly port: number;
  /** Captured frames by fixture name, in the order first seen. */
  readonly captured: Map<string, CapturedFrame>;
  /** Every (API, version) seen, with how often. */
  readonly seen: Map<string, number>;
  /** Problems met while serving (decode failures, unknown APIs, handler errors). */
  readonly errors: string[];
  /** Requests that decoded only after dropping trailing bytes (which Kafka ignores). */
  readonly quirks: string[];
  close(): Promise<void>;
}

/** Kafka-style topic id, derived from the name so captures are reproducible. */
export function topicIdFor(name: string): string {
  const h = createHash('md5').update(`topic:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

interface StoredBatch {
  readonly baseOffset: bigint;
  readonly nextOffset: bigint;
  readonly bytes: Buffer;
}

interface Partition {
  readonly batches: StoredBatch[];
  logStartOffset: bigint;
  highWatermark: bigint;
}

interface Topic {
  readonly name: string;
  readonly id: string;
  readonly partitions: Partition[];
  readonly configs: Map<string, string>;
}

interface Member {
  readonly memberId: string;
  readonly clientId: string;
  readonly groupInstanceId: string | null;
  metadata: Buffer;
  assignment: Buffer;
}

interface Group {
  readonly groupId: string;
  protocolType: string;
  protocolName: string;
  generationId: number;
  leader: string;
  readonly members: Map<string, Member>;
  /** committed offsets by `topic\0partition` */
  readonly offsets: Map<string, { offset: bigint; leaderEpoch: number; metadata: string | null }>;
}

interface Acl {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

type Responder = <A extends Api>(api: A, body: ResponseInputOf<A>) => Buffer[];
type Handler = (req: DecodedRequest, respond: Responder) => Promise<Buffer[] | null> | Buffer[] | null;

function partitionLog(): Partition {
  return { batches: [], logStartOffset: 0n, highWatermark: 0n };
}

/**
 * Compression of a Produce request's first batch, plus the producer kind when it has an id; and
 * how many records the request carries.
 */
function produceVariant(body: RequestOf<typeof Produce>): { variant: string; records: number } {
  let variant = 'empty';
  let records = 0;
  for (const t of body.topicData) {
    for (const p of t.partitionData) {
      for (const batch of scanBatches(p.records ?? Buffer.alloc(0))) {
        records += batch.recordsCount;
        if (variant !== 'empty') continue;
        const kind = batch.isTransactional ? '-transactional' : batch.producerId >= 0n ? '-idempotent' : '';
        variant = `${batch.compression}${kind}`;
      }
    }
  }
  return { variant, records };
}

/** Variants kept apart besides Produce's: the transactional flavour of a few shared APIs. */
function flavour(req: DecodedRequest): string | null {
  if (req.api === InitProducerId) return (req.body as RequestOf<typeof InitProducerId>).transactionalId === null ? null : 'transactional';
  if (req.api === FindCoordinator) return (req.body as RequestOf<typeof FindCoordinator>).keyType === 1 ? 'transaction' : null;
  if (req.api === EndTxn) return (req.body as RequestOf<typeof EndTxn>).committed ? null : 'abort';
  return null;
}

/** Fixture name for a frame: `<Api>-v<N>[-<variant>][-kcat]`. */
function fixtureName(api: string, version: number, variant: string | null, clientId: string | null): string {
  const tool = clientId === 'golden-kcat' ? '-kcat' : '';
  return `${api}-v${version}${variant === null ? '' : `-${variant}`}${tool}`;
}

export async function startCaptureServer(host = '127.0.0.1', port = 0): Promise<CaptureServer> {
  const captured = new Map<string, CapturedFrame>();
  const weights = new Map<string, number>();
  const seen = new Map<string, number>();
  const errors: string[] = [];
  const quirks: string[] = [];
  const topics = new Map<string, Topic>();
  const groups = new Map<string, Group>();
  const acls: Acl[] = [];
  const brokerConfigs = new Map<string, string>();
  let memberCounter = 0;
  let advertisedPort = port;

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

  const handlers = new Map<number, Handler>();
  const on = <A extends Api>(api: A, fn: (body: RequestOf<A>, version: number, req: DecodedRequest, respond: Responder) => Promise<Buffer[] | null> | Buffer[] | null): void => {
    handlers.set(api.apiKey, (req, respond) => fn(req.body as RequestOf<A>, req.header.apiVersion, req, respond));
  };

  // ---- cluster -------------------------------------------------------------------------------

  on(ApiVersions, (_b, v, _req, respond) =>
    respond(ApiVersions, {
      errorCode: 0,
      apiKeys: ALL_APIS.map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })),
      throttleTimeMs: 0,
      ...(v >= 3 ? { finalizedFeaturesEpoch: -1n } : {}),
    }),
  );

  on(Metadata, (b, v, _req, respond) => {
    const wanted =
      b.topics === null || (v === 0 && b.topics.length === 0)
        ? [...topics.values()]
        : b.topics.map((t) => (t.name === null ? topicById(t.topicId) : topic(t.name)));
    return respond(Metadata, {
      throttleTimeMs: 0,
      brokers: [{ nodeId: NODE_ID, host, port: advertisedPort, rack: null }],
      clusterId: CLUSTER_ID,
      controllerId: NODE_ID,
      topics: wanted.map((t, i) =>
        t === undefined
          ? { errorCode: 100, name: null, topicId: b.topics?.[i]?.topicId ?? ZERO_UUID, isInternal: false, partitions: [] }
          : {
              errorCode: 0,
              name: t.name,
              topicId: t.id,
              isInternal: false,
              partitions: t.partitions.map((_p, idx) => ({
                errorCode: 0,
                partitionIndex: idx,
                leaderId: NODE_ID,
                leaderEpoch: 0,
                replicaNodes: [NODE_ID],
                isrNodes: [NODE_ID],
                offlineReplicas: [],
              })),
            },
      ),
    });
  });

  on(DescribeCluster, (_b, _v, _req, respond) =>
    respond(DescribeCluster, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      clusterId: CLUSTER_ID,
      controllerId: NODE_ID,
      brokers: [{ brokerId: NODE_ID, host, port: advertisedPort, rack: null }],
      clusterAuthorizedOperations: -2147483648,
    }),
  );

  on(SaslHandshake, (_b, _v, _req, respond) => respond(SaslHandshake, { errorCode: 0, mechanisms: ['PLAIN'] }));
  on(SaslAuthenticate, (_b, _v, _req, respond) =>
    respond(SaslAuthenticate, { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n }),
  );

  // ---- produce / fetch -----------------------------------------------------------------------

  on(Produce, (b, _v, _req, respond) => {
    const responses = b.topicData.map((td) => {
      const t = topic(td.name);
      return {
        name: td.name,
        partitionResponses: td.partitionData.map((pd) => {
          const p = t.partitions[pd.index];
          if (p === undefined) return { index: pd.index, errorCode: 3, baseOffset: -1n };
          const base = p.highWatermark;
          for (const view of scanBatches(pd.records ?? Buffer.alloc(0))) {
            const bytes = Buffer.from(view.bytes());
            bytes.writeBigInt64BE(p.highWatermark, 0);
            const next = p.highWatermark + BigInt(view.lastOffsetDelta) + 1n;
            p.batches.push({ baseOffset: p.highWatermark, nextOffset: next, bytes });
            p.highWatermark = next;
          }
          return { index: pd.index, errorCode: 0, baseOffset: base, logAppendTimeMs: -1n, logStartOffset: p.logStartOffset };
        }),
      };
    });
    if (b.acks === 0) return null;
    return respond(Produce, { responses, throttleTimeMs: 0 });
  });

  on(Fetch, async (b, v, _req, respond) => {
    const resolve = (tt: { topic: string; topicId: string }): Topic | undefined => (v >= 13 ? topicById(tt.topicId) : topics.get(tt.topic));
    const hasData = (): boolean =>
      b.topics.some((tt) => {
        const t = resolve(tt);
        return tt.partitions.some((pp) => {
          const p = t?.partitions[pp.partition];
          return p !== undefined && pp.fetchOffset < p.highWatermark;
        });
      });
    if (!hasData() && b.maxWaitMs > 0) await sleep(Math.min(b.maxWaitMs, MAX_FETCH_WAIT_MS));
    let budget = b.maxBytes;
    return respond(Fetch, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: b.topics.map((tt) => {
        const t = resolve(tt);
        return {
          topic: tt.topic,
          topicId: tt.topicId,
          partitions: tt.partitions.map((pp) => {
            const p = t?.partitions[pp.partition];
            if (p === undefined) {
              return { partitionIndex: pp.partition, errorCode: 3, highWatermark: -1n, abortedTransactions: null, records: null };
            }
            const out: Buffer[] = [];
            let size = 0;
            for (const batch of p.batches) {
              if (batch.nextOffset <= pp.fetchOffset) continue;
              if (out.length > 0 && (size + batch.bytes.length > pp.partitionMaxBytes || size + batch.bytes.length > budget)) break;
              out.push(batch.bytes);
              size += batch.bytes.length;
            }
            budget -= size;
            return {
              partitionIndex: pp.partition,
              errorCode: pp.fetchOffset > p.highWatermark ? 1 : 0,
              highWatermark: p.highWatermark,
              lastStableOffset: p.highWatermark,
              logStartOffset: p.logStartOffset,
              abortedTransactions: [],
              preferredReadReplica: -1,
              records: Buffer.concat(out),
            };
          }),
        };
      }),
    });
  });

  on(ListOffsets, (b, v, _req, respond) =>
    respond(ListOffsets, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => {
          const p = topics.get(tt.name)?.partitions[pp.partitionIndex];
          if (p === undefined) return { partitionIndex: pp.partitionIndex, errorCode: 3 };
          const offset = pp.timestamp === -2n ? p.logStartOffset : p.highWatermark;
          return v === 0
            ? { partitionIndex: pp.partitionIndex, errorCode: 0, oldStyleOffsets: [offset] }
            : { partitionIndex: pp.partitionIndex, errorCode: 0, timestamp: -1n, offset, leaderEpoch: v >= 4 ? 0 : -1 };
        }),
      })),
    }),
  );

  on(OffsetForLeaderEpoch, (b, _v, _req, respond) =>
    respond(OffsetForLeaderEpoch, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        topic: tt.topic,
        partitions: tt.partitions.map((pp) => {
          const p = topics.get(tt.topic)?.partitions[pp.partition];
          return p === undefined
            ? { errorCode: 3, partition: pp.partition, leaderEpoch: -1, endOffset: -1n }
            : { errorCode: 0, partition: pp.partition, leaderEpoch: 0, endOffset: p.highWatermark };
        }),
      })),
    }),
  );

  // ---- coordinators and groups ---------------------------------------------------------------

  on(FindCoordinator, (b, v, _req, respond) =>
    respond(
      FindCoordinator,
      v <= 3
        ? { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: NODE_ID, host, port: advertisedPort }
        : {
            throttleTimeMs: 0,
            coordinators: b.coordinatorKeys.map((key) => ({ key, nodeId: NODE_ID, host, port: advertisedPort, errorCode: 0, errorMessage: null })),
          },
    ),
  );

  on(JoinGroup, (b, v, req, respond) => {
    const g = group(b.groupId);
    const memberId = b.memberId === '' ? `${req.header.clientId ?? 'member'}-member-${++memberCounter}` : b.memberId;
    const chosen = b.protocols[0];
    const member = g.members.get(memberId) ?? {
      memberId,
      clientId: req.header.clientId ?? '',
      groupInstanceId: b.groupInstanceId,
      metadata: Buffer.alloc(0),
      assignment: Buffer.alloc(0),
    };
    member.metadata = Buffer.from(chosen?.metadata ?? Buffer.alloc(0));
    g.members.set(memberId, member);
    g.protocolType = b.protocolType;
    g.protocolName = chosen?.name ?? '';
    g.generationId += 1;
    if (!g.members.has(g.leader)) g.leader = memberId;
    return respond(JoinGroup, {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: g.generationId,
      ...(v >= 7 ? { protocolType: g.protocolType } : {}),
      protocolName: g.protocolName,
      leader: g.leader,
      memberId,
      members:
        g.leader === memberId
          ? [...g.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata }))
          : [],
    });
  });

  on(SyncGroup, (b, v, _req, respond) => {
    const g = group(b.groupId);
    for (const a of b.assignments) {
      const m = g.members.get(a.memberId);
      if (m !== undefined) m.assignment = Buffer.from(a.assignment);
    }
    return respond(SyncGroup, {
      throttleTimeMs: 0,
      errorCode: 0,
      ...(v >= 5 ? { protocolType: g.protocolType, protocolName: g.protocolName } : {}),
      assignment: g.members.get(b.memberId)?.assignment ?? Buffer.alloc(0),
    });
  });

  on(Heartbeat, (_b, _v, _req, respond) => respond(Heartbeat, { throttleTimeMs: 0, errorCode: 0 }));

  on(LeaveGroup, (b, v, _req, respond) => {
    const g = group(b.groupId);
    const leaving = v <= 2 ? [{ memberId: b.memberId, groupInstanceId: null }] : b.members;
    for (const m of leaving) g.members.delete(m.memberId);
    return respond(LeaveGroup, {
      throttleTimeMs: 0,
      errorCode: 0,
      ...(v >= 3 ? { members: leaving.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: 0 })) } : {}),
    });
  });

  on(OffsetCommit, (b, _v, _req, respond) => {
    const g = group(b.groupId);
    return respond(OffsetCommit, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => {
          g.offsets.set(`${tt.name}\0${pp.partitionIndex}`, {
            offset: pp.committedOffset,
            leaderEpoch: pp.committedLeaderEpoch,
            metadata: pp.committedMetadata,
          });
          return { partitionIndex: pp.partitionIndex, errorCode: 0 };
        }),
      })),
    });
  });

  const committed = (g: Group, requested: { name: string; partitionIndexes: number[] }[] | null) => {
    const list =
      requested ??
      [...new Set([...g.offsets.keys()].map((k) => k.split('\0')[0] ?? ''))].map((name) => ({
        name,
        partitionIndexes: [...g.offsets.keys()].filter((k) => k.startsWith(`${name}\0`)).map((k) => Number(k.split('\0')[1])),
      }));
    return list.map((tt) => ({
      name: tt.name,
      partitions: tt.partitionIndexes.map((idx) => {
        const c = g.offsets.get(`${tt.name}\0${idx}`);
        return {
          partitionIndex: idx,
          committedOffset: c?.offset ?? -1n,
          committedLeaderEpoch: c?.leaderEpoch ?? -1,
          metadata: c?.metadata ?? '',
          errorCode: 0,
        };
      }),
    }));
  };

  on(OffsetFetch, (b, v, _req, respond) =>
    respond(
      OffsetFetch,
      v <= 7
        ? { throttleTimeMs: 0, topics: committed(group(b.groupId), b.topics), errorCode: 0 }
        : {
            throttleTimeMs: 0,
            groups: b.groups.map((gg) => ({ groupId: gg.groupId, topics: committed(group(gg.groupId), gg.topics), errorCode: 0 })),
          },
    ),
  );

  on(OffsetDelete, (b, _v, _req, respond) => {
    const g = group(b.groupId);
    return respond(OffsetDelete, {
      errorCode: 0,
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => {
          g.offsets.delete(`${tt.name}\0${pp.partitionIndex}`);
          return { partitionIndex: pp.partitionIndex, errorCode: 0 };
        }),
      })),
    });
  });

  on(ListGroups, (_b, v, _req, respond) =>
    respond(ListGroups, {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [...groups.values()].map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        ...(v >= 4 ? { groupState: groupState(g) } : {}),
        ...(v >= 5 ? { groupType: 'classic' } : {}),
      })),
    }),
  );

  on(DescribeGroups, (b, _v, _req, respond) =>
    respond(DescribeGroups, {
      throttleTimeMs: 0,
      groups: b.groups.map((id) => {
        const g = groups.get(id);
        if (g === undefined) {
          return { errorCode: 0, groupId: id, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
        }
        return {
          errorCode: 0,
          groupId: id,
          groupState: groupState(g),
          protocolType: g.protocolType,
          protocolData: g.protocolName,
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: `/${host}`,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
        };
      }),
    }),
  );

  on(DeleteGroups, (b, _v, _req, respond) =>
    respond(DeleteGroups, {
      throttleTimeMs: 0,
      results: b.groupsNames.map((id) => {
        const existed = groups.delete(id);
        return { groupId: id, errorCode: existed ? 0 : 69 };
      }),
    }),
  );

  // ---- transactions --------------------------------------------------------------------------

  on(InitProducerId, (b, _v, _req, respond) =>
    respond(InitProducerId, { throttleTimeMs: 0, errorCode: 0, ...(b.transactionalId === null ? IDEMPOTENT_PRODUCER : TRANSACTIONAL_PRODUCER) }),
  );

  on(AddPartitionsToTxn, (b, v, _req, respond) => {
    const result = (tt: { name: string; partitions: number[] }) => ({
      name: tt.name,
      resultsByPartition: tt.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: 0 })),
    });
    return respond(
      AddPartitionsToTxn,
      v <= 3
        ? { throttleTimeMs: 0, resultsByTopicV3AndBelow: b.v3AndBelowTopics.map(result) }
        : {
            throttleTimeMs: 0,
            errorCode: 0,
            resultsByTransaction: b.transactions.map((tx) => ({ transactionalId: tx.transactionalId, topicResults: tx.topics.map(result) })),
          },
    );
  });

  on(AddOffsetsToTxn, (_b, _v, _req, respond) => respond(AddOffsetsToTxn, { throttleTimeMs: 0, errorCode: 0 }));

  on(TxnOffsetCommit, (b, _v, _req, respond) =>
    respond(TxnOffsetCommit, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => ({ partitionIndex: pp.partitionIndex, errorCode: 0 })),
      })),
    }),
  );

  on(EndTxn, (_b, v, _req, respond) =>
    respond(EndTxn, { throttleTimeMs: 0, errorCode: 0, ...(v >= 5 ? TRANSACTIONAL_PRODUCER : {}) }),
  );

  // ---- admin ---------------------------------------------------------------------------------

  on(CreateTopics, (b, v, _req, respond) =>
    respond(CreateTopics, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => {
        const count = tt.numPartitions > 0 ? tt.numPartitions : Math.max(tt.assignments.length, DEFAULT_PARTITIONS);
        const t = topic(tt.name, count);
        if (!b.validateOnly) for (const c of tt.configs) if (c.value !== null) t.configs.set(c.name, c.value);
        return {
          name: tt.name,
          topicId: t.id,
          errorCode: 0,
          errorMessage: null,
          ...(v >= 5
            ? {
                numPartitions: t.partitions.length,
                replicationFactor: 1,
                configs: [...t.configs].map(([name, value]) => ({ name, value, readOnly: false, configSource: 1, isSensitive: false })),
              }
            : {}),
        };
      }),
    }),
  );

  on(DeleteTopics, (b, v, _req, respond) => {
    const names = v >= 6 ? b.topics.map((t) => t.name ?? topicById(t.topicId)?.name ?? null) : b.topicNames;
    return respond(DeleteTopics, {
      throttleTimeMs: 0,
      responses: names.map((name) => {
        const t = name === null ? undefined : topics.get(name);
        if (name !== null) topics.delete(name);
        return { name, topicId: t?.id ?? ZERO_UUID, errorCode: t === undefined ? 3 : 0, errorMessage: null };
      }),
    });
  });

  on(CreatePartitions, (b, _v, _req, respond) =>
    respond(CreatePartitions, {
      throttleTimeMs: 0,
      results: b.topics.map((tt) => {
        const t = topics.get(tt.name);
        if (t === undefined) return { name: tt.name, errorCode: 3, errorMessage: 'unknown topic' };
        if (!b.validateOnly) while (t.partitions.length < tt.count) t.partitions.push(partitionLog());
        return { name: tt.name, errorCode: 0, errorMessage: null };
      }),
    }),
  );

  on(DeleteRecords, (b, _v, _req, respond) =>
    respond(DeleteRecords, {
      throttleTimeMs: 0,
      topics: b.topics.map((tt) => ({
        name: tt.name,
        partitions: tt.partitions.map((pp) => {
          const p = topics.get(tt.name)?.partitions[pp.partitionIndex];
          if (p === undefined) return { partitionIndex: pp.partitionIndex, lowWatermark: -1n, errorCode: 3 };
          const target = pp.offset === -1n ? p.highWatermark : pp.offset;
          if (target > p.logStartOffset) p.logStartOffset = target;
          return { partitionIndex: pp.partitionIndex, lowWatermark: p.logStartOffset, errorCode: 0 };
        }),
      })),
    }),
  );

  const configsOf = (resourceType: number, name: string): Map<string, string> =>
    resourceType === 2 ? topic(name).configs : brokerConfigs;

  on(DescribeConfigs, (b, v, _req, respond) =>
    respond(DescribeConfigs, {
      throttleTimeMs: 0,
      results: b.resources.map((r) => {
        const stored = configsOf(r.resourceType, r.resourceName);
        const names = r.configurationKeys ?? [...new Set([...stored.keys(), 'cleanup.policy', 'retention.ms'])];
        return {
          errorCode: 0,
          errorMessage: null,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configs: names.map((name) => {
            const value = stored.get(name) ?? (name === 'cleanup.policy' ? 'delete' : name === 'retention.ms' ? '604800000' : null);
            const isDefault = !stored.has(name);
            return {
              name,
              value,
              readOnly: false,
              isSensitive: false,
              ...(v === 0 ? { isDefault } : { configSource: isDefault ? 5 : 1, synonyms: [] }),
              ...(v >= 3 ? { configType: 0, documentation: null } : {}),
            };
          }),
        };
      }),
    }),
  );

  on(AlterConfigs, (b, _v, _req, respond) =>
    respond(AlterConfigs, {
      throttleTimeMs: 0,
      responses: b.resources.map((r) => {
        if (!b.validateOnly) {
          const stored = configsOf(r.resourceType, r.resourceName);
          stored.clear();
          for (const c of r.configs) if (c.value !== null) stored.set(c.name, c.value);
        }
        return { errorCode: 0, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
      }),
    }),
  );

  on(IncrementalAlterConfigs, (b, _v, _req, respond) =>
    respond(IncrementalAlterConfigs, {
      throttleTimeMs: 0,
      responses: b.resources.map((r) => {
        if (!b.validateOnly) {
          const stored = configsOf(r.resourceType, r.resourceName);
          for (const c of r.configs) {
            if (c.configOperation === 0 && c.value !== null) stored.set(c.name, c.value);
            else if (c.configOperation === 1) stored.delete(c.name);
          }
        }
        return { errorCode: 0, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName };
      }),
    }),
  );

  // Filters: resource type 1 / pattern type 1 / operation 1 / permission 1 = ANY; pattern 2 = MATCH.
  const matches = (a: Acl, f: RequestOf<typeof DescribeAcls>): boolean =>
    (f.resourceTypeFilter === 1 || f.resourceTypeFilter === a.resourceType) &&
    (f.resourceNameFilter === null || f.resourceNameFilter === a.resourceName) &&
    (f.patternTypeFilter === 1 || f.patternTypeFilter === 2 || f.patternTypeFilter === a.patternType) &&
    (f.principalFilter === null || f.principalFilter === a.principal) &&
    (f.hostFilter === null || f.hostFilter === a.host) &&
    (f.operation === 1 || f.operation === a.operation) &&
    (f.permissionType === 1 || f.permissionType === a.permissionType);

  on(CreateAcls, (b, _v, _req, respond) => {
    for (const c of b.creations) acls.push({ ...c, patternType: c.resourcePatternType });
    return respond(CreateAcls, { throttleTimeMs: 0, results: b.creations.map(() => ({ errorCode: 0, errorMessage: null })) });
  });

  on(DescribeAcls, (b, v, _req, respond) => {
    const found = acls.filter((a) => matches(a, b));
    const byResource = new Map<string, Acl[]>();
    for (const a of found) {
      const key = `${a.resourceType}\0${a.resourceName}\0${a.patternType}`;
      byResource.set(key, [...(byResource.get(key) ?? []), a]);
    }
    return respond(DescribeAcls, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      resources: [...byResource.values()].map((list) => {
        const first = list[0] as Acl;
        return {
          resourceType: first.resourceType,
          resourceName: first.resourceName,
          ...(v >= 1 ? { patternType: first.patternType } : {}),
          acls: list.map((a) => ({ principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType })),
        };
      }),
    });
  });

  on(DeleteAcls, (b, v, _req, respond) =>
    respond(DeleteAcls, {
      throttleTimeMs: 0,
      filterResults: b.filters.map((filter) => {
        const hit = acls.filter((a) => matches(a, filter));
        for (const a of hit) acls.splice(acls.indexOf(a), 1);
        return {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: hit.map((a) => ({
            errorCode: 0,
            errorMessage: null,
            resourceType: a.resourceType,
            resourceName: a.resourceName,
            ...(v >= 1 ? { patternType: a.patternType } : {}),
            principal: a.principal,
            host: a.host,
            operation: a.operation,
            permissionType: a.permissionType,
          })),
        };
      }),
    }),
  );

  // ---- connections ---------------------------------------------------------------------------

  const record = (frame: Buffer, req: DecodedRequest | null, apiKey: number, version: number, clientId: string | null): void => {
    const api = req?.api.name ?? lookupApi(apiKey)?.name ?? `ApiKey${apiKey}`;
    seen.set(`${api}-v${version}`, (seen.get(`${api}-v${version}`) ?? 0) + 1);
    let variant: string | null = null;
    let weight = 0;
    if (req !== null && req.api === Produce) {
      try {
        ({ variant, records: weight } = produceVariant(req.body as RequestOf<typeof Produce>));
      } catch (err) {
        variant = 'unscannable';
        errors.push(`Produce v${version}: records do not scan: ${String(err)}`);
      }
    }
    if (req !== null) variant ??= flavour(req);
    const name = fixtureName(api, version, variant, clientId);
    // First frame wins; for Produce a later frame with more records (librdkafka sometimes sends
    // the first record of a burst alone) replaces it.
    if (!captured.has(name) || weight > (weights.get(name) ?? 0)) {
      captured.set(name, { name, api, apiKey, apiVersion: version, clientId, variant, frame: Buffer.from(frame) });
      weights.set(name, weight);
    }
  };

  const handle = async (socket: Socket, frame: Buffer): Promise<void> => {
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    const version = frame.length >= 4 ? frame.readInt16BE(2) : -1;
    let req: DecodedRequest;
    try {
      req = decodeRequestFrame(frame, lookupApi);
    } catch (err) {
      record(frame, null, apiKey, version, null);
      errors.push(`decode failed for api key ${apiKey} v${version}: ${String(err)}`);
      socket.destroy();
      return;
    }
    if (req.trailingBytes > 0) {
      // Kafka ignores bytes after a request body (and so does our decoder); note them.
      const tail = frame.subarray(frame.length - req.trailingBytes);
      quirks.push(`${req.api.name} v${version}: ${tail.length} trailing byte(s) ${tail.toString('hex')} after the body`);
    }
    record(frame, req, apiKey, version, req.header.clientId);
    const handler = handlers.get(apiKey);
    if (handler === undefined) {
      errors.push(`no handler for ${req.api.name} v${version}`);
      socket.destroy();
      return;
    }
    const respond: Responder = (api, body) => encodeResponseFrame(api, version, req.header.correlationId, body);
    try {
      const out = await handler(req, respond);
      if (out !== null && !socket.destroyed) for (const chunk of out) socket.write(chunk);
    } catch (err) {
      errors.push(`handler for ${req.api.name} v${version} failed: ${String(err)}`);
      socket.destroy();
    }
  };

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    // Requests on one connection are handled strictly in order, so responses go out in order.
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        errors.push(`framing failed: ${String(err)}`);
        socket.destroy();
        return;
      }
      for (const frame of frames) chain = chain.then(() => handle(socket, frame));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  advertisedPort = address.port;

  return {
    port: advertisedPort,
    captured,
    seen,
    errors,
    quirks,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const srv = await startCaptureServer();
  console.log(`PORT ${srv.port}`);
  process.on('SIGINT', () => {
    console.log(`captured: ${[...srv.captured.keys()].join(', ')}`);
    if (srv.errors.length > 0) console.log(`errors:\n  ${srv.errors.join('\n  ')}`);
    if (srv.quirks.length > 0) console.log(`quirks:\n  ${srv.quirks.join('\n  ')}`);
    void srv.close().then(() => process.exit(0));
  });
}
