import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRecordBatch, encodeRecordBatch, scanBatches, type KafkaRecord, type RecordBatchInput } from '@oxbow/protocol';
import { afterEach, expect } from 'vitest';
import { DEFAULT_LOG_CONFIG, openLogFile, type AppendBatchesInfo, type LogConfig, type LogFile, type OpenLogFile, type PartitionLog } from '../../src/index.js';

/** Small segments and dense indexes so tests exercise rolling and index lookups. */
export const TEST_CONFIG: LogConfig = {
  ...DEFAULT_LOG_CONFIG,
  segmentBytes: 4096,
  indexIntervalBytes: 256,
  retentionMs: -1,
  fileDeleteDelayMs: 0,
};

const dirs: string[] = [];

/** A fresh directory under the OS temp dir, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oxbow-log-'));
  dirs.push(dir);
  return join(dir, 'topic-0');
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

export interface TestRecord {
  readonly key?: string | null;
  readonly value?: string | null;
  readonly timestamp: bigint;
}

export function recordsOf(n: number, timestamp: bigint, prefix = 'v'): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}${i}`, timestamp }));
}

const buf = (s: string | null | undefined): Buffer | null => (s === null || s === undefined ? null : Buffer.from(s));

/** Encodes `records` as one batch at `baseOffset` and the AppendBatchesInfo describing it. */
export async function makeBatch(baseOffset: bigint, records: readonly TestRecord[], extra: Partial<RecordBatchInput> = {}): Promise<{ bytes: Buffer; info: AppendBatchesInfo }> {
  const bytes = await encodeRecordBatch({
    baseOffset,
    records: records.map((r) => ({ key: buf(r.key), value: buf(r.value), timestamp: r.timestamp })),
    ...extra,
  });
  const [view] = scanBatches(bytes);
  const lastOffset = view?.lastOffset ?? baseOffset;
  let maxTimestamp = -1n;
  let offsetOfMaxTimestamp = -1n;
  records.forEach((r, i) => {
    if (r.timestamp > maxTimestamp) {
      maxTimestamp = r.timestamp;
      offsetOfMaxTimestamp = baseOffset + BigInt(i);
    }
  });
  return { bytes, info: { firstOffset: baseOffset, lastOffset, maxTimestamp, offsetOfMaxTimestamp, recordCount: records.length } };
}

/** Appends one batch at the log end; returns its first and last offsets. */
export async function appendRecords(log: PartitionLog, records: readonly TestRecord[], extra: Partial<RecordBatchInput> = {}): Promise<AppendBatchesInfo> {
  const { bytes, info } = await makeBatch(log.logEndOffset, records, extra);
  await log.append(bytes, info);
  return info;
}

/** Decodes every batch of a read, verifying CRCs. */
export async function decodeAll(bytes: Buffer): Promise<KafkaRecord[]> {
  const out: KafkaRecord[] = [];
  for (const view of scanBatches(bytes, { verifyCrc: true })) out.push(...(await decodeRecordBatch(view)).records);
  return out;
}

/** Every record from the log start, read in small pieces to cross segment boundaries. */
export async function readAll(log: PartitionLog, maxBytes = 1000): Promise<KafkaRecord[]> {
  const out: KafkaRecord[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = await log.read(offset, { maxBytes, minOneBatch: true });
    if (records.length === 0) break;
    const views = scanBatches(records, { verifyCrc: true });
    for (const view of views) out.push(...(await decodeRecordBatch(view)).records.filter((r) => r.offset >= offset));
    const last = views[views.length - 1];
    if (last === undefined) break;
    offset = last.lastOffset + 1n;
  }
  return out;
}

export const text = (b: Buffer | null): string | null => (b === null ? null : b.toString());

/** Polls `check` until it holds (for background file deletion, timers); no timing assertion. */
export async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

/** Wraps the real files: counts fsyncs and can fail writes (after writing half) or fsyncs. */
export class TestFaultyFiles {
  syncs = 0;
  failWrites = false;
  failSyncs = false;
  /** Awaited before each open: lets a test hold an operation at a known point. */
  beforeOpen: (path: string) => Promise<void> = () => Promise.resolve();
  readonly open: OpenLogFile = async (path, mode) => {
    await this.beforeOpen(path);
    return this.#wrap(path, await openLogFile(path, mode));
  };

  #wrap(path: string, file: LogFile): LogFile {
    const fault = (): Error => Object.assign(new Error(`injected ENOSPC on ${path}`), { code: 'ENOSPC' });
    return {
      read: (b, o, l, p) => file.read(b, o, l, p),
      write: async (b, o, l, p) => {
        if (!this.failWrites) return file.write(b, o, l, p);
        if (l > 1) await file.write(b, o, Math.floor(l / 2), p);
        throw fault();
      },
      sync: async () => {
        if (this.failSyncs) throw fault();
        this.syncs++;
        await file.sync();
      },
      truncate: (l) => file.truncate(l),
      stat: () => file.stat(),
      close: () => file.close(),
    };
  }
}

/** What a test appended, to check lookups against. */
export interface Appended {
  readonly first: bigint;
  readonly last: bigint;
  readonly records: readonly { offset: bigint; timestamp: bigint }[];
}

/** Kafka's ListOffsets by timestamp, by brute force: the first record (in offset order) with timestamp ≥ target. */
function bruteForceTimestamp(batches: readonly Appended[], target: bigint): { offset: bigint; timestamp: bigint } | null {
  for (const b of batches) for (const r of b.records) if (r.timestamp >= target) return r;
  return null;
}

function bruteForceMax(batches: readonly Appended[]): { offset: bigint; timestamp: bigint } | null {
  let best: { offset: bigint; timestamp: bigint } | null = null;
  for (const b of batches) for (const r of b.records) if (best === null || r.timestamp > best.timestamp) best = r;
  return best;
}

/** Reads at each batch's first and last offset, offsetForTimestamp at `probes` and maxTimestamp agree with a brute-force scan. */
export async function checkLookups(log: PartitionLog, batches: readonly Appended[], probes: readonly bigint[]): Promise<void> {
  for (const b of batches) {
    for (const offset of [b.first, b.last]) {
      const [view] = scanBatches((await log.read(offset, { maxBytes: 1, minOneBatch: true })).records);
      expect(view?.baseOffset).toBe(b.first);
    }
  }
  for (const t of probes) expect(await log.offsetForTimestamp(t)).toEqual(bruteForceTimestamp(batches, t));
  expect(log.maxTimestamp()).toEqual(bruteForceMax(batches));
}
