/**
 * Parquet codec benchmark: each writer on the same data (100k records, 1 KiB values, batches of
 * 500), encoded in one worker (per-worker MB/s and rows/s), decoded back to record batches in one
 * worker, file size, and the event-loop delay p99 on the main thread while the worker encodes.
 * Then the default writer on 2 workers at once (two partitions), the most that helps on 2 cores.
 * Prints a Markdown table and writes bench-results/parquet.{md,json} at the repo root.
 *
 *   npm run bench -w packages/storage        (bounded: well under a minute)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { encodeRecordBatch } from '@oxbow/protocol';
import { DEFAULT_PARQUET_WRITER, ParquetWorkerPool, type ParquetCompression, type ParquetWriterName } from '../src/index.js';

const RECORDS = Number(process.env.OXBOW_BENCH_PARQUET_RECORDS ?? 100_000);
const VALUE_BYTES = 1024;
const PER_BATCH = 500;
const LOOP_RESOLUTION_MS = 1;

/** Deterministic values, half random bytes and half repeated text (compresses about 2:1, like JSON events). */
function makeValue(seed: number): Buffer {
  const v = Buffer.alloc(VALUE_BYTES);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < VALUE_BYTES / 2; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v[i] = x & 0xff;
  }
  v.write(`{"event":"page_view","user":${seed % 9973},"path":"/products/${seed % 211}"}`.repeat(8), VALUE_BYTES / 2, 'utf8');
  return v;
}

async function makeBatches(records: number, firstOffset: bigint): Promise<Buffer> {
  const out: Buffer[] = [];
  for (let base = 0; base < records; base += PER_BATCH) {
    const n = Math.min(PER_BATCH, records - base);
    out.push(
      await encodeRecordBatch({
        baseOffset: firstOffset + BigInt(base),
        producerId: 42n,
        producerEpoch: 0,
        baseSequence: base,
        records: Array.from({ length: n }, (_, i) => ({
          timestamp: 1_700_000_000_000n + BigInt(base + i),
          key: Buffer.from(`user-${(base + i) % 9973}`),
          value: makeValue(base + i),
          headers: i % 10 === 0 ? [{ key: 'trace', value: Buffer.from('00-abc') }] : [],
        })),
      }),
    );
  }
  return Buffer.concat(out);
}

interface Row {
  writer: ParquetWriterName;
  compression: ParquetCompression;
  threads: number;
  records: number;
  inputMB: number;
  encodeSeconds: number;
  encodeMBps: number;
  encodeRowsPerSec: number;
  fileMB: number;
  decodeSeconds: number | null;
  decodeMBps: number | null;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const mb = (n: number): number => n / 1e6;
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

async function measureWriter(writer: ParquetWriterName, compression: ParquetCompression, input: Buffer, records: number): Promise<Row> {
  const pool = new ParquetWorkerPool({ threads: 1, writer });
  try {
    await pool.encode(input.subarray(0, firstBatchesEnd(input)), { compression }); // warm the worker
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const t0 = performance.now();
    const encoded = await pool.encode(input, { compression });
    const encodeSeconds = (performance.now() - t0) / 1000;
    loop.disable();
    const workerSeconds = encoded.job.workerMs / 1000;
    const d0 = performance.now();
    const decoded = await pool.decode(encoded.file, 0n, Number.MAX_SAFE_INTEGER, { batchCompression: 'none' });
    const decodeSeconds = (performance.now() - d0) / 1000;
    if (decoded.batches.length !== input.length) throw new Error(`${writer}: decoded ${decoded.batches.length} bytes, encoded ${input.length}`);
    return {
      writer,
      compression,
      threads: 1,
      records,
      inputMB: round(mb(input.length)),
      encodeSeconds: round(encodeSeconds, 2),
      encodeMBps: round(mb(input.length) / workerSeconds),
      encodeRowsPerSec: Math.round(records / workerSeconds),
      fileMB: round(mb(encoded.file.length)),
      decodeSeconds: round(decodeSeconds, 2),
      decodeMBps: round(mb(decoded.batches.length) / (decoded.job.workerMs / 1000)),
      // The histogram samples every LOOP_RESOLUTION_MS: its values include that interval.
      loopDelayP99Ms: round(loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS, 1),
      loopDelayMaxMs: round(loop.max / 1e6 - LOOP_RESOLUTION_MS, 1),
    };
  } finally {
    await pool.close();
  }
}

/** End of the first few batches (a small warm-up input made of whole batches). */
function firstBatchesEnd(input: Buffer): number {
  let pos = 0;
  for (let i = 0; i < 4 && pos < input.length; i++) pos += input.readInt32BE(pos + 8) + 12;
  return pos;
}

async function measureTwoWorkers(writer: ParquetWriterName, compression: ParquetCompression, a: Buffer, b: Buffer, records: number): Promise<Row> {
  const pool = new ParquetWorkerPool({ threads: 2, writer });
  try {
    await Promise.all([pool.encode(a.subarray(0, firstBatchesEnd(a))), pool.encode(b.subarray(0, firstBatchesEnd(b)))]);
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const t0 = performance.now();
    const [ea, eb] = await Promise.all([pool.encode(a, { compression }), pool.encode(b, { compression })]);
    const seconds = (performance.now() - t0) / 1000;
    loop.disable();
    const bytes = a.length + b.length;
    return {
      writer,
      compression,
      threads: 2,
      records: records * 2,
      inputMB: round(mb(bytes)),
      encodeSeconds: round(seconds, 2),
      encodeMBps: round(mb(bytes) / seconds),
      encodeRowsPerSec: Math.round((records * 2) / seconds),
      fileMB: round(mb(ea.file.length + eb.file.length)),
      decodeSeconds: null,
      decodeMBps: null,
      loopDelayP99Ms: round(loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS, 1),
      loopDelayMaxMs: round(loop.max / 1e6 - LOOP_RESOLUTION_MS, 1),
    };
  } finally {
    await pool.close();
  }
}

function markdown(rows: readonly Row[], meta: Record<string, string | number>): string {
  const lines = [
    '# Parquet codec benchmark',
    '',
    `${meta.records} records, ${VALUE_BYTES} B values, batches of ${PER_BATCH} (uncompressed Kafka batches in); Node ${meta.node}, ${meta.cpus} × ${meta.cpu}; ${meta.date}.`,
    'Encode/decode MB/s are per worker (time inside the worker) except on the 2-thread row, which is wall clock for both jobs. MB are of Kafka record batches in (encode) and out (decode).',
    `Event-loop delay: main-thread \`monitorEventLoopDelay\` (${LOOP_RESOLUTION_MS} ms resolution, interval subtracted) while the worker encodes.`,
    '',
    '| writer | compression | threads | encode MB/s | encode rows/s | decode MB/s | file MB | input MB | event-loop p99 ms | max ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.writer} | ${r.compression} | ${r.threads} | ${r.encodeMBps} | ${r.encodeRowsPerSec.toLocaleString('en-US')} | ${r.decodeMBps ?? '–'} | ${r.fileMB} | ${r.inputMB} | ${r.loopDelayP99Ms} | ${r.loopDelayMaxMs} |`),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const records = RECORDS;
  const input = await makeBatches(records, 0n);
  const rows: Row[] = [];
  const plan: [ParquetWriterName, ParquetCompression][] = [
    ['hyparquet-writer', 'snappy'],
    ['hyparquet-writer', 'gzip'],
    ['hyparquet-writer', 'none'],
    ['parquetjs-lite', 'snappy'],
  ];
  for (const [writer, compression] of plan) {
    // parquetjs-lite at ~10 MB/s: a quarter of the data keeps the run bounded; MB/s is per MB anyway.
    const n = writer === 'parquetjs-lite' ? Math.floor(records / 4) : records;
    const data = n === records ? input : input.subarray(0, batchesEndFor(input, n));
    rows.push(await measureWriter(writer, compression, data, n));
    console.error(`${writer}/${compression}: done (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  const second = await makeBatches(records, 0n);
  rows.push(await measureTwoWorkers(DEFAULT_PARQUET_WRITER, 'snappy', input, second, records));

  const meta = { records, node: process.versions.node, cpus: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', date: new Date().toISOString(), seconds: round((performance.now() - started) / 1000) };
  const md = markdown(rows, meta);
  console.log(md);
  const root = fileURLToPath(new URL('../../../bench-results/', import.meta.url));
  await mkdir(root, { recursive: true });
  await writeFile(`${root}parquet.md`, md);
  await writeFile(`${root}parquet.json`, `${JSON.stringify({ meta: { ...meta, valueBytes: VALUE_BYTES, perBatch: PER_BATCH, defaultWriter: DEFAULT_PARQUET_WRITER }, rows }, null, 2)}\n`);
}

/** Byte length of the batches holding the first `records` records (whole batches). */
function batchesEndFor(input: Buffer, records: number): number {
  let pos = 0;
  let seen = 0;
  while (pos < input.length && seen < records) {
    seen += input.readInt32BE(pos + 57);
    pos += input.readInt32BE(pos + 8) + 12;
  }
  return pos;
}

await main();
