import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { context, propagation } from '@opentelemetry/api';

/**
 * The gRPC contracts of `protos/` loaded at run time, with the TypeScript shapes of their
 * messages as @grpc/proto-loader presents them (int64 as decimal strings, bytes as Buffer).
 */
const PROTOS = ['replication.proto', 'forward.proto'].map((f) => fileURLToPath(new URL(`../../../../protos/${f}`, import.meta.url)));

export interface ReplicaFetchRequestMessage {
  topic: string;
  topicId: string;
  partition: number;
  replicaId: number;
  leaderEpoch: number;
  fetchOffset: string;
  lastFetchedEpoch: number;
  maxBytes: number;
  maxWaitMs: number;
}

export interface ReplicaFetchResponseMessage {
  errorCode: number;
  highWatermark: string;
  logStartOffset: string;
  records: Buffer;
  diverging: boolean;
  divergingEpoch: number;
  divergingEndOffset: string;
}

export interface WriteTxnMarkerRequestMessage {
  topic: string;
  partition: number;
  producerId: string;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
}

export interface WriteTxnMarkerResponseMessage {
  errorCode: number;
}

type Unary<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: Res) => void) => grpc.ClientUnaryCall;

export interface ReplicationClient extends grpc.Client {
  ReplicaFetch: Unary<ReplicaFetchRequestMessage, ReplicaFetchResponseMessage>;
  WriteTxnMarker: Unary<WriteTxnMarkerRequestMessage, WriteTxnMarkerResponseMessage>;
}

export interface AppendRequestMessage {
  topic: string;
  partition: number;
  records: Buffer;
  acks: number;
}

export interface AppendResponseMessage {
  errorCode: number;
  errorMessage: string;
  baseOffset: string;
  logAppendTimeMs: string;
  logStartOffset: string;
}

export interface ReadRequestMessage {
  topic: string;
  partition: number;
  offset: string;
  maxBytes: number;
  minOneBatch: boolean;
  readCommitted: boolean;
  currentLeaderEpoch: number;
}

export interface ReadResponseMessage {
  errorCode: number;
  highWatermark: string;
  lastStableOffset: string;
  logStartOffset: string;
  records: Buffer;
  abortedTransactions: { producerId: string; firstOffset: string }[];
}

export interface ListOffsetRequestMessage {
  topic: string;
  partition: number;
  timestamp: string;
  readCommitted: boolean;
  currentLeaderEpoch: number;
}

export interface ListOffsetResponseMessage {
  errorCode: number;
  offset: string;
  timestamp: string;
  leaderEpoch: number;
}

export interface EndOffsetForEpochRequestMessage {
  topic: string;
  partition: number;
  leaderEpoch: number;
  currentLeaderEpoch: number;
}

export interface EndOffsetForEpochResponseMessage {
  errorCode: number;
  leaderEpoch: number;
  endOffset: string;
}

export interface ForwardClient extends grpc.Client {
  Append: Unary<AppendRequestMessage, AppendResponseMessage>;
  Read: Unary<ReadRequestMessage, ReadResponseMessage>;
  ListOffset: Unary<ListOffsetRequestMessage, ListOffsetResponseMessage>;
  EndOffsetForEpoch: Unary<EndOffsetForEpochRequestMessage, EndOffsetForEpochResponseMessage>;
}

interface ReplicationPackage {
  oxbow: { replication: { v1: { Replication: grpc.ServiceClientConstructor } }; forward: { v1: { Forward: grpc.ServiceClientConstructor } } };
}

let loaded: ReplicationPackage | null = null;

function replicationPackage(): ReplicationPackage {
  loaded ??= grpc.loadPackageDefinition(loadSync(PROTOS, { keepCase: false, longs: String, enums: Number, bytes: Buffer, defaults: true, oneofs: true })) as unknown as ReplicationPackage;
  return loaded;
}

export function replicationService(): grpc.ServiceDefinition {
  return replicationPackage().oxbow.replication.v1.Replication.service;
}

export function forwardService(): grpc.ServiceDefinition {
  return replicationPackage().oxbow.forward.v1.Forward.service;
}

export function newForwardClient(address: string): ForwardClient {
  const Ctor = replicationPackage().oxbow.forward.v1.Forward;
  return new Ctor(address, grpc.credentials.createInsecure(), CLIENT_OPTIONS) as unknown as ForwardClient;
}

/** Messages up to 64 MiB: replica fetches carry up to replica.fetch.max.bytes of batches. */
export const GRPC_MESSAGE_LIMITS = { 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.max_send_message_length': 64 * 1024 * 1024 };

/**
 * Client channels also open a 16 MiB HTTP/2 receive window: with the 64 KiB default a 1 MiB replica
 * fetch response needs ~16 WINDOW_UPDATE round trips between two busy event loops.
 */
const CLIENT_OPTIONS = { ...GRPC_MESSAGE_LIMITS, 'grpc-node.flow_control_window': 16 * 1024 * 1024 };

export function newReplicationClient(address: string): ReplicationClient {
  const Ctor = replicationPackage().oxbow.replication.v1.Replication;
  return new Ctor(address, grpc.credentials.createInsecure(), CLIENT_OPTIONS) as unknown as ReplicationClient;
}

/** gRPC metadata carrying the active trace context (W3C traceparent), so spans continue on the peer. */
export function tracedMetadata(): grpc.Metadata {
  const metadata = new grpc.Metadata();
  propagation.inject(context.active(), metadata, { set: (m, k, v) => m.set(k, v) });
  return metadata;
}

/** The trace context a call's metadata carries. */
export function contextFrom(metadata: grpc.Metadata): ReturnType<typeof context.active> {
  return propagation.extract(context.active(), metadata, {
    get: (m, k) => {
      const v = m.get(k);
      return v.length === 0 ? undefined : v.map(String);
    },
    keys: (m) => Object.keys(m.getMap()),
  });
}
