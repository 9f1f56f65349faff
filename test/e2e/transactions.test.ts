/**
 * Transactions with real clients against a broker process: a librdkafka (python3-confluent-kafka)
 * consume-transform-produce loop whose committed output must be visible exactly once to
 * read_committed consumers and whose aborted output never; kafkajs's transactional producer with
 * sendOffsets; and broker restarts (kill -9) in the middle of a transaction, which must end with the
 * transaction either committed or aborted and the last stable offset caught up with the log end.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { type Admin, type Kafka as KafkaClient } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../support/broker-process.js';
import { runProcess, runPythonClient, SYSTEM_PYTHON } from '../support/client-process.js';
import { ListOffsets } from '@oxbow/protocol';
import { KafkaClient as WireClient } from '@oxbow/node';
import { fileURLToPath } from 'node:url';

const { Kafka, logLevel, Partitioners } = kafkajs;
const CLIENTS_DIR = fileURLToPath(new URL('./clients/', import.meta.url));

/** Small internal topics and a fast timeout check keep the suite bounded. */
const SETTINGS = {
  'transaction.state.log.num.partitions': '4',
  'offsets.topic.num.partitions': '4',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
  'group.initial.rebalance.delay.ms': '0',
};

let broker: BrokerProcess;
let kafka: KafkaClient;
let admin: Admin;
let scratch: string;

function connectKafkajs(): void {
  kafka = new Kafka({ clientId: 'oxbow-e2e-txn', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 } });
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'oxbow-txn-e2e-'));
  broker = await startBroker({ settings: SETTINGS });
  connectKafkajs();
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect().catch(() => undefined);
  await broker.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

interface ReadSummary {
  readonly records: [number, number, string][];
  readonly errors: string[];
}

async function readAll(topic: string, partitions: number, isolation: 'read_committed' | 'read_uncommitted', expected: number): Promise<ReadSummary> {
  const r = await runPythonClient<ReadSummary>('rdkafka_txn_read.py', [broker.bootstrap, topic, String(partitions), isolation, String(expected)], 45_000);
  expect(r.summary.errors).toEqual([]);
  return r.summary;
}

/** Latest offsets per partition: the high watermark (read_uncommitted) or the last stable offset (read_committed). */
async function latestOffsets(topic: string, partitions: number, isolationLevel: 0 | 1): Promise<bigint[]> {
  const wire = await WireClient.connect(broker.bootstrap);
  try {
    const r = await wire.send(ListOffsets, { replicaId: -1, isolationLevel, topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: -1n })) }], timeoutMs: 5000 }, 7);
    return (r.topics[0]?.partitions ?? []).map((p) => {
      expect(p.errorCode).toBe(0);
      return p.offset;
    });
  } finally {
    wire.close();
  }
}

describe('librdkafka consume-transform-produce', () => {
  it('makes committed results visible exactly once to read_committed and aborted ones never', async () => {
    const input = 'txn-in';
    const output = 'txn-out';
    const partitions = 4;
    const count = 2000;
    await admin.createTopics({ topics: [{ topic: input, numPartitions: partitions }, { topic: output, numPartitions: partitions }] });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (let from = 0; from < count; from += 500) {
      await producer.send({ topic: input, messages: Array.from({ length: 500 }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}`, partition: (from + i) % partitions })) });
    }
    await producer.disconnect();

    const run = await runPythonClient<{ commits: number; aborts: number; processed: number; fatal: unknown }>(
      'rdkafka_txn_ctp.py',
      [broker.bootstrap, input, output, 'ctp-group', 'ctp-txn', String(count), '3'],
      100_000,
    );
    expect(run.summary.fatal).toBeNull();
    expect(run.summary.processed).toBe(count);
    expect(run.summary.aborts).toBeGreaterThan(0);

    const committed = await readAll(output, partitions, 'read_committed', count);
    const values = committed.records.map((r) => r[2]);
    expect(values.filter((v) => v.startsWith('aborted-'))).toEqual([]);
    expect(values.length).toBe(count);
    expect(new Set(values)).toEqual(new Set(Array.from({ length: count }, (_, i) => `out-v${i}`)));
    // Per-partition order follows the input's.
    for (let p = 0; p < partitions; p++) {
      const seq = committed.records.filter((r) => r[0] === p).map((r) => Number(r[2].slice('out-v'.length)));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }

    const uncommitted = await readAll(output, partitions, 'read_uncommitted', count + 1);
    const all = uncommitted.records.map((r) => r[2]);
    expect(all.filter((v) => v.startsWith('out-')).length).toBe(count);
    expect(all.some((v) => v.startsWith('aborted-'))).toBe(true);

    // The group's committed offsets (written inside the transactions) cover the whole input.
    const groupOffsets = await admin.fetchOffsets({ groupId: 'ctp-group', topics: [input] });
    const inputEnd = await latestOffsets(input, partitions, 0);
    expect(groupOffsets[0]?.partitions.sort((a, b) => a.partition - b.partition).map((p) => BigInt(p.offset))).toEqual(inputEnd);
    // Every transaction ended: the LSO caught up with the log end.
    expect(await latestOffsets(output, partitions, 1)).toEqual(await latestOffsets(output, partitions, 0));
  }, 180_000);
});

describe('kafkajs transactions', () => {
  it('commits and aborts with sendOffsets; a read_committed kafkajs consumer sees only the commits', async () => {
    const topic = 'kjs-txn';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = kafka.producer({ transactionalId: 'kjs-txn-id', idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const committedTxn = await producer.transaction();
    await committedTxn.send({ topic, messages: [{ key: 'a', value: 'kept-1', partition: 0 }, { key: 'b', value: 'kept-2', partition: 1 }] });
    await committedTxn.sendOffsets({ consumerGroupId: 'kjs-txn-group', topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] });
    await committedTxn.commit();
    const abortedTxn = await producer.transaction();
    await abortedTxn.send({ topic, messages: [{ key: 'c', value: 'dropped', partition: 0 }] });
    await abortedTxn.abort();
    const last = await producer.transaction();
    await last.send({ topic, messages: [{ key: 'd', value: 'kept-3', partition: 0 }] });
    await last.commit();
    await producer.disconnect();

    const offsets = await admin.fetchOffsets({ groupId: 'kjs-txn-group', topics: [topic] });
    expect(offsets[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe('1');

    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: 'kjs-txn-reader', readUncommitted: false, sessionTimeout: 6000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        seen.push(message.value?.toString() ?? '');
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 20_000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    await consumer.disconnect();
    expect(seen.sort()).toEqual(['kept-1', 'kept-2', 'kept-3']);
  }, 60_000);
});

describe('broker restart in the middle of a transaction', () => {
  async function pausedTransaction(topic: string, action: 'commit' | 'abort', duringPause: () => Promise<void>): Promise<{ ended: boolean; fatal: unknown }> {
    const ready = join(scratch, `${topic}.ready`);
    const go = join(scratch, `${topic}.go`);
    const client = runProcess(SYSTEM_PYTHON, ['-B', CLIENTS_DIR + 'rdkafka_txn_pause.py', broker.bootstrap, topic, '2', '100', ready, go, action], { timeoutMs: 120_000, cwd: CLIENTS_DIR });
    const deadline = Date.now() + 30_000;
    while (!existsSync(ready) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(ready)).toBe(true);
    await duringPause();
    await writeFile(go, '');
    const result = await client;
    const summary = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { ended: boolean; fatal: unknown };
    if (!summary.ended) throw new Error(`paused producer did not end its transaction: ${result.stdout}\n${result.stderr}`);
    return summary;
  }

  async function restartBroker(): Promise<void> {
    await admin.disconnect().catch(() => undefined);
    await broker.kill9();
    broker = await broker.restart();
    connectKafkajs();
    admin = kafka.admin();
    await admin.connect();
  }

  it('commits after a kill -9 and restart: the records become visible to read_committed', async () => {
    const topic = 'txn-restart-commit';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const summary = await pausedTransaction(topic, 'commit', async () => {
      // Open transaction: the LSO sits at its first offset.
      const before = await readAll(topic, 2, 'read_committed', 0);
      expect(before.records).toEqual([]);
      await restartBroker();
    });
    expect(summary.fatal).toBeNull();
    const after = await readAll(topic, 2, 'read_committed', 100);
    expect(after.records.map((r) => r[2]).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `txn-${i}`).sort());
  }, 120_000);

  it('aborts a transaction whose producer died with the broker, once it times out: the LSO moves on', async () => {
    const topic = 'txn-restart-orphan';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const ready = join(scratch, `${topic}.ready`);
    // The producer asks for a 3 s transaction timeout and is killed with the broker.
    const script = `
import sys, time
sys.path.insert(0, ${JSON.stringify(CLIENTS_DIR)})
from confluent_kafka import Producer
from rdkafka_common import client_config
p = Producer(client_config(sys.argv[1], **{'transactional.id': 'orphan', 'transaction.timeout.ms': 3000, 'socket.timeout.ms': 2500}))
p.init_transactions(10)
p.begin_transaction()
for i in range(50):
    p.produce(sys.argv[2], value=b'orphan-%d' % i, partition=i % 2)
p.flush(10)
open(sys.argv[3], 'w').close()
time.sleep(120)
`;
    const child = runProcess(SYSTEM_PYTHON, ['-B', '-c', script, broker.bootstrap, topic, ready], { timeoutMs: 60_000 });
    let exited: Awaited<typeof child> | null = null;
    void child.then((r) => (exited = r));
    const deadline = Date.now() + 30_000;
    while (!existsSync(ready) && exited === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(ready)) throw new Error(`orphan producer never got ready: ${JSON.stringify(exited)}`);
    await restartBroker();
    await runProcess('pkill', ['-9', '-f', 'transactional.id.: .orphan']);
    await child;
    // Within the timeout plus the check interval the coordinator aborts it: read_committed sees
    // nothing of it and the LSO equals the log end.
    const stuckUntil = Date.now() + 20_000;
    for (;;) {
      const lso = await latestOffsets(topic, 2, 1);
      const hwm = await latestOffsets(topic, 2, 0);
      // 25 records per partition, then the abort marker.
      if (lso.every((o, p) => o === hwm[p] && o === 26n)) break;
      if (Date.now() > stuckUntil) throw new Error(`LSO stuck: ${String(lso)} vs high watermark ${String(hwm)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const committed = await readAll(topic, 2, 'read_committed', 0);
    expect(committed.records).toEqual([]);
    const uncommitted = await readAll(topic, 2, 'read_uncommitted', 50);
    expect(uncommitted.records).toHaveLength(50);
  }, 120_000);
});
