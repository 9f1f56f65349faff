/**
 * Diskless topics (`storage.mode=diskless`) on one broker process with real clients and a real S3
 * protocol server (s3rver), each topic in its own bucket with its own credentials, checked by a
 * SigV4-verifying proxy per bucket. librdkafka and kafkajs produce 100,000 records each over 16
 * partitions and read them back exactly; the compactor turns the flush objects into lake-layout
 * Parquet files that DuckDB, an independent reader, opens with the same rows; the broker's data
 * directory does not grow with the traffic; an outage of one topic's bucket fails only that topic.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { KafkaClient as WireClient } from '@oxbow/node';
import { CreateTopics, KafkaErrorCode } from '@oxbow/protocol';
import { S3ObjectStore, type ObjectStore } from '@oxbow/storage';
import { S3FaultProxy, startS3Server, type S3ServerHandle } from '@oxbow/storage/testing';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';
import { runPythonClient } from '../support/client-process.js';

const run = promisify(execFile);
const { Kafka, logLevel, Partitioners } = kafkajs;

const PARTITIONS = 16;
const RECORDS = 100_000;
const EVENTS = 'events';
const CLICKS = 'clicks';
// s3rver accepts any access key id it knows; the proxies check each topic's own secret.
const CREDS_A = { accessKeyId: 'S3RVER', secretAccessKey: 'secret-of-events-0123456789' };
const CREDS_B = { accessKeyId: 'S3RVER', secretAccessKey: 'secret-of-clicks-9876543210' };

interface ProduceSummary {
  ok: boolean;
  sent: number;
  delivered: number;
  errorCount: number;
  errors: unknown[];
}
interface VerifySummary {
  ok: boolean;
  consume: { consumed: number; manifest: number; highWatermarks: Record<string, number>; mismatches: unknown[]; clientErrors: unknown[] };
}
interface ManifestLine {
  partition: number;
  value: { len: number; sha256: string } | null;
  timestamp: number;
}

async function dirBytes(dir: string, skip: (name: string) => boolean = () => false): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && !skip(join(e.parentPath, e.name))) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out;
}

describe('diskless topics on one node, per-topic buckets on S3', () => {
  let s3: S3ServerHandle;
  let proxyA: S3FaultProxy;
  let proxyB: S3FaultProxy;
  let broker: BrokerProcess;
  let adminPort: number;
  let work: string;
  let manifestPath: string;
  let bucketA: S3ObjectStore;
  let bucketB: S3ObjectStore;
  let dataDirBefore = 0;

  const topicConfigs = (bucket: string, proxy: S3FaultProxy, creds: typeof CREDS_A, prefix: string): string[] => [
    'storage.mode=diskless',
    's3.enabled=true',
    `s3.bucket=${bucket}`,
    `s3.prefix=${prefix}`,
    `s3.endpoint=${proxy.endpoint}`,
    `s3.region=${s3.region}`,
    's3.force.path.style=true',
    `s3.access.key.id=${creds.accessKeyId}`,
    `s3.secret.access.key=${creds.secretAccessKey}`,
  ];

  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket('lake-a');
    await s3.createBucket('lake-b');
    proxyA = await S3FaultProxy.start(s3.endpoint, { verifySignatures: CREDS_A });
    proxyB = await S3FaultProxy.start(s3.endpoint, { verifySignatures: CREDS_B });
    bucketA = new S3ObjectStore(s3.settings('lake-a'));
    bucketB = new S3ObjectStore(s3.settings('lake-b'));
    adminPort = await freePort();
    broker = await startBroker({
      settings: {
        'oxbow.diskless.compaction.interval.ms': '1000',
        'oxbow.diskless.compaction.max.age.ms': '4000',
        'oxbow.diskless.gc.grace.ms': '5000',
      },
      extraArgs: ['--admin', `127.0.0.1:${adminPort}`],
    });
    work = await mkdtemp(join(tmpdir(), 'oxbow-e2e-diskless-'));
    manifestPath = join(work, 'manifest.jsonl');
  }, 120_000);

  afterAll(async () => {
    await broker?.cleanup();
    await proxyA?.close();
    await proxyB?.close();
    await bucketA?.close();
    await bucketB?.close();
    await s3?.stop();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('oxbow topics create makes a 16-partition diskless topic in its own bucket and prefix', async () => {
    const args = ['oxbow', 'topics', 'create', EVENTS, '--partitions', String(PARTITIONS), '--config', 'max.message.bytes=2097152'];
    for (const c of topicConfigs('lake-a', proxyA, CREDS_A, 'kafka/lake')) args.push('--config', c);
    await run('npx', [...args, '--bootstrap', broker.bootstrap], { timeout: 60_000 });
    const described = (await run('npx', ['oxbow', 'topics', 'describe', EVENTS, '--bootstrap', broker.bootstrap], { timeout: 60_000 })).stdout;
    expect(described).toContain('storage.mode=diskless');
    // The secret is never shown.
    expect(described).not.toContain(CREDS_A.secretAccessKey);
    dataDirBefore = await dirBytes(broker.dataDir);
  });

  it('refuses, per topic, a bucket whose credentials fail, while creating the good topic of the same request', async () => {
    const wire = await WireClient.connect(broker.bootstrap);
    try {
      const cfg = (list: string[]) => list.map((kv) => ({ name: kv.slice(0, kv.indexOf('=')), value: kv.slice(kv.indexOf('=') + 1) }));
      const res = await wire.send(CreateTopics, {
        topics: [
          { name: CLICKS, numPartitions: PARTITIONS, replicationFactor: -1, assignments: [], configs: cfg(topicConfigs('lake-b', proxyB, CREDS_B, 'clicks-lake')) },
          { name: 'wrong-secret', numPartitions: 1, replicationFactor: -1, assignments: [], configs: cfg(topicConfigs('lake-b', proxyB, CREDS_A, 'x')) },
        ],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(res.topics.find((t) => t.name === CLICKS)?.errorCode).toBe(0);
      const bad = res.topics.find((t) => t.name === 'wrong-secret');
      expect(bad?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
      expect(bad?.errorMessage).toContain('lake-b');
      expect(bad?.errorMessage).not.toContain(CREDS_A.secretAccessKey);
    } finally {
      wire.close();
    }
  });

  it('librdkafka produces 100,000 varied records over 16 partitions and reads them back exactly', async () => {
    const produced = await runPythonClient<ProduceSummary>('rdkafka_produce.py', [broker.bootstrap, EVENTS, String(PARTITIONS), String(RECORDS), manifestPath], 300_000);
    expect(produced.summary.errors, produced.stderr).toEqual([]);
    expect(produced.summary).toMatchObject({ ok: true, sent: RECORDS, delivered: RECORDS, errorCount: 0 });
    const verified = await runPythonClient<VerifySummary>('rdkafka_verify.py', [broker.bootstrap, EVENTS, String(PARTITIONS), manifestPath], 300_000);
    expect(verified.summary.consume.mismatches, verified.stderr.slice(-2000)).toEqual([]);
    expect(verified.summary.consume.clientErrors).toEqual([]);
    expect(verified.summary.consume.consumed).toBe(RECORDS);
  }, 600_000);

  it('kafkajs produces 100,000 records over 16 partitions of another bucket and consumes them back in order', async () => {
    const kafka = new Kafka({ clientId: 'oxbow-e2e-diskless', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const sent: string[][] = Array.from({ length: PARTITIONS }, () => []);
    try {
      const perChunk = 625;
      for (let chunk = 0; chunk < RECORDS / (perChunk * PARTITIONS); chunk++) {
        const topicMessages = Array.from({ length: PARTITIONS }, (_, p) => ({
          topic: CLICKS,
          messages: Array.from({ length: perChunk }, (_, i) => {
            const value = `click-${chunk}-${p}-${i}`;
            sent[p]!.push(value);
            return { partition: p, key: `k${i % 7}`, value, headers: { n: String(i) } };
          }),
        }));
        await producer.sendBatch({ topicMessages, acks: -1 });
      }
    } finally {
      await producer.disconnect();
    }
    const consumer = kafka.consumer({ groupId: 'diskless-readers', maxBytes: 8 << 20 });
    const got: string[][] = Array.from({ length: PARTITIONS }, () => []);
    let total = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: CLICKS, fromBeginning: true });
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachBatch: ({ batch }) => {
            for (const m of batch.messages) got[batch.partition]!.push(m.value?.toString() ?? '');
            total += batch.messages.length;
            if (total >= RECORDS) resolve();
            return Promise.resolve();
          },
        });
      });
      const deadline = new Promise((_, reject) => setTimeout(() => reject(new Error(`consumed ${total} of ${RECORDS}`)), 240_000));
      await Promise.race([done, deadline]);
    } finally {
      await consumer.disconnect();
    }
    for (let p = 0; p < PARTITIONS; p++) expect(got[p]).toEqual(sent[p]);
  }, 600_000);

  it('compacts into lake-layout Parquet that DuckDB reads with the rows produced; each topic only in its own bucket', async () => {
    // Wait until every partition's flush slices are compacted and the flush objects collected.
    const deadline = Date.now() + 120_000;
    let lake: string[] = [];
    for (;;) {
      lake = (await keys(bucketA, 'kafka/lake/')).filter((k) => k.endsWith('.parquet'));
      const flushLeft = await keys(bucketA, 'kafka/lake/_diskless/objects/');
      const covered = new Set(lake.map((k) => /partition=(\d+)\//.exec(k)?.[1]));
      if (covered.size === PARTITIONS && flushLeft.length === 0) break;
      if (Date.now() > deadline) throw new Error(`compaction incomplete: ${lake.length} files, ${flushLeft.length} flush objects left`);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const k of lake) expect(k).toMatch(/^kafka\/lake\/events\/partition=\d+\/\d{20}-\d{20}\.parquet$/);
    expect(await keys(bucketA, 'kafka/lake/clicks/')).toEqual([]);
    expect((await keys(bucketB, 'clicks-lake/clicks/')).length).toBeGreaterThan(0);
    expect(await keys(bucketB, 'kafka/')).toEqual([]);

    const manifest = (await readFile(manifestPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ManifestLine);
    const byTimestamp = new Map(manifest.map((m) => [m.timestamp, m]));
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      let rows = 0;
      for (const k of lake) {
        const path = join(work, k.replaceAll('/', '_'));
        await writeFile(path, await bucketA.get(k));
        const partition = Number(/partition=(\d+)\//.exec(k)?.[1]);
        const reader = await db.runAndReadAll(`SELECT epoch_ms("timestamp") AS ts, CASE WHEN value IS NULL THEN NULL ELSE sha256(value) END AS sha, octet_length(value) AS len FROM read_parquet('${path}') WHERE NOT is_control`);
        for (const [ts, sha, len] of reader.getRowsJS() as [bigint | number, string | null, bigint | number | null][]) {
          const sent = byTimestamp.get(Number(ts));
          expect(sent, `row at ${ts} in ${k}`).toBeDefined();
          expect(sent?.partition).toBe(partition);
          if (sent?.value === null) expect(sha).toBeNull();
          else expect({ sha, len: Number(len) }).toEqual({ sha: sent?.value.sha256, len: sent?.value.len });
          rows++;
        }
      }
      expect(rows).toBe(RECORDS);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  }, 300_000);

  it('keeps the data directory flat: diskless records never touch local disk', async () => {
    // The embedded coordinator's state (manifests: coordinates only) is the one file allowed to change.
    const now = await dirBytes(broker.dataDir);
    expect(now - dataDirBefore).toBeLessThan(2 * 1024 * 1024);
  });

  it("an outage of one topic's bucket fails only that topic's produce, and loses nothing once it returns", async () => {
    const kafka = new Kafka({ clientId: 'oxbow-e2e-diskless-outage', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      proxyB.setFaults({ errorRate: 1 });
      const stuck = producer.send({ topic: CLICKS, acks: -1, messages: [{ partition: 0, value: 'during-outage' }] }).then(
        () => 'acked',
        (err: unknown) => `failed: ${String(err)}`,
      );
      // The other topic's bucket is fine: its produce is acknowledged while the first one waits. (Its
      // own connection: a connection answers in request order, so it would queue behind the first.)
      const other = new Kafka({ clientId: 'oxbow-e2e-diskless-other', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
      await other.connect();
      try {
        const ok = await other.send({ topic: EVENTS, acks: -1, messages: [{ partition: 0, value: 'events-still-flow' }] });
        expect(ok[0]?.errorCode).toBe(0);
      } finally {
        await other.disconnect();
      }
      expect(await Promise.race([stuck, new Promise((r) => setTimeout(() => r('pending'), 1000))])).toBe('pending');
      proxyB.setFaults({ errorRate: 0 });
      // Retried by the flusher once the bucket is back: acknowledged (or, had the request timed out first, stored anyway).
      expect(await stuck).toBe('acked');
    } finally {
      proxyB.setFaults({ errorRate: 0 });
      await producer.disconnect();
    }
    const consumer = kafka.consumer({ groupId: 'after-outage' });
    await consumer.connect();
    const seen: string[] = [];
    try {
      await consumer.subscribe({ topic: CLICKS, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`saw ${seen.length}`)), 120_000);
        void consumer.run({
          eachBatch: ({ batch }) => {
            if (batch.partition === 0) for (const m of batch.messages) seen.push(m.value?.toString() ?? '');
            if (seen.includes('during-outage')) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    expect(seen.filter((v) => v === 'during-outage')).toHaveLength(1);
  }, 240_000);
});
