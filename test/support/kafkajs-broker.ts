/**
 * kafkajs's own lower layers (network → protocol → broker), used where its public API has no
 * equivalent: the public consumer always joins a consumer group, so tests read with kafkajs's Broker
 * object, which sends Fetch and ListOffsets through kafkajs's encoders and decoders and throws
 * kafkajs's KafkaJSProtocolError (with `type`, e.g. OFFSET_OUT_OF_RANGE) for partition errors.
 * kafkajs ships no types for `src/`; this module is the one place that loads it untyped.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const Broker = require('kafkajs/src/broker') as new (options: Record<string, unknown>) => any;
const ConnectionPool = require('kafkajs/src/network/connectionPool') as new (options: Record<string, unknown>) => any;
const socketFactory = require('kafkajs/src/network/socketFactory') as () => unknown;
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as { createLogger: (o: Record<string, unknown>) => unknown; LEVELS: Record<string, number> };
const LoggerConsole = require('kafkajs/src/loggers/console') as unknown;

/** A record as kafkajs's Fetch decoder returns it (offsets and timestamps as decimal strings). */
export interface KafkajsRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Repeated header keys become arrays, in wire order. */
  readonly headers: Readonly<Record<string, Buffer | Buffer[]>>;
  readonly isControlRecord: boolean;
}

export interface KafkajsFetchedPartition {
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  readonly messages: readonly KafkajsRecord[];
}

export interface KafkajsBroker {
  /** kafkajs's Broker object itself, for requests this wrapper does not shape. */
  readonly raw: any;
  /** One Fetch of one partition (kafkajs's default isolation level, READ_COMMITTED). */
  fetch(topic: string, partition: number, offset: bigint, options?: { maxBytes?: number; maxWaitMs?: number }): Promise<KafkajsFetchedPartition>;
  /** ListOffsets for one partition: -2 earliest, -1 latest, or a timestamp. */
  listOffset(topic: string, partition: number, timestamp: bigint): Promise<bigint>;
  disconnect(): Promise<void>;
}

export async function connectKafkajsBroker(bootstrap: string, clientId = 'oxbow-e2e-lowlevel'): Promise<KafkajsBroker> {
  const [host, port] = bootstrap.split(':');
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole });
  const connectionPool = new ConnectionPool({
    host,
    port: Number(port),
    logger,
    socketFactory: socketFactory(),
    clientId,
    requestTimeout: 30_000,
    connectionTimeout: 5_000,
    enforceRequestTimeout: true,
  });
  const broker = new Broker({ connectionPool, logger, allowAutoTopicCreation: false });
  await broker.connect();
  return {
    raw: broker,
    async fetch(topic, partition, offset, options = {}) {
      const response = await broker.fetch({
        replicaId: -1,
        maxWaitTime: options.maxWaitMs ?? 100,
        minBytes: 1,
        maxBytes: 64 * 1024 * 1024,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes: options.maxBytes ?? 4 * 1024 * 1024 }] }],
      });
      const p = response.responses[0].partitions[0];
      return {
        errorCode: p.errorCode,
        highWatermark: BigInt(p.highWatermark),
        lastStableOffset: BigInt(p.lastStableOffset),
        logStartOffset: BigInt(p.lastStartOffset),
        messages: p.messages,
      };
    },
    async listOffset(topic, partition, timestamp) {
      const response = await broker.listOffsets({ replicaId: -1, isolationLevel: 1, topics: [{ topic, partitions: [{ partition, timestamp: timestamp.toString() }] }] });
      return BigInt(response.responses[0].partitions[0].offset);
    },
    async disconnect() {
      await broker.disconnect();
    },
  };
}
