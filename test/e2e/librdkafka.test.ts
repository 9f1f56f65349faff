/**
 * librdkafka (Debian's python3-confluent-kafka) against one real broker process: admin calls, a
 * varied 10,000-record produce over every codec and acks setting, a byte-for-byte read-back checked
 * against the producer's manifest, offsets_for_times, seek, configs, deletion and the error paths a
 * librdkafka user meets. The drivers live in `clients/rdkafka_*.py` and print JSON summaries.
 * No consumer groups, idempotence or transactions: assign()-style consumers, no commits.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaErrorCode } from '@oxbow/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../support/broker-process.js';
import { runPythonClient } from '../support/client-process.js';

// Kafka's ConfigEntry.ConfigSource numbering, as confluent_kafka reports it.
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

const TOPIC = 'librdkafka-varied';
const PARTITIONS = 3;
const RECORDS = 10_000;
const TOPIC_MAX_MESSAGE_BYTES = '2097152';

interface KafkaErr {
  code: number | null;
  name: string;
  str: string;
}
interface PartitionMd {
  leader: number;
  replicas: number[];
  isrs: number[];
  error: KafkaErr | null;
}
interface TopicMd {
  error: KafkaErr | null;
  partitions: Record<string, PartitionMd>;
}
interface AdminSummary {
  ok: boolean;
  error?: KafkaErr | null;
  listed?: TopicMd | null;
  topics?: Record<string, TopicMd>;
  brokers?: Record<string, string>;
  configs?: Record<string, { value: string | null; source: number; is_default: boolean; is_read_only: boolean; is_sensitive: boolean }>;
  stillListed?: boolean;
  watermarks?: Record<string, [number, number]>;
}
interface ProduceSummary {
  ok: boolean;
  sent: number;
  delivered: number;
  errorCount: number;
  errors: unknown[];
  unflushed: number;
  perProducer: Record<string, number>;
  nullKeys: number;
  emptyKeys: number;
  tombstones: number;
  emptyValues: number;
  maxValueBytes: number;
  largeValues: number;
  withHeaders: number;
}
interface VerifySummary {
  ok: boolean;
  consume: {
    consumed: number;
    manifest: number;
    highWatermarks: Record<string, number>;
    perPartition: Record<string, number>;
    mismatches: unknown[];
    mismatchCount: number;
    clientErrors: KafkaErr[];
  };
  offsetsForTimes?: { checked: number; mismatches: unknown[]; mismatchCount: number };
  seek?: { partition: number; steps: { target: number; ok: boolean; got: unknown; expected?: unknown }[] }[];
}
interface Delivery {
  error: KafkaErr | null;
  partition?: number;
  offset?: number | null;
}

interface ManifestLine {
  i: number;
  producer: string;
  codec: string;
  acks: string;
  partition: number;
  key: { len: number } | null;
  value: { len: number } | null;
  headers: [string, string | null][];
  timestamp: number;
}

describe('librdkafka (python3-confluent-kafka 1.7 / librdkafka 2.0.2) against one broker', () => {
  let broker: BrokerProcess;
  let work: string;
  let manifestPath: string;
  let verify: VerifySummary | undefined;

  const admin = async (...args: string[]): Promise<AdminSummary> => {
    const { summary, code, stderr } = await runPythonClient<AdminSummary>('rdkafka_admin.py', [broker.bootstrap, ...args], 45_000);
    expect(code, stderr).toBe(0);
    return summary;
  };

  /** The consume-and-compare run, shared by the read-back, offsets_for_times and seek tests. */
  const verified = async (): Promise<VerifySummary> => {
    verify ??= (await runPythonClient<VerifySummary>('rdkafka_verify.py', [broker.bootstrap, TOPIC, String(PARTITIONS), manifestPath], 90_000)).summary;
    return verify;
  };

  beforeAll(async () => {
    broker = await startBroker();
    work = await mkdtemp(join(tmpdir(), 'oxbow-e2e-rdkafka-'));
    manifestPath = join(work, 'manifest.jsonl');
  });

  afterAll(async () => {
    await broker?.cleanup();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('AdminClient creates a 3-partition topic that list_topics shows with a leader per partition', async () => {
    const created = await admin('create', TOPIC, String(PARTITIONS), `max.message.bytes=${TOPIC_MAX_MESSAGE_BYTES}`);
    expect(created.error).toBeNull();
    const listed = await admin('list');
    expect(Object.values(listed.brokers ?? {})).toEqual([broker.bootstrap]);
    const topic = listed.topics?.[TOPIC];
    expect(topic?.error).toBeNull();
    expect(Object.keys(topic?.partitions ?? {}).sort()).toEqual(['0', '1', '2']);
    for (const p of Object.values(topic?.partitions ?? {})) expect(p).toMatchObject({ leader: 0, replicas: [0], isrs: [0], error: null });
  });

  it('produces 10,000 varied records with every codec and acks 0/1/all, all delivered', async () => {
    const { summary, stderr } = await runPythonClient<ProduceSummary>('rdkafka_produce.py', [broker.bootstrap, TOPIC, String(PARTITIONS), String(RECORDS), manifestPath], 90_000);
    expect(summary.errors, stderr).toEqual([]);
    expect(summary).toMatchObject({ ok: true, sent: RECORDS, delivered: RECORDS, errorCount: 0, unflushed: 0 });
    // The record set really is as varied as claimed.
    expect(Object.keys(summary.perProducer).sort()).toEqual(
      ['gzip', 'lz4', 'none', 'snappy', 'zstd'].flatMap((c) => ['0', '1', 'all'].map((a) => `${c}/acks=${a}`)).sort(),
    );
    expect(summary.nullKeys).toBeGreaterThan(RECORDS * 0.03);
    expect(summary.nullKeys).toBeLessThan(RECORDS * 0.07);
    expect(summary.emptyKeys).toBeGreaterThan(0);
    expect(summary.tombstones).toBeGreaterThan(RECORDS * 0.01);
    expect(summary.tombstones).toBeLessThan(RECORDS * 0.03);
    expect(summary.emptyValues).toBeGreaterThan(0);
    expect(summary.maxValueBytes).toBe(1024 * 1024);
    expect(summary.largeValues).toBeGreaterThanOrEqual(6);
    const manifest = (await readFile(manifestPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ManifestLine);
    expect(manifest).toHaveLength(RECORDS);
    expect(new Set(manifest.map((m) => m.timestamp)).size).toBe(RECORDS);
    expect(new Set(manifest.map((m) => m.partition))).toEqual(new Set([0, 1, 2]));
    const headers = manifest.flatMap((m) => m.headers);
    expect(headers.some(([, v]) => v === '')).toBe(true);
    expect(headers.some(([, v]) => v === null)).toBe(true);
    expect(headers.some(([k]) => k === '')).toBe(true);
    expect(manifest.some((m) => m.headers.filter(([k]) => k === 'dup').length >= 2)).toBe(true);
    // Timestamps are not monotonic in send order on any partition.
    for (let p = 0; p < PARTITIONS; p++) {
      const ts = manifest.filter((m) => m.partition === p).map((m) => m.timestamp);
      expect(ts.some((t, i) => i > 0 && t < (ts[i - 1] ?? 0))).toBe(true);
    }
  });

  it('reads every record back from the beginning exactly as sent (bytes, headers, timestamps, order)', async () => {
    const v = await verified();
    expect(v.consume.mismatches).toEqual([]);
    expect(v.consume.clientErrors).toEqual([]);
    expect(v.consume.consumed).toBe(RECORDS);
    expect(v.consume.manifest).toBe(RECORDS);
    expect(v.consume.perPartition).toEqual(Object.fromEntries(Object.entries(v.consume.highWatermarks)));
    expect(Object.values(v.consume.highWatermarks).reduce((a, b) => a + b, 0)).toBe(RECORDS);
  });

  it('offsets_for_times gives the earliest offset whose timestamp is at or after t (-1 past the end)', async () => {
    const v = await verified();
    expect(v.offsetsForTimes?.mismatches).toEqual([]);
    expect(v.offsetsForTimes?.checked).toBe(18 * PARTITIONS);
  });

  it('seek makes the next record exactly the requested offset, forwards and backwards', async () => {
    const v = await verified();
    expect(v.seek).toHaveLength(PARTITIONS);
    for (const partition of v.seek ?? []) {
      expect(partition.steps.map((s) => s.target)).toHaveLength(4);
      expect(partition.steps.filter((s) => !s.ok)).toEqual([]);
    }
    expect(v.ok).toBe(true);
  });

  it('describe_configs / legacy alter_configs: dynamic vs default sources, replace semantics, INVALID_CONFIG', async () => {
    const before = await admin('describe', TOPIC);
    expect(before.error).toBeNull();
    expect(before.configs?.['max.message.bytes']).toMatchObject({ value: TOPIC_MAX_MESSAGE_BYTES, source: DYNAMIC_TOPIC_CONFIG, is_default: false });
    expect(before.configs?.['retention.ms']).toMatchObject({ value: '604800000', source: DEFAULT_CONFIG, is_default: true });

    const altered = await admin('alter', TOPIC, 'retention.ms=2592000000', `max.message.bytes=${TOPIC_MAX_MESSAGE_BYTES}`);
    expect(altered.error).toBeNull();
    const after = await admin('describe', TOPIC);
    expect(after.configs?.['retention.ms']).toMatchObject({ value: '2592000000', source: DYNAMIC_TOPIC_CONFIG, is_default: false });
    expect(after.configs?.['max.message.bytes']).toMatchObject({ value: TOPIC_MAX_MESSAGE_BYTES, source: DYNAMIC_TOPIC_CONFIG });

    // Legacy AlterConfigs replaces the topic's whole config set: keys left out go back to defaults.
    expect((await admin('alter', TOPIC, 'retention.ms=86400000')).error).toBeNull();
    const replaced = await admin('describe', TOPIC);
    expect(replaced.configs?.['retention.ms']).toMatchObject({ value: '86400000', source: DYNAMIC_TOPIC_CONFIG });
    expect(replaced.configs?.['max.message.bytes']).toMatchObject({ value: '1048588', source: DEFAULT_CONFIG, is_default: true });

    const invalid = await admin('alter', TOPIC, 'retention.ms=-5');
    expect(invalid.error?.code).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect(invalid.error?.str).toContain('retention.ms');
    const unchanged = await admin('describe', TOPIC);
    expect(unchanged.configs?.['retention.ms']?.value).toBe('86400000');
  });

  it('delete_topics removes the topic from list_topics; the name can be reused, empty', async () => {
    const deleted = await admin('delete', TOPIC);
    expect(deleted.error).toBeNull();
    expect(deleted.stillListed).toBe(false);
    expect(Object.keys((await admin('list')).topics ?? {})).not.toContain(TOPIC);
    // A new topic of the same name starts empty: nothing of the deleted one's log comes back.
    const recreated = await admin('create', TOPIC, '1');
    expect(recreated.error).toBeNull();
    expect(Object.keys(recreated.listed?.partitions ?? {})).toEqual(['0']);
    expect((await admin('watermarks', TOPIC, '1')).watermarks).toEqual({ '0': [0, 0] });
  });

  it('producing to an illegal topic name: metadata says INVALID_TOPIC_EXCEPTION and the delivery report fails', async () => {
    const { summary, code, stderr } = await runPythonClient<{ delivery: Delivery; metadataError: KafkaErr }>('rdkafka_errors.py', [broker.bootstrap, 'bad-topic', 'bad topic!'], 45_000);
    expect(code, stderr).toBe(0);
    expect(summary.metadataError.code).toBe(KafkaErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(summary.delivery.error?.code).toBe(KafkaErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(Object.keys((await admin('list')).topics ?? {})).not.toContain('bad topic!');
  });

  const metadataWithoutAutoCreate = async (...topics: string[]): Promise<Record<string, KafkaErr>> => {
    const { summary, code, stderr } = await runPythonClient<{ metadataErrors: Record<string, KafkaErr> }>('rdkafka_errors.py', [broker.bootstrap, 'metadata-no-create', ...topics], 45_000);
    expect(code, stderr).toBe(0);
    return summary.metadataErrors;
  };

  it('Metadata without auto-creation reports a legal but missing topic as UNKNOWN_TOPIC_OR_PARTITION and creates nothing', async () => {
    expect((await metadataWithoutAutoCreate('librdkafka-missing'))['librdkafka-missing']?.code).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(Object.keys((await admin('list')).topics ?? {})).not.toContain('librdkafka-missing');
  });

  // Kafka (KafkaApis.getTopicMetadata) validates the name before answering "unknown", so clients
  // fail fast (Java's partitionsFor("bad topic!") throws InvalidTopicException) instead of retrying
  // a retriable UNKNOWN_TOPIC_OR_PARTITION until their timeout.
  it('Metadata without auto-creation reports an illegal name as INVALID_TOPIC_EXCEPTION, as Kafka does', async () => {
    expect((await metadataWithoutAutoCreate('bad topic!'))['bad topic!']?.code).toBe(KafkaErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('CreateTopics refuses an existing name (TOPIC_ALREADY_EXISTS) and an unknown config key (INVALID_CONFIG)', async () => {
    expect((await admin('create', 'librdkafka-errors', '1')).error).toBeNull();
    const again = await admin('create', 'librdkafka-errors', '1');
    expect(again.error?.code).toBe(KafkaErrorCode.TOPIC_ALREADY_EXISTS);
    const badKey = await admin('create', 'librdkafka-bad-config', '1', 'no.such.config=1');
    expect(badKey.error?.code).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect(badKey.error?.str).toContain('no.such.config');
    expect(Object.keys((await admin('list')).topics ?? {})).not.toContain('librdkafka-bad-config');
  });

  it('a record above the topic max.message.bytes fails with MESSAGE_TOO_LARGE and is not written', async () => {
    expect((await admin('create', 'librdkafka-limit', '1')).error).toBeNull();
    const { summary, code, stderr } = await runPythonClient<{ under: Delivery; over: Delivery; after: Delivery; highWatermark: number }>(
      'rdkafka_errors.py',
      [broker.bootstrap, 'too-large', 'librdkafka-limit', '1048588'],
      45_000,
    );
    expect(code, stderr).toBe(0);
    expect(summary.under).toMatchObject({ error: null, offset: 0 });
    expect(summary.over.error?.code).toBe(KafkaErrorCode.MESSAGE_TOO_LARGE);
    expect(summary.after).toMatchObject({ error: null, offset: 1 });
    expect(summary.highWatermark).toBe(2);
  });
});
