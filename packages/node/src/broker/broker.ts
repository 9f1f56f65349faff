import { EmbeddedCoordinator, type Coordinator, type TopicRecord } from '@oxbow/controller';
import { KafkaErrorCode } from '@oxbow/protocol';
import type { BrokerConfig } from '../config/index.js';
import { AdminServer } from '../admin/admin-server.js';
import { GroupService } from '../groups/group-service.js';
import { OFFSETS_TOPIC } from '../groups/offsets-topic.js';
import { createHandlers } from '../handlers/registry.js';
import { BrokerMetrics } from '../observability/broker-metrics.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { RequestObserver } from '../observability/request-observer.js';
import { startTelemetry, type Telemetry } from '../observability/telemetry.js';
import { ProducerIdAllocator } from '../producers/producer-id-allocator.js';
import { TransactionCoordinator, type MarkerWriter } from '../transactions/transaction-coordinator.js';
import { KafkaServer } from '../server/kafka-server.js';
import { PartitionManager } from './partition-manager.js';
import type { BrokerIdentity, BrokerServices, PartitionLookup } from './services.js';
import { TopicAdmin } from './topic-admin.js';

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
  #ready = false;

  private constructor(config: BrokerConfig, options: BrokerOptions) {
    this.config = config;
    this.logger = options.logger ?? createLogger({ level: config.logLevel, nodeId: config.nodeId });
    this.#telemetry = startTelemetry({ nodeId: config.nodeId, ...(options.env === undefined ? {} : { env: options.env }) });
    if (config.etcd !== null) {
      throw new Error('--etcd: the etcd coordinator is not available yet; start without --etcd for the embedded single-node coordinator');
    }
    this.#coordinator = new EmbeddedCoordinator({ dataDir: config.dataDir, nodeId: config.nodeId });
    this.#partitions = new PartitionManager(this.#coordinator, config, this.logger);
    const topics = new TopicAdmin(this.#coordinator, config, () => this.#partitions.settled());
    const partition = (topic: string, p: number): PartitionLookup => this.#partitions.lookup(this.#coordinator.topic(topic), p);
    this.#groups = new GroupService({ coordinator: this.#coordinator, topics, config, logger: this.logger, partition });
    const producerIds = new ProducerIdAllocator(this.#coordinator);
    // On one node every partition is local: markers go straight to the partition actors.
    const markers: MarkerWriter = {
      write: async (topic, p, marker) => {
        const found = partition(topic, p);
        if (!found.ok) return found.errorCode;
        const { errorCode } = await found.handle.writeTxnMarker(marker);
        if (errorCode === 0 && topic === OFFSETS_TOPIC) this.#groups.completeTransaction(p, marker.producerId, marker.commit);
        return errorCode;
      },
    };
    this.#transactions = new TransactionCoordinator({ coordinator: this.#coordinator, topics, config, logger: this.logger, partition, producerIds, markers });
    const services: BrokerServices = {
      identity: this.#identity(config.advertise.port),
      coordinator: this.#coordinator,
      topics,
      groups: this.#groups,
      transactions: this.#transactions,
      producerIds,
      logger: this.logger,
      metrics: new BrokerMetrics(this.#telemetry.meter, () => this.#partitions.entries()),
      partition,
      partitionById: (topicId, partition): PartitionLookup => {
        const topic: TopicRecord | undefined = this.#coordinator.topicById(topicId);
        return topic === undefined ? { ok: false, errorCode: KafkaErrorCode.UNKNOWN_TOPIC_ID } : this.#partitions.lookup(topic, partition);
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
    await this.#kafka.close().catch(() => undefined);
    this.#groups.close();
    this.#transactions.close();
    await this.#partitions.close();
    await this.#admin.close().catch(() => undefined);
    await this.#coordinator.close();
    await this.#telemetry.shutdown();
  }

  async #start(): Promise<void> {
    await this.#coordinator.start();
    await this.#admin.listen();
    await this.#kafka.listen();
    const bound = this.#kafka.address();
    // Advertise the bound port when the configured one was 0 (tests) and none was given.
    const advertisedPort = this.config.advertise.port === 0 ? bound.port : this.config.advertise.port;
    await this.#coordinator.registerBroker(this.#identity(advertisedPort));
    await this.#partitions.start();
    this.#groups.start();
    this.#transactions.start();
    this.#ready = true;
    this.logger.info({ kafka: `${this.config.advertise.host}:${advertisedPort}`, admin: this.#admin.address(), dataDir: this.config.dataDir, clusterId: this.#coordinator.clusterId }, 'oxbow broker started');
  }

  #identity(port: number): BrokerIdentity {
    return { nodeId: this.config.nodeId, host: this.config.advertise.host, port, rack: this.config.rack };
  }
}
