import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  CreateTopics,
  DescribeConfigs,
  decodeResponseFrame,
  encodeRecordBatch,
  encodeRequestFrame,
  FrameDecoder,
  ListOffsets,
  Produce,
  type Api,
  type RecordInput,
  type RequestInputOf,
  type ResponseOf,
} from '@oxbow/protocol';
import { Broker } from '../src/broker/broker.js';
import { KafkaClient } from '../src/client/kafka-client.js';
import { CONFIG_SOURCE, parseBrokerConfig } from '../src/config/index.js';
import { RESOURCE_TYPE } from '../src/handlers/config-resources.js';
import { createLogger } from '../src/observability/logger.js';

/** A real in-process broker on ephemeral ports, its data in a temp dir, its log lines captured. */
export interface TestBroker {
  readonly broker: Broker;
  /** host:port of the Kafka listener. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** Every log line the broker wrote (JSON text). */
  readonly logs: string[];
  readonly dataDir: string;
  /** A KafkaClient connected to the broker, closed with the broker. */
  client(): Promise<KafkaClient>;
  /** A raw socket speaking frames, closed with the broker. */
  raw(): Promise<TestRawConnection>;
  close(): Promise<void>;
}

export async function startTestBroker(options: { settings?: Readonly<Record<string, string>>; logLevel?: string } = {}): Promise<TestBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oxbow-node-'));
  const sets = Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const config = parseBrokerConfig(['--kafka', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--data-dir', dataDir, ...sets], {});
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: options.logLevel ?? 'silent', destination });
  const broker = await Broker.start(config, { logger, env: {} });
  const { host, port } = broker.kafkaAddress();
  const address = `${host}:${port}`;
  const closers: (() => void)[] = [];
  return {
    broker,
    address,
    host,
    port,
    logs,
    dataDir,
    async client() {
      const c = await KafkaClient.connect(address, { clientId: 'oxbow-test' });
      closers.push(() => c.close());
      return c;
    },
    async raw() {
      const c = await TestRawConnection.open(host, port);
      closers.push(() => c.destroy());
      return c;
    },
    async close() {
      for (const c of closers) c();
      await broker.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A bare Kafka connection: sends whatever bytes it is given and hands back whole response frames
 * (correlation id first), so tests can pipeline, send garbage, or not read at all.
 */
export class TestRawConnection {
  readonly socket: Socket;
  readonly #decoder = new FrameDecoder();
  readonly #frames: Buffer[] = [];
  #waiters: (() => void)[] = [];
  #closed = false;
  #nextCorrelationId = 1000;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.#decoder.push(chunk)) this.#frames.push(f);
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static open(host: string, port: number): Promise<TestRawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.off('error', reject);
        s.setNoDelay(true);
        resolve(new TestRawConnection(s));
      });
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Encodes and sends a request; returns its correlation id. */
  send<A extends Api>(api: A, version: number, body: RequestInputOf<A>, correlationId = this.#nextCorrelationId++): number {
    this.write(Buffer.concat(encodeRequestFrame(api, { apiVersion: version, correlationId, clientId: 'raw-test' }, body)));
    return correlationId;
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** The next response frame, or null if the connection closes first. Fails after `timeoutMs`. */
  async nextFrame(timeoutMs = 5000): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.#frames.shift();
      if (f !== undefined) return f;
      if (this.#closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next response, decoded as `api` v`version`. */
  async next<A extends Api>(api: A, version: number, timeoutMs?: number): Promise<{ correlationId: number; body: ResponseOf<A> }> {
    const frame = await this.nextFrame(timeoutMs);
    if (frame === null) throw new Error(`connection closed while waiting for a ${api.name} response`);
    return decodeResponseFrame(frame, api, version);
  }

  /** Resolves true once the broker closes the connection, false if it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** A record batch as a producer sends it. */
export function recordBatch(count: number, options: { valueBytes?: number; tag?: string; timestamp?: bigint; compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' } = {}): Promise<Buffer> {
  const timestamp = options.timestamp ?? BigInt(Date.now());
  const records: RecordInput[] = Array.from({ length: count }, (_, i) => ({
    timestamp,
    key: Buffer.from(`key-${i}`),
    value: options.valueBytes === undefined ? Buffer.from(`${options.tag ?? 'value'}-${i}`) : Buffer.alloc(options.valueBytes, 0x61 + (i % 26)),
  }));
  return encodeRecordBatch({ records, ...(options.compression === undefined ? {} : { compression: options.compression }) });
}

export const PRODUCE_VERSION = 9;

/** A Produce request body for one partition. */
export function produceBody(topic: string, partition: number, records: Buffer | null, acks = -1): RequestInputOf<typeof Produce> {
  return { transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

/** Creates a topic and waits until its partitions answer on this broker. */
export async function createTopic(client: KafkaClient, name: string, options: { partitions?: number; configs?: Readonly<Record<string, string>> } = {}): Promise<void> {
  const partitions = options.partitions ?? 1;
  const res = await client.send(CreateTopics, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: Object.entries(options.configs ?? {}).map(([k, value]) => ({ name: k, value })) }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  const t = res.topics[0];
  if (t?.errorCode !== 0) throw new Error(`creating ${name} failed: ${t?.errorCode} ${t?.errorMessage ?? ''}`);
  await waitForPartitions(client, name, partitions);
}

/** Partitions open asynchronously after CreateTopics (as in Kafka): wait until each answers ListOffsets. */
export async function waitForPartitions(client: KafkaClient, name: string, partitions: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await client.send(ListOffsets, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: -1n })) }],
    });
    if (res.topics.every((t) => t.partitions.every((p) => p.errorCode === 0))) return;
    if (Date.now() > deadline) throw new Error(`partitions of ${name} did not open`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Produces one batch (acks=-1) and returns its base offset. */
export async function produce(client: KafkaClient, topic: string, partition: number, records: Buffer): Promise<bigint> {
  const res = await client.send(Produce, produceBody(topic, partition, records), PRODUCE_VERSION);
  const p = res.responses[0]?.partitionResponses[0];
  if (p?.errorCode !== 0) throw new Error(`produce to ${topic}-${partition} failed: ${p?.errorCode}`);
  return p.baseOffset;
}

/** The topic's own configs (source DYNAMIC_TOPIC_CONFIG), as name → value. */
export async function ownConfigs(c: KafkaClient, topic: string): Promise<Record<string, string | null>> {
  const res = await c.send(DescribeConfigs, { resources: [{ resourceType: RESOURCE_TYPE.TOPIC, resourceName: topic, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  const out: Record<string, string | null> = {};
  for (const x of res.results[0]?.configs ?? []) if (x.configSource === CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG) out[x.name] = x.value;
  return out;
}
