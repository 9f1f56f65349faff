import { changeIsr, ClusterController, EmbeddedCoordinator, EtcdCoordinator, type Coordinator, type TopicRecord } from '@oxbow/controller';
import type { ReplicaFetchRequest, ReplicaFetchResult, TxnMarker } from '@oxbow/partition-actor';
import { KafkaErrorCode } from '@oxbow/protocol';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { tracedMetadata } from '../cluster/grpc-contracts.js';
import { RemotePartitionHandle, type ForwardCall } from '../cluster/remote-partition.js';
import { PeerClients } from '../cluster/peer-clients.js';
import { ReplicationServer } from '../cluster/replication-server.js';
import type { BrokerConfig } from '../config/index.js';
import { AdminServer } from '../admin/admin-server.js';
import { GroupService } from '../groups/group-service.js';
import { OFFSETS_TOPIC } from '../groups/offsets-topic.js';
import { createHandlers } from '../handlers/registry.js';
import { BrokerMetrics } from '../observability/broker-metrics.js';
import { ObjectStoreRouter } from '../object-stores/object-store-router.js';
import { secretKeySource } from '../object-stores/secret-key.js';
import { TopicSecrets } from '../object-stores/topic-secrets.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { RequestObserver } from '../observability/request-observer.js';
import { startTelemetry, type Telemetry } from '../observability/telemetry.js';
import { ProducerIdAllocator } from '../producers/producer-id-allocator.js';
import { TRANSACTION_STATE_TOPIC, TransactionCoordinator, type MarkerWriter } from '../transactions/transaction-coordinator.js';
import { KafkaServer } from '../server/kafka-server.js';
import { DisklessService } from '../diskless/diskless-service.js';
import { PartitionManager } from './partition-manager.js';
import type { BrokerIdentity, BrokerServices, PartitionLookup } from './services.js';
import { TopicAdmin } from './topic-admin.js';

const tracer = trace.getTracer('oxbow');
/** Extra time a replica fetch may take over its long-poll wait before the call is abandoned. */
const REPLICA_FETCH_GRACE_MS = 10_000;
/** Longest a forwarded client request may take at the leader (acks=all waits included). */
const FORWARD_TIMEOUT_MS = 35_000;

/** Request bytes one connection may have outstanding before it stops reading. */
const MAX_IN_FLIGHT_BYTES_PER_CONNECTION = 64 * 1024 * 1024;

export interface BrokerOptions {
  readonly logger?: Logger;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * One Oxbow node: coordinator, local partitions, the Kafka listener and the admin HTTP server.
 * `start` resolves once the node serves Kafka requests; `close` stops it gracefully.
 */
export class Broker {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly #telemetry: Telemetry;
  readonly #coordinator: Coordinator;
  readonly #partitions: PartitionManager;
  readonly #kafka: KafkaServer;
  readonly #admin: AdminServer;
  readonly #groups: GroupService;
  readonly #transactions: TransactionCoordinator;
  readonly #objectStores: ObjectStoreRouter;
  readonly #diskless: DisklessService;
  /** Cluster mode (`--etcd`) only: the gRPC server, clients to peers and the controller loop. */
  readonly #cluster: { readonly etcd: EtcdCoordinator; readonly server: ReplicationServer; readonly peers: PeerClients; readonly controller: ClusterController } | null;
  #ready = false;
  readonly #remotes = new Map<string, { leader: number; handle: RemotePartitionHandle }>();

  private constructor(config: BrokerConfig, options: BrokerOptions) {
    this.config = config;
    this.logger = options.logger ?? createLogger({ level: config.logLevel, nodeId: config.nodeId });
    this.#telemetry = startTelemetry({ nodeId: config.nodeId, ...(options.env === undefined ? {} : { env: options.env }) });
    if (config.etcd !== null) {
      const etcd = new EtcdCoordinator({
        endpoints: config.etcd,
        clusterName: config.cluster,
        nodeId: config.nodeId,
        maxTxnOps: Number(config.broker['oxbow.etcd.max.txn.ops']),
        logger: this.logger.child({ component: 'etcd' }),
      });
      this.#coordinator = etcd;
      const peers = new PeerClients(etcd);
      this.#cluster = {
        etcd,
        peers,
        server: new ReplicationServer(
          {
            replicaFetch: (t, id, p, r) => this.#serveReplicaFetch(t, id, p, r),
            writeTxnMarker: (t, p, m) => this.#writeLocalMarker(t, p, m),
            leaderOf: (t, p) => {
              const found = this.#partitions.lookup(this.#coordinator.topic(t), p);
              return found.ok ? found.handle : found.errorCode;
            },
          },
          this.logger,
        ),
        controller: new ClusterController(etcd, { logger: this.logger.child({ component: 'controller' }) }),
      };
    } else {
      this.#coordinator = new EmbeddedCoordinator({ dataDir: config.dataDir, nodeId: config.nodeId });
      this.#cluster = null;
    }
    this.#partitions = new PartitionManager(this.#coordinator, config, this.logger);
    const cluster = this.#cluster;
    if (cluster !== null) {
      this.#partitions.setReplicaLinks({
        leaderFetch: (topic, topicId, p, leader) => (request, signal) => this.#remoteReplicaFetch(cluster.peers, leader, topic, topicId, p, request, signal),
        changeIsr: async (topic, p, leaderEpoch, isr) => {
          const state = await changeIsr(this.#coordinator, { topic, partition: p, leaderId: config.nodeId, leaderEpoch, isr });
          return state === null ? null : state.isr;
        },
      });
    }
    const secretKey = secretKeySource(config.secretKeyFile, () => this.#coordinator.clusterSecretKey());
    this.#objectStores = new ObjectStoreRouter({ clusterStore: config.objectStore, secrets: new TopicSecrets(secretKey) });
    this.#diskless = new DisklessService({
      nodeId: config.nodeId,
      coordinator: this.#coordinator,
      stores: this.#objectStores,
      logger: this.logger.child({ component: 'diskless' }),
      meter: this.#telemetry.meter,
      readCacheBytes: Number(config.broker['diskless.read.cache.bytes']),
      // A manifest commit takes two etcd operations per partition.
      maxAppendsPerCommit: config.etcd === null ? undefined : Math.floor(Number(config.broker['oxbow.etcd.max.txn.ops']) / 2),
      maxBufferedBytes: Number(config.broker['oxbow.diskless.buffer.max.bytes']),
      compaction: {
        intervalMs: Number(config.broker['oxbow.diskless.compaction.interval.ms']),
        minBytes: Number(config.broker['oxbow.diskless.compaction.min.bytes']),
        maxAgeMs: Number(config.broker['oxbow.diskless.compaction.max.age.ms']),
        graceMs: Number(config.broker['oxbow.diskless.gc.grace.ms']),
      },
    });
    this.#partitions.setDiskless(this.#diskless);
    const topics = new TopicAdmin(this.#coordinator, config, this.#objectStores, () => this.#partitions.settled());
    const forwarding = config.broker['oxbow.client.routing'] === 'local' && this.#cluster !== null;
    // Diskless partitions are served by any node, forwarding to the one sequencing them (BRIEF §5).
    const forwards = (topic: TopicRecord | undefined): boolean => forwarding || topic?.configs['storage.mode'] === 'diskless';
    const partition = (topic: string, p: number): PartitionLookup => {
      const record = this.#coordinator.topic(topic);
      return this.#lookup(record, p, forwards(record));
    };
    this.#groups = new GroupService({ coordinator: this.#coordinator, topics, config, logger: this.logger, partition });
    const producerIds = new ProducerIdAllocator(this.#coordinator);
    // On one node every partition is local: markers go straight to the partition actors.
    // Markers go straight to local partition leaders; others get them over gRPC.
    const markers: MarkerWriter = {
      write: async (topic, p, marker) => {
        const leader = this.#coordinator.topic(topic)?.partitions[p]?.leader ?? -1;
        if (leader === config.nodeId || this.#cluster === null) return this.#writeLocalMarker(topic, p, marker);
        if (leader < 0) return KafkaErrorCode.LEADER_NOT_AVAILABLE;
        return this.#remoteMarker(this.#cluster.peers, leader, topic, p, marker);
      },
    };
    this.#transactions = new TransactionCoordinator({ coordinator: this.#coordinator, topics, config, logger: this.logger, partition, producerIds, markers });
    // Group and transaction coordinators move with the leadership of their internal partitions.
    this.#partitions.onLeadership((topic, p, leads) => {
      if (topic === OFFSETS_TOPIC) this.#groups.partitionLeadership(p, leads);
      else if (topic === TRANSACTION_STATE_TOPIC) this.#transactions.partitionLeadership(p, leads);
    });
    const services: BrokerServices = {
      identity: this.#identity(config.advertise.port),
      coordinator: this.#coordinator,
      topics,
      groups: this.#groups,
      transactions: this.#transactions,
      producerIds,
      objectStores: this.#objectStores,
      clientRouting: forwarding ? 'local' : 'leader',
      logger: this.logger,
      metrics: new BrokerMetrics(this.#telemetry.meter, () => this.#partitions.entries()),
      partition,
      partitionById: (topicId, partition): PartitionLookup => {
        const topic: TopicRecord | undefined = this.#coordinator.topicById(topicId);
        return topic === undefined ? { ok: false, errorCode: KafkaErrorCode.UNKNOWN_TOPIC_ID } : this.#lookup(topic, partition, forwards(topic));
      },
    };
    const maxBytes = Number(config.broker['queued.max.request.bytes']);
    this.#kafka = new KafkaServer({
      host: config.kafka.host,
      port: config.kafka.port,
      handlers: createHandlers(),
      services,
      observer: new RequestObserver(this.#telemetry.tracer, this.#telemetry.meter, this.logger),
      maxFrameBytes: config.broker['socket.request.max.bytes'],
      queuedMaxRequestBytes: maxBytes < 0 ? Number.MAX_SAFE_INTEGER : maxBytes,
      maxInFlightBytesPerConnection: MAX_IN_FLIGHT_BYTES_PER_CONNECTION,
      idleTimeoutMs: Number(config.broker['connections.max.idle.ms']),
    });
    this.#admin = new AdminServer({
      host: config.admin.host,
      port: config.admin.port,
      ready: () => this.#ready,
      serveMetrics: (req, res) => this.#telemetry.serveMetrics(req, res),
    });
  }

  /** Starts a node; on failure everything already started is stopped again. */
  static async start(config: BrokerConfig, options: BrokerOptions = {}): Promise<Broker> {
    const broker = new Broker(config, options);
    try {
      await broker.#start();
    } catch (err) {
      await broker.close().catch(() => undefined);
      throw err;
    }
    return broker;
  }

  /** Where the Kafka listener is bound (its port is known after start, also when 0 was asked). */
  kafkaAddress(): { host: string; port: number } {
    return this.#kafka.address();
  }

  adminAddress(): { host: string; port: number } {
    return this.#admin.address();
  }

  /** Retention and compaction now, instead of waiting for the timer (admin use and tests). */
  runHousekeeping(): Promise<void> {
    return this.#partitions.runHousekeeping();
  }

  async close(): Promise<void> {
    this.#ready = false;
    const step = async (name: string, run: () => unknown): Promise<void> => {
      const started = Date.now();
      try {
        await run();
      } catch (err) {
        this.logger.warn({ err, step: name }, 'shutdown step failed');
      }
      this.logger.debug({ step: name, ms: Date.now() - started }, 'shutdown step done');
    };
    await step('kafka listener', () => this.#kafka.close());
    await step('group coordinator', () => this.#groups.close());
    await step('transaction coordinator', () => this.#transactions.close());
    await step('cluster controller', () => this.#cluster?.controller.stop());
    await step('diskless flush', () => this.#diskless.flusher.close());
    await step('partitions', () => this.#partitions.close());
    await step('diskless', () => this.#diskless.close());
    await step('object stores', () => this.#objectStores.close());
    await step('grpc server', () => this.#cluster?.server.close());
    await step('grpc clients', () => this.#cluster?.peers.close());
    await step('admin server', () => this.#admin.close());
    await step('coordinator', () => this.#coordinator.close());
    await step('telemetry', () => this.#telemetry.shutdown());
  }

  /**
   * A partition for a client request: the local leader, or with `oxbow.client.routing=local` a
   * handle forwarding to the leader elsewhere (cached per leader and epoch).
   */
  #lookup(topic: TopicRecord | undefined, p: number, forwarding: boolean): PartitionLookup {
    const found = this.#partitions.lookup(topic, p);
    const cluster = this.#cluster;
    if (found.ok || !forwarding || cluster === null || topic === undefined || found.errorCode !== KafkaErrorCode.NOT_LEADER_OR_FOLLOWER) return found;
    const state = topic.partitions[p];
    if (state === undefined || state.leader < 0 || state.leader === this.config.nodeId) return found;
    const k = `${topic.topicId}:${p}`;
    let remote = this.#remotes.get(k);
    if (remote === undefined || remote.leader !== state.leader || remote.handle.leaderEpoch !== state.leaderEpoch) {
      const leader = state.leader;
      const call: ForwardCall = (name, invoke) => this.#call(cluster.peers.forward(leader), leader, `forward ${name}`, topic.name, p, FORWARD_TIMEOUT_MS, invoke);
      remote = { leader, handle: new RemotePartitionHandle(topic.name, p, state.leaderEpoch, call) };
      this.#remotes.set(k, remote);
    }
    return { ok: true, handle: remote.handle, topic };
  }

  /** A follower's fetch arriving over gRPC. */
  #serveReplicaFetch(topic: string, topicId: string, p: number, request: ReplicaFetchRequest): Promise<ReplicaFetchResult> {
    const replica = this.#partitions.replica(topic, topicId, p);
    if (replica === undefined) {
      return Promise.resolve({ errorCode: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER, highWatermark: -1n, logStartOffset: -1n, records: Buffer.alloc(0), divergingEpoch: null });
    }
    return replica.replicaFetch(request);
  }

  /** A marker for a partition led here (from this node's transaction coordinator or another node's). */
  async #writeLocalMarker(topic: string, p: number, marker: TxnMarker): Promise<number> {
    const found = this.#partitions.lookup(this.#coordinator.topic(topic), p);
    if (!found.ok) return found.errorCode;
    const { errorCode } = await found.handle.writeTxnMarker(marker);
    if (errorCode === 0 && topic === OFFSETS_TOPIC) this.#groups.completeTransaction(p, marker.producerId, marker.commit);
    return errorCode;
  }

  #remoteReplicaFetch(peers: PeerClients, leader: number, topic: string, topicId: string, p: number, request: ReplicaFetchRequest, signal: AbortSignal): Promise<ReplicaFetchResult> {
    return this.#call(peers.get(leader), leader, 'replica fetch', topic, p, request.maxWaitMs + REPLICA_FETCH_GRACE_MS, (client, metadata, options, done) => {
      const call = client.ReplicaFetch(
        { topic, topicId, partition: p, replicaId: request.replicaId, leaderEpoch: request.leaderEpoch, fetchOffset: request.fetchOffset.toString(), lastFetchedEpoch: request.lastFetchedEpoch, maxBytes: request.maxBytes, maxWaitMs: request.maxWaitMs },
        metadata,
        options,
        (err, res) => {
          if (err !== null || res === undefined) done(err ?? new Error('empty response'));
          else
            done(null, {
              errorCode: res.errorCode,
              highWatermark: BigInt(res.highWatermark),
              logStartOffset: BigInt(res.logStartOffset),
              records: res.records,
              divergingEpoch: res.diverging ? { epoch: res.divergingEpoch, endOffset: BigInt(res.divergingEndOffset) } : null,
            });
        },
      );
      // A stopped fetcher (leader change, shutdown) must not wait for a leader that may be gone.
      signal.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  #remoteMarker(peers: PeerClients, leader: number, topic: string, p: number, marker: TxnMarker): Promise<number> {
    return this.#call(peers.get(leader), leader, 'write txn marker', topic, p, 30_000, (client, metadata, options, done) =>
      client.WriteTxnMarker(
        { topic, partition: p, producerId: marker.producerId.toString(), producerEpoch: marker.producerEpoch, coordinatorEpoch: marker.coordinatorEpoch, commit: marker.commit },
        metadata,
        options,
        (err, res) => (err !== null || res === undefined ? done(err ?? new Error('empty response')) : done(null, res.errorCode)),
      ),
    );
  }

  /** One unary call to node `nodeId` in a client span, the trace context in its metadata. */
  #call<C, T>(
    client: C | number,
    nodeId: number,
    name: string,
    topic: string,
    p: number,
    timeoutMs: number,
    invoke: (client: C, metadata: ReturnType<typeof tracedMetadata>, options: { deadline: Date }, done: (err: Error | null, value?: T) => void) => void,
  ): Promise<T> {
    return tracer.startActiveSpan(`grpc ${name}`, { kind: SpanKind.CLIENT, attributes: { 'messaging.destination.name': topic, 'messaging.destination.partition.id': String(p), 'oxbow.peer_node_id': nodeId } }, (span) => {
      if (typeof client === 'number') {
        span.end();
        return Promise.reject(new Error(`node ${nodeId} has no gRPC endpoint registered`));
      }
      return new Promise<T>((resolve, reject) => {
        invoke(client, tracedMetadata(), { deadline: new Date(Date.now() + timeoutMs) }, (err, value) => {
          if (err !== null) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
            span.end();
            reject(err);
          } else {
            span.end();
            resolve(value as T);
          }
        });
      });
    });
  }

  async #start(): Promise<void> {
    const cluster = this.#cluster;
    if (cluster !== null) {
      // Fencing: without its session this node must stop leading before another can be elected.
      cluster.etcd.onSessionLost((info) => {
        this.logger.warn({ reason: info.reason, sinceRenewalMs: info.sinceRenewalMs }, 'coordinator session lost: no longer leading any partition');
        this.#partitions.fenceAll();
      });
      cluster.etcd.onSessionRestored((info) => {
        this.logger.info({ downMs: info.downMs }, 'coordinator session restored');
        void this.#partitions.reconcileAll();
      });
    }
    await this.#coordinator.start();
    await this.#objectStores.start();
    await this.#admin.listen();
    await this.#kafka.listen();
    let grpc: string | null = null;
    if (cluster !== null) {
      const port = await cluster.server.listen(this.config.grpc.host, this.config.grpc.port);
      const host = this.config.grpc.host === '0.0.0.0' || this.config.grpc.host === '::' ? this.config.advertise.host : this.config.grpc.host;
      const advertised = this.config.advertiseGrpc;
      grpc = advertised === null ? `${host}:${port}` : `${advertised.host}:${advertised.port}`;
    }
    const bound = this.#kafka.address();
    // Advertise the bound port when the configured one was 0 (tests) and none was given.
    const advertisedPort = this.config.advertise.port === 0 ? bound.port : this.config.advertise.port;
    await this.#coordinator.registerBroker({ ...this.#identity(advertisedPort), ...(grpc === null ? {} : { grpc }) });
    cluster?.controller.start();
    await this.#partitions.start();
    this.#diskless.start();
    this.#groups.start();
    this.#transactions.start();
    this.#ready = true;
    this.logger.info({ kafka: `${this.config.advertise.host}:${advertisedPort}`, admin: this.#admin.address(), dataDir: this.config.dataDir, clusterId: this.#coordinator.clusterId }, 'oxbow broker started');
  }

  /** The node's diskless machinery (flusher, read cache, compactor), for tests and tools. */
  get diskless(): DisklessService {
    return this.#diskless;
  }

  #identity(port: number): BrokerIdentity {
    return { nodeId: this.config.nodeId, host: this.config.advertise.host, port, rack: this.config.rack };
  }
}
