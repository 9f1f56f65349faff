import * as grpc from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReplicaFetchRequest, ReplicaFetchResult, TxnMarker } from '@oxbow/partition-actor';
import type { Logger } from '../observability/logger.js';
import {
  contextFrom,
  GRPC_MESSAGE_LIMITS,
  replicationService,
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
        }, callback);
      },
      WriteTxnMarker: (call: grpc.ServerUnaryCall<WriteTxnMarkerRequestMessage, WriteTxnMarkerResponseMessage>, callback: grpc.sendUnaryData<WriteTxnMarkerResponseMessage>) => {
        const r = call.request;
        this.#serve('write txn marker', call.metadata, { 'messaging.destination.name': r.topic, 'messaging.destination.partition.id': String(r.partition) }, async () => {
          const errorCode = await handlers.writeTxnMarker(r.topic, r.partition, { producerId: BigInt(r.producerId), producerEpoch: r.producerEpoch, coordinatorEpoch: r.coordinatorEpoch, commit: r.commit });
          return { errorCode };
        }, callback);
      },
    });
  }

  #serve<T>(name: string, metadata: grpc.Metadata, attributes: Record<string, string | number>, run: () => Promise<T>, callback: grpc.sendUnaryData<T>): void {
    const parent = contextFrom(metadata);
    void context.with(parent, () =>
      tracer.startActiveSpan(`grpc ${name}`, { kind: SpanKind.SERVER, attributes }, async (span) => {
        try {
          callback(null, await run());
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
