/**
 * A broker that stores nothing, to measure the load generator's ceiling: it answers ApiVersions,
 * Metadata (itself as the only broker, every topic with N partitions led by it) and Produce
 * (decodes the request, scans and CRC-checks every batch, acks with increasing offsets). Whatever
 * rate a client reaches against it is the most it can send through our codec on this machine.
 * It can also keep a copy of the Produce frames it receives for one topic, to replay them later,
 * and keep one topic's batches in memory to serve them to a consumer (null-broker-log.ts): the
 * most that consumer can read on this machine.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  ApiVersions,
  Fetch,
  FindCoordinator,
  FrameDecoder,
  KafkaErrorCode,
  ListOffsets,
  Metadata,
  Produce,
  decodeRequestFrame,
  encodeResponseFrame,
  lookupApi,
  scanBatches,
  type FetchRequest,
  type ListOffsetsRequest,
  type ProduceRequest,
} from '@oxbow/protocol';
import { NullBrokerLog } from './null-broker-log.js';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/**
 * What the null broker advertises. librdkafka enables record batches v2 (its MsgVer2 feature) only
 * when the broker advertises both Produce v3+ and Fetch v4+; without it a producer sends legacy
 * message sets. Fetch and ListOffsets serve the topic kept with `keepTopic` (the consumer's
 * ceiling); FindCoordinator always answers COORDINATOR_NOT_AVAILABLE (a consumer that only
 * assigns partitions still looks its group's coordinator up).
 */
const ADVERTISED = [
  { apiKey: Produce.apiKey, minVersion: 3, maxVersion: 9 },
  { apiKey: Fetch.apiKey, minVersion: 4, maxVersion: 11 },
  { apiKey: ListOffsets.apiKey, minVersion: 1, maxVersion: 5 },
  { apiKey: Metadata.apiKey, minVersion: 0, maxVersion: 9 },
  { apiKey: FindCoordinator.apiKey, minVersion: 0, maxVersion: 3 },
  { apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 3 },
] as const;

export interface NullBrokerStats {
  produceRequests: number;
  batches: number;
  records: number;
  /** Bytes of record batches acked. */
  recordBytes: number;
  /** Bytes of whole Produce request frames, size prefix included. */
  frameBytes: number;
  errors: string[];
}

export interface NullBrokerOptions {
  readonly partitions: number;
  /** Keep copies of Produce frames for this topic, up to `captureBytes`. */
  readonly captureTopic?: string;
  readonly captureBytes?: number;
  /** Keep the record batches produced to this topic, up to `keepBytes`, and serve them to consumers. */
  readonly keepTopic?: string;
  readonly keepBytes?: number;
}

export class NullBroker {
  readonly #server: Server;
  readonly #options: NullBrokerOptions;
  readonly #offsets = new Map<string, bigint>();
  readonly #topics = new Set<string>();
  readonly #sockets = new Set<Socket>();
  readonly #captured: Buffer[] = [];
  #capturedBytes = 0;
  readonly #kept: NullBrokerLog;
  port = 0;
  stats: NullBrokerStats = NullBroker.#emptyStats();

  private constructor(options: NullBrokerOptions) {
    this.#options = options;
    this.#kept = new NullBrokerLog(options.keepBytes ?? 0);
    this.#server = createServer((socket) => this.#serve(socket));
  }

  static async start(options: NullBrokerOptions): Promise<NullBroker> {
    const broker = new NullBroker(options);
    await new Promise<void>((resolve, reject) => {
      broker.#server.once('error', reject);
      broker.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = broker.#server.address();
    broker.port = typeof address === 'object' && address !== null ? address.port : 0;
    return broker;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Captured Produce frames, each with its 4-byte size prefix. */
  captured(): readonly Buffer[] {
    return this.#captured;
  }

  /** Bytes of record batches kept for `keepTopic`. */
  get keptBytes(): number {
    return this.#kept.bytes;
  }

  get keptLimit(): number {
    return this.#kept.maxBytes;
  }

  resetStats(): void {
    this.stats = NullBroker.#emptyStats();
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  static #emptyStats(): NullBrokerStats {
    return { produceRequests: 0, batches: 0, records: 0, recordBytes: 0, frameBytes: 0, errors: [] };
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      try {
        const frames = decoder.push(chunk);
        socket.cork();
        for (const frame of frames) this.#answer(socket, frame);
        socket.uncork();
      } catch (err) {
        if (this.stats.errors.length < 5) this.stats.errors.push(err instanceof Error ? err.message : String(err));
        socket.destroy();
      }
    });
  }

  #answer(socket: Socket, frame: Buffer): void {
    const request = decodeRequestFrame(frame, lookupApi);
    const { apiKey, apiVersion: version, correlationId } = request.header;
    const write = (chunks: Buffer[]): void => {
      for (const c of chunks) socket.write(c);
    };
    const served = ADVERTISED.find((s) => s.apiKey === apiKey);
    if (served === undefined || version < served.minVersion || version > served.maxVersion) {
      if (apiKey === ApiVersions.apiKey) {
        write(encodeResponseFrame(ApiVersions, 0, correlationId, { errorCode: KafkaErrorCode.UNSUPPORTED_VERSION, apiKeys: [...ADVERTISED] }));
        return;
      }
      throw new Error(`null broker does not serve api ${apiKey} v${version}`);
    }
    if (apiKey === ApiVersions.apiKey) {
      write(encodeResponseFrame(ApiVersions, version, correlationId, { errorCode: 0, apiKeys: [...ADVERTISED], throttleTimeMs: 0 }));
    } else if (apiKey === Metadata.apiKey) {
      const body = request.body as { topics: { name: string | null }[] | null };
      const names = body.topics === null ? [...this.#topics] : body.topics.map((t) => t.name ?? '');
      for (const n of names) this.#topics.add(n);
      write(
        encodeResponseFrame(Metadata, version, correlationId, {
          throttleTimeMs: 0,
          brokers: [{ nodeId: 0, host: '127.0.0.1', port: this.port, rack: null }],
          clusterId: 'oxbow-null-broker',
          controllerId: 0,
          topics: names.map((name) => ({
            errorCode: 0,
            name,
            topicId: ZERO_UUID,
            isInternal: false,
            partitions: Array.from({ length: this.#options.partitions }, (_, partitionIndex) => ({
              errorCode: 0,
              partitionIndex,
              leaderId: 0,
              leaderEpoch: 0,
              replicaNodes: [0],
              isrNodes: [0],
              offlineReplicas: [],
            })),
            topicAuthorizedOperations: -2147483648,
          })),
          clusterAuthorizedOperations: -2147483648,
        }),
      );
    } else if (apiKey === Fetch.apiKey) {
      write(encodeResponseFrame(Fetch, version, correlationId, this.#fetch(request.body as FetchRequest)));
    } else if (apiKey === ListOffsets.apiKey) {
      write(encodeResponseFrame(ListOffsets, version, correlationId, this.#listOffsets(request.body as ListOffsetsRequest)));
    } else if (apiKey === FindCoordinator.apiKey) {
      const error = { errorCode: KafkaErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null, nodeId: -1, host: '', port: -1 };
      write(encodeResponseFrame(FindCoordinator, version, correlationId, { throttleTimeMs: 0, ...error, coordinators: [] }));
    } else {
      const response = this.#produce(request.body as ProduceRequest, frame);
      if (response !== null) write(encodeResponseFrame(Produce, version, correlationId, response));
    }
  }

  #produce(body: ProduceRequest, frame: Buffer) {
    const stats = this.stats;
    stats.produceRequests++;
    stats.frameBytes += frame.length + 4;
    let capture = false;
    const responses = body.topicData.map((topic) => {
      if (topic.name === this.#options.captureTopic) capture = true;
      return {
        name: topic.name,
        partitionResponses: topic.partitionData.map((p) => {
          const batches = scanBatches(p.records ?? Buffer.alloc(0), { verifyCrc: true });
          const key = `${topic.name}/${p.index}`;
          const baseOffset = this.#offsets.get(key) ?? 0n;
          let next = baseOffset;
          for (const b of batches) {
            next += BigInt(b.lastOffsetDelta + 1);
            stats.records += b.recordsCount;
            stats.recordBytes += b.size;
          }
          stats.batches += batches.length;
          if (topic.name === this.#options.keepTopic && p.records !== null) this.#kept.append(p.index, p.records);
          this.#offsets.set(key, next);
          const known = p.index >= 0 && p.index < this.#options.partitions;
          return {
            index: p.index,
            errorCode: known ? 0 : KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            baseOffset: known ? baseOffset : -1n,
            logAppendTimeMs: -1n,
            logStartOffset: 0n,
            recordErrors: [],
            errorMessage: null,
          };
        }),
      };
    });
    if (capture && this.#capturedBytes < (this.#options.captureBytes ?? 0)) {
      const copy = Buffer.allocUnsafe(frame.length + 4);
      copy.writeInt32BE(frame.length, 0);
      frame.copy(copy, 4);
      this.#captured.push(copy);
      this.#capturedBytes += copy.length;
    }
    return body.acks === 0 ? null : { responses, throttleTimeMs: 0 };
  }

  /** Answers at once: from the kept batches for `keepTopic`, empty for anything else. */
  #fetch(body: FetchRequest) {
    let budget = body.maxBytes;
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: body.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const kept = t.topic === this.#options.keepTopic;
          const records = kept && budget > 0 ? this.#kept.read(p.partition, p.fetchOffset, Math.min(p.partitionMaxBytes, budget)) : Buffer.alloc(0);
          budget -= records.length;
          const end = kept ? this.#kept.endOffset(p.partition) : 0n;
          return { partitionIndex: p.partition, errorCode: 0, highWatermark: end, lastStableOffset: end, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records };
        }),
      })),
    };
  }

  #listOffsets(body: ListOffsetsRequest) {
    return {
      throttleTimeMs: 0,
      topics: body.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const end = t.name === this.#options.keepTopic ? this.#kept.endOffset(p.partitionIndex) : 0n;
          return { partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [], timestamp: -1n, offset: p.timestamp === -2n ? 0n : end, leaderEpoch: -1 };
        }),
      })),
    };
  }
}
