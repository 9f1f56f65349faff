/**
 * Idempotent producers against a real Oxbow process behind a fault-injecting proxy
 * (`support/fault-proxy.ts`; the broker advertises the proxy, so every client connection goes
 * through it). The proxy withholds the acknowledgements of chosen Produce requests after the broker
 * has appended them and resets the connection, so clients resend batches the broker already has.
 * The partitions are then read back directly (raw Fetch, CRCs checked): no duplicates, per-partition
 * order kept, every acknowledged record present at its acknowledged offset. A broker restart
 * (clean stop: snapshot; kill -9: log replay) in the middle must keep recognising retried batches.
 */
import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import kafkajs, { type Kafka as KafkajsClient, type Producer, type RecordMetadata } from 'kafkajs';
import { CreateTopics, encodeRecordBatch, InitProducerId, Produce } from '@oxbow/protocol';
import { KafkaClient as WireClient } from '@oxbow/node';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';
import { runPythonClient } from '../support/client-process.js';
import { FORWARD_ALL, startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy.js';
import { readPartitionRaw } from '../support/raw-log-reader.js';

const { Kafka, logLevel, Partitioners } = kafkajs;
const PRODUCE = 0;
const PARTITIONS = 2;

let broker: BrokerProcess | undefined;
let proxy: FaultProxy | undefined;
const wires: WireClient[] = [];

afterEach(async () => {
  for (const w of wires.splice(0)) w.close();
  await proxy?.close();
  await broker?.cleanup();
  broker = undefined;
  proxy = undefined;
});

/** A broker advertising a proxy in front of it. */
async function startProxiedBroker(): Promise<{ broker: BrokerProcess; proxy: FaultProxy }> {
  const port = await freePort();
  proxy = await startFaultProxy(port);
  broker = await startBroker({ port, advertise: proxy.address });
  return { broker, proxy };
}

async function wireTo(b: BrokerProcess): Promise<WireClient> {
  const w = await WireClient.connect(b.bootstrap);
  wires.push(w);
  return w;
}

async function createTopic(b: BrokerProcess, topic: string, partitions: number): Promise<void> {
  const w = await wireTo(b);
  const res = await w.send(CreateTopics, { topics: [{ name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false });
  expect(res.topics[0]?.errorCode).toBe(0);
}

/** Reset the connection instead of delivering every `every`-th Produce acknowledgement. */
function resetEvery(every: number): FaultRule {
  return (r) => (r.apiKey === PRODUCE && r.nth % every === 0 ? 'reset' : 'forward');
}

/** Values (decimal record numbers) per partition, in offset order, read straight from the broker. */
async function readBack(b: BrokerProcess, topic: string): Promise<number[][]> {
  const w = await wireTo(b);
  const out: number[][] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const { records } = await readPartitionRaw(w, topic, p);
    out.push(records.map((r) => Number(r.value?.toString() ?? 'NaN')));
  }
  return out;
}

/** No duplicates, ascending order per partition, and each acknowledged record at its offset. */
function checkHistory(read: number[][], acked: readonly { value: number; partition: number; offset: bigint }[]): void {
  for (const values of read) {
    expect(new Set(values).size, 'duplicates in a partition').toBe(values.length);
    for (let i = 1; i < values.length; i++) expect(values[i] ?? 0, `order at offset ${i}`).toBeGreaterThan(values[i - 1] ?? 0);
  }
  for (const a of acked) expect(read[a.partition]?.[Number(a.offset)], `record ${a.value} acknowledged at ${a.partition}/${a.offset}`).toBe(a.value);
}

function kafkajsFor(bootstrap: string): KafkajsClient {
  return new Kafka({
    clientId: 'oxbow-e2e-idempotence',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 500, factor: 0.2, multiplier: 1.5 },
  });
}

/** Sends records [from, to) in sends of `perSend`, sequentially; returns what was acknowledged. */
async function sendRange(producer: Producer, topic: string, from: number, to: number, perSend: number, acked: { value: number; partition: number; offset: bigint }[]): Promise<void> {
  for (let i = from; i < to; i += perSend) {
    const values = Array.from({ length: Math.min(perSend, to - i) }, (_, k) => i + k);
    const meta: RecordMetadata[] = await producer.send({ topic, acks: -1, messages: values.map((v) => ({ value: String(v), partition: v % PARTITIONS })) });
    for (const m of meta) {
      const mine = values.filter((v) => v % PARTITIONS === m.partition);
      mine.forEach((v, k) => acked.push({ value: v, partition: m.partition, offset: BigInt(m.baseOffset ?? '-1') + BigInt(k) }));
    }
  }
}

describe('idempotent producers with lost acknowledgements', () => {
  it('kafkajs (idempotent: true): resets after appends and a kill -9 mid-stream leave no duplicates', async () => {
    const { broker: b, proxy: px } = await startProxiedBroker();
    await createTopic(b, 'idem-kafkajs', PARTITIONS);
    const producer = kafkajsFor(px.address).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const acked: { value: number; partition: number; offset: bigint }[] = [];
    try {
      px.setRule(resetEvery(4));
      await sendRange(producer, 'idem-kafkajs', 0, 240, 4, acked);
      expect(px.injected.reset).toBeGreaterThan(5);

      // The next Produce is appended, its acknowledgement withheld, and the broker killed before
      // the client learns anything: the retry reaches a restarted broker that rebuilt its state
      // from the log.
      const before = px.injected.drop;
      px.setRule((r) => (r.apiKey === PRODUCE ? 'drop' : 'forward'));
      const inFlight = sendRange(producer, 'idem-kafkajs', 240, 244, 4, acked);
      const deadline = Date.now() + 10_000;
      while (px.injected.drop === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(px.injected.drop).toBeGreaterThan(before);
      await b.kill9();
      px.resetAll();
      px.setRule(resetEvery(5));
      broker = await b.restart();
      await inFlight;
      await sendRange(producer, 'idem-kafkajs', 244, 400, 4, acked);
    } finally {
      await producer.disconnect();
    }
    const read = await readBack(broker, 'idem-kafkajs');
    checkHistory(read, acked);
    expect(acked).toHaveLength(400);
    expect(read.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it('librdkafka (enable.idempotence=true, 5 in flight): resets after appends leave no duplicates', async () => {
    const { broker: b, proxy: px } = await startProxiedBroker();
    await createTopic(b, 'idem-rdkafka', PARTITIONS);
    px.setRule(resetEvery(6));
    const COUNT = 3000;
    const run = await runPythonClient<{ acked: [number, number, number][]; errors: unknown[]; unflushed: number; fatal: unknown; ok: boolean }>(
      'rdkafka_idempotent.py',
      [px.address, 'idem-rdkafka', String(PARTITIONS), String(COUNT)],
      80_000,
    );
    px.setRule(FORWARD_ALL);
    expect(run.summary.fatal).toBeNull();
    expect(run.summary.errors).toEqual([]);
    expect(run.summary.acked).toHaveLength(COUNT);
    expect(px.injected.reset).toBeGreaterThan(0);
    const read = await readBack(b, 'idem-rdkafka');
    checkHistory(read, run.summary.acked.map(([value, partition, offset]) => ({ value, partition, offset: BigInt(offset) })));
    expect(read.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  });

  it('recognises a batch retried after a restart as a duplicate (clean stop: snapshot; kill -9: log replay)', async () => {
    const port = await freePort();
    broker = await startBroker({ port });
    await createTopic(broker, 'idem-restart', 1);
    let w = await wireTo(broker);
    const init = await w.send(InitProducerId, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 }, 4);
    expect(init.errorCode).toBe(0);
    const batch = (sequence: number): Promise<Buffer> =>
      encodeRecordBatch({ producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: sequence, records: [0, 1].map((k) => ({ timestamp: BigInt(Date.now()), key: null, value: Buffer.from(String(sequence + k)) })) });
    const produce = async (sequence: number): Promise<{ errorCode: number; baseOffset: bigint }> => {
      const res = await w.send(Produce, { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name: 'idem-restart', partitionData: [{ index: 0, records: await batch(sequence) }] }] }, 9);
      const p = res.responses[0]?.partitionResponses[0];
      return { errorCode: p?.errorCode ?? -1, baseOffset: p?.baseOffset ?? -1n };
    };
    for (let s = 0; s < 6; s += 2) expect(await produce(s)).toEqual({ errorCode: 0, baseOffset: BigInt(s) });

    await broker.stop();
    // A clean stop leaves a producer-state snapshot at the log end beside the segments.
    const files = await readdir(broker.dataDir, { recursive: true });
    expect(files.filter((f) => f.endsWith('.snapshot')).map((f) => basename(f))).toEqual(['00000000000000000006.snapshot']);
    broker = await broker.restart();
    w = await wireTo(broker);
    expect(await produce(4)).toEqual({ errorCode: 0, baseOffset: 4n });
    expect(await produce(6)).toEqual({ errorCode: 0, baseOffset: 6n });

    await broker.kill9();
    broker = await broker.restart();
    w = await wireTo(broker);
    expect(await produce(6)).toEqual({ errorCode: 0, baseOffset: 6n });
    expect(await produce(2)).toEqual({ errorCode: 0, baseOffset: 2n });
    expect(await produce(8)).toEqual({ errorCode: 0, baseOffset: 8n });
    const { records } = await readPartitionRaw(w, 'idem-restart', 0);
    expect(records.map((r) => r.value?.toString())).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
  });
});
