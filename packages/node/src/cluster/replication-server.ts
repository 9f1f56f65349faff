import * as grpc from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { PartitionHandle, ReplicaFetchRequest, ReplicaFetchResult, TxnMarker } from '@oxbow/partition-actor';
import { PartitionLog } from '@oxbow/storage';
import type { Logger } from '../observability/logger.js';
import {
  contextFrom,
  forwardService,
  GRPC_MESSAGE_LIMITS,
  replicationService,
  type AppendRequestMessage,
  type AppendResponseMessage,
  type EndOffsetForEpochRequestMessage,
  type EndOffsetForEpochResponseMessage,
  type ListOffsetRequestMessage,
  type ListOffsetResponseMessage,
  type ReadRequestMessage,
  type ReadResponseMessage,
  type ReplicaFetchRequestMessage,
  type ReplicaFetchResponseMessage,
  type WriteTxnMarkerRequestMessage,
  type WriteTxnMarkerResponseMessage,
} from './grpc-contracts.js';

const tracer = trace.getTracer('oxbow');

/** What the server asks of the node. */
export interface ReplicationHandlers {
  /** A follower's fetch for a partition this node should lead (`topicId` must match). */
  replicaFetch(topic: string, topicId: string, partition: number, request: ReplicaFetchRequest): Promise<ReplicaFetchResult>;
  /** A marker for a partition this node leads; resolves to a Kafka error code. */
  writeTxnMarker(topic: string, partition: number, marker: TxnMarker): Promise<number>;
  /** A partition this node leads (forwarded requests are applied here, never forwarded again). */
  leaderOf(topic: string, partition: number): PartitionHandle | number;
}

/** The node's gRPC server (`--grpc`): replication and transaction markers for other nodes. */
export class ReplicationServer {
  readonly #server = new grpc.Server(GRPC_MESSAGE_LIMITS);
  readonly #logger: Logger;
  #port = 0;

  constructor(handlers: ReplicationHandlers, logger: Logger) {
    this.#logger = logger;
    this.#server.addService(replicationService(), {
      ReplicaFetch: (call: grpc.ServerUnaryCall<ReplicaFetchRequestMessage, ReplicaFetchResponseMessage>, callback: grpc.sendUnaryData<ReplicaFetchResponseMessage>) => {
        const r = call.request;
        this.#serve('replica fetch', call.metadata, { 'messaging.destination.name': r.topic, 'messaging.destination.partition.id': String(r.partition), 'oxbow.replica_id': r.replicaId }, async () => {
          const result = await handlers.replicaFetch(r.topic, r.topicId, r.partition, {
            replicaId: r.replicaId,
            leaderEpoch: r.leaderEpoch,
            fetchOffset: BigInt(r.fetchOffset),
            lastFetchedEpoch: r.lastFetchedEpoch,
            maxBytes: r.maxBytes,
            maxWaitMs: r.maxWaitMs,
          });
          return {
            errorCode: result.errorCode,
            highWatermark: result.highWatermark.toString(),
            logStartOffset: result.logStartOffset.toString(),
            records: result.records,
            diverging: result.divergingEpoch !== null,
            divergingEpoch: result.divergingEpoch?.epoch ?? -1,
            divergingEndOffset: (result.divergingEpoch?.endOffset ?? -1n).toString(),
          };
          // grpc-js serializes the response inside `callback` (protobufjs copies the bytes), so the
          // log's pooled read buffer can go back to the pool right after.
        }, callback, (sent) => PartitionLog.recycleReadBuffer(sent.records));
      },
      WriteTxnMarker: (call: grpc.ServerUnaryCall<WriteTxnMarkerRequestMessage, WriteTxnMarkerResponseMessage>, callback: grpc.sendUnaryData<WriteTxnMarkerResponseMessage>) => {
        const r = call.request;
        this.#serve('write txn marker', call.metadata, { 'messaging.destination.name': r.topic, 'messaging.destination.partition.id': String(r.partition) }, async () => {
          const errorCode = await handlers.writeTxnMarker(r.topic, r.partition, { producerId: BigInt(r.producerId), producerEpoch: r.producerEpoch, coordinatorEpoch: r.coordinatorEpoch, commit: r.commit });
          return { errorCode };
        }, callback);
      },
    });
    const leaderOf = (topic: string, partition: number): PartitionHandle | number => handlers.leaderOf(topic, partition);
    this.#server.addService(forwardService(), {
      Append: (call: grpc.ServerUnaryCall<AppendRequestMessage, AppendResponseMessage>, callback: grpc.sendUnaryData<AppendResponseMessage>) => {
        const r = call.request;
        this.#serve('forward append', call.metadata, { 'messaging.destination.name': r.topic, 'messaging.destination.partition.id': String(r.partition) }, async () => {
          const h = leaderOf(r.topic, r.partition);
          if (typeof h === 'number') return { errorCode: h, errorMessage: '', baseOffset: '-1', logAppendTimeMs: '-1', logStartOffset: '-1' };
          const acks = r.acks === 0 || r.acks === 1 ? r.acks : -1;
          const a = await h.append(r.records.length === 0 ? null : r.records, acks);
          return { errorCode: a.errorCode, errorMessage: a.errorMessage ?? '', baseOffset: a.baseOffset.toString(), logAppendTimeMs: a.logAppendTimeMs.toString(), logStartOffset: a.logStartOffset.toString() };
        }, callback);
      },
      Read: (call: grpc.ServerUnaryCall<ReadRequestMessage, ReadResponseMessage>, callback: grpc.sendUnaryData<ReadResponseMessage>) => {
        const r = call.request;
        this.#serve('forward read', call.metadata, { 'messaging.destination.name': r.topic, 'messaging.destination.partition.id': String(r.partition) }, async () => {
          const h = leaderOf(r.topic, r.partition);
          if (typeof h === 'number') return { errorCode: h, highWatermark: '-1', lastStableOffset: '-1', logStartOffset: '-1', records: Buffer.alloc(0), abortedTransactions: [] };
          const x = await h.read({ offset: BigInt(r.offset), maxBytes: r.maxBytes, minOneBatch: r.minOneBatch, isolation: r.readCommitted ? 'read_committed' : 'read_uncommitted', currentLeaderEpoch: r.currentLeaderEpoch });
          return {
            errorCode: x.errorCode,
            highWatermark: x.highWatermark.toString(),
            lastStableOffset: x.lastStableOffset.toString(),
            logStartOffset: x.logStartOffset.toString(),
            records: x.records,
            abortedTransactions: (x.abortedTransactions ?? []).map((a) => ({ producerId: a.producerId.toString(), firstOffset: a.firstOffset.toString() })),
          };
        }, callback);
      },
      ListOffset: (call: grpc.ServerUnaryCall<ListOffsetRequestMessage, ListOffsetResponseMessage>, callback: grpc.sendUnaryData<ListOffsetResponseMessage>) => {
        const r = call.request;
        this.#serve('forward list offset', call.metadata, { 'messaging.destination.name': r.topic, 'messaging.destination.partition.id': String(r.partition) }, async () => {
          const h = leaderOf(r.topic, r.partition);
          if (typeof h === 'number') return { errorCode: h, offset: '-1', timestamp: '-1', leaderEpoch: -1 };
          const x = await h.listOffset(BigInt(r.timestamp), r.readCommitted ? 'read_committed' : 'read_uncommitted', r.currentLeaderEpoch);
          return { errorCode: x.errorCode, offset: x.offset.toString(), timestamp: x.timestamp.toString(), leaderEpoch: x.leaderEpoch };
        }, callback);
      },
      EndOffsetForEpoch: (call: grpc.ServerUnaryCall<EndOffsetForEpochRequestMessage, EndOffsetForEpochResponseMessage>, callback: grpc.sendUnaryData<EndOffsetForEpochResponseMessage>) => {
        const r = call.request;
        this.#serve('forward end offset for epoch', call.metadata, { 'messaging.destination.name': r.topic, 'messaging.destination.partition.id': String(r.partition) }, async () => {
          const h = leaderOf(r.topic, r.partition);
          if (typeof h === 'number') return { errorCode: h, leaderEpoch: -1, endOffset: '-1' };
          const x = await h.endOffsetForEpoch(r.leaderEpoch, r.currentLeaderEpoch);
          return { errorCode: x.errorCode, leaderEpoch: x.leaderEpoch, endOffset: x.endOffset.toString() };
        }, callback);
      },
    });
  }

  #serve<T>(name: string, metadata: grpc.Metadata, attributes: Record<string, string | number>, run: () => Promise<T>, callback: grpc.sendUnaryData<T>, afterSend?: (sent: T) => void): void {
    const parent = contextFrom(metadata);
    void context.with(parent, () =>
      tracer.startActiveSpan(`grpc ${name}`, { kind: SpanKind.SERVER, attributes }, async (span) => {
        try {
          const result = await run();
          callback(null, result);
          afterSend?.(result);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
          this.#logger.error({ err, rpc: name }, 'gRPC handler failed');
          callback({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) });
        } finally {
          span.end();
        }
      }),
    );
  }

  /** Binds `host:port` (0 = any free port); resolves to the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
        if (err !== null) {
          reject(err);
          return;
        }
        this.#port = bound;
        resolve(bound);
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, 2000);
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
