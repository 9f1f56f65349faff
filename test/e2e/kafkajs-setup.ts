/**
 * Shared setup for the kafkajs 2.2.4 e2e files (kafkajs-*.test.ts): one real Oxbow node per file
 * with kafkajs's admin, producer and Broker object connected to it, the orders topic they all
 * work on, and the seeded producer that fills it while keeping a per-partition manifest of every
 * record sent (offset order), so each file can check what it reads against what was written.
 */
import kafkajs, { type Admin, type Kafka as KafkaClient, type Message, type Producer } from 'kafkajs';
import { expect } from 'vitest';
import { startBroker, type BrokerProcess } from '../support/broker-process.js';
import { connectKafkajsBroker, type KafkajsBroker } from '../support/kafkajs-broker.js';
import { toKafkajsHeaders, type SentRecord } from '../support/record-manifest.js';
import type { SeededRandom } from '../support/seeded-random.js';

const { Kafka, logLevel, CompressionTypes, Partitioners } = kafkajs;

export const TOPIC = 'kjs-orders';
export const PARTITIONS = 3;
export const MiB = 1024 * 1024;

export interface KafkajsNode {
  readonly broker: BrokerProcess;
  readonly kafka: KafkaClient;
  readonly admin: Admin;
  readonly producer: Producer;
  /** kafkajs's own Broker object, for Fetch and ListOffsets (its public consumer joins a group). */
  readonly low: KafkajsBroker;
}

/** Starts a broker and connects kafkajs's admin, producer and Broker object to it. */
export async function startKafkajsNode(): Promise<KafkajsNode> {
  const broker = await startBroker();
  try {
    const kafka = new Kafka({ clientId: 'oxbow-e2e-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const low = await connectKafkajsBroker(broker.bootstrap);
    return { broker, kafka, admin, producer, low };
  } catch (err) {
    await broker.cleanup();
    throw err;
  }
}

/** Disconnects whatever `startKafkajsNode` connected and removes the broker (safe if it never started). */
export async function stopKafkajsNode(node: Partial<KafkajsNode> | undefined): Promise<void> {
  await node?.producer?.disconnect();
  await node?.admin?.disconnect();
  await node?.low?.disconnect();
  await node?.broker?.cleanup();
}

/** Creates TOPIC: PARTITIONS partitions, 2 MiB max.message.bytes, 4 MiB segments, 3 days' retention. */
export function createOrdersTopic(admin: Admin): Promise<boolean> {
  return admin.createTopics({
    topics: [
      {
        topic: TOPIC,
        numPartitions: PARTITIONS,
        replicationFactor: 1,
        configEntries: [
          { name: 'max.message.bytes', value: String(2 * MiB) },
          { name: 'segment.bytes', value: String(4 * MiB) },
          { name: 'retention.ms', value: '259200000' },
        ],
      },
    ],
  });
}

function valueSize(r: SeededRandom): number {
  const roll = r.next();
  if (roll < 0.01) return 0;
  if (roll < 0.8) return r.int(1, 200);
  if (roll < 0.96) return r.int(200, 10_000);
  if (roll < 0.998) return r.int(10_000, 64 * 1024);
  return r.int(512 * 1024, MiB);
}

function randomRecord(r: SeededRandom, now: number): SentRecord {
  const keyRoll = r.next();
  const key = keyRoll < 0.05 ? null : keyRoll < 0.06 ? Buffer.alloc(0) : r.bytes(r.int(1, 64));
  const value = r.chance(0.02) ? null : r.bytes(valueSize(r));
  const headers: (readonly [string, Buffer])[] = [];
  const kinds = r.int(0, 3);
  for (let h = 0; h < kinds; h++) {
    const name = `h-${r.pick(['trace', 'source', 'empty', 'bin', 'ütf8'])}-${h}`;
    const copies = r.chance(0.3) ? r.int(2, 3) : 1;
    for (let c = 0; c < copies; c++) headers.push([name, name.includes('empty') ? Buffer.alloc(0) : r.bytes(r.int(1, 40))]);
  }
  // Not monotonic: anywhere in the last six hours or up to ten minutes ahead (13 digits: kafkajs
  // sorts batch timestamps as strings).
  const timestamp = BigInt(now - 6 * 3600_000 + r.int(0, 6 * 3600_000 + 600_000));
  return { key, value, headers, timestamp };
}

function toMessage(rec: SentRecord, partition: number): Message {
  return { partition, key: rec.key, value: rec.value, headers: toKafkajsHeaders(rec.headers), timestamp: rec.timestamp.toString() };
}

export interface ProduceStats {
  readonly produced: number;
  readonly sends: number;
  readonly acksUsed: ReadonlySet<number>;
  readonly compressionsUsed: ReadonlySet<number>;
  /** For every acknowledged partition of every send: the base offset returned and the one expected. */
  readonly ackedChecks: readonly { partition: number; baseOffset: string; expected: number }[];
}

/**
 * Sends `count` seeded random records to TOPIC with kafkajs's producer (random partitions, acks
 * 0/1/all, None/GZIP, one value of exactly 1 MiB), appending each to `manifest[partition]`. The
 * last send waits for all, so every record is appended when this returns.
 */
export async function produceRecords(producer: Producer, manifest: SentRecord[][], rng: SeededRandom, count: number): Promise<ProduceStats> {
  const now = Date.now();
  const acksUsed = new Set<number>();
  const compressionsUsed = new Set<number>();
  let produced = 0;
  let sends = 0;
  const ackedChecks: { partition: number; baseOffset: string; expected: number }[] = [];
  while (produced < count) {
    const target = Math.min(count - produced, rng.int(1, 300));
    const perPartitionBytes = [0, 0, 0];
    const messages: Message[] = [];
    const firstIndex = manifest.map((m) => m.length);
    for (let i = 0; i < target; i++) {
      // One value of exactly 1 MiB for sure; the rest follow valueSize.
      const rec = sends === 5 && i === 0 ? { ...randomRecord(rng, now), value: rng.bytes(MiB) } : randomRecord(rng, now);
      const partition = rng.int(0, PARTITIONS - 1);
      const size = (rec.value?.length ?? 0) + 200;
      // Keep every partition's batch under the topic's 2 MiB max.message.bytes.
      if (messages.length > 0 && (perPartitionBytes[partition] as number) + size > 1.5 * MiB) break;
      perPartitionBytes[partition] = (perPartitionBytes[partition] as number) + size;
      manifest[partition]?.push(rec);
      messages.push(toMessage(rec, partition));
    }
    produced += messages.length;
    sends++;
    // The last send waits for all so the acks=0 sends before it are known to be appended.
    const acks = produced >= count ? -1 : rng.pick([-1, 1, 0]);
    const compression = rng.pick([CompressionTypes.None, CompressionTypes.GZIP]);
    acksUsed.add(acks);
    compressionsUsed.add(compression);
    const result = await producer.send({ topic: TOPIC, messages, acks, compression, timeout: 30_000 });
    if (acks === 0) {
      expect(result).toEqual([]);
      continue;
    }
    for (const r of result) {
      expect(r.errorCode).toBe(0);
      ackedChecks.push({ partition: r.partition, baseOffset: String(r.baseOffset), expected: firstIndex[r.partition] as number });
    }
  }
  return { produced, sends, acksUsed, compressionsUsed, ackedChecks };
}
