/**
 * Codec micro-benchmark: `npm run bench -w packages/protocol`. Prints a Markdown table and writes
 * JSON + Markdown under bench-results/. Figures are throughput on this machine in this run; compare
 * ratios, not absolute numbers, across machines.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Produce } from '../src/apis/produce.js';
import { lookupApi } from '../src/apis/registry.js';
import { compress, decompress, type CompressionName } from '../src/compression/codecs.js';
import { decodeRequestFrame, encodeRequestFrame } from '../src/framing.js';
import { scanBatches } from '../src/records/batch-view.js';
import { crc32c } from '../src/records/crc32c.js';
import { encodeRecordBatch } from '../src/records/record-batch.js';

interface Result {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly goal?: string;
}

/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns iterations per second. */
function rate(fn: () => void, ms = 1500): number {
  const warm = performance.now();
  while (performance.now() - warm < 200) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 16; i++) fn();
    n += 16;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

/** A plain table-driven CRC32C in JS, to show what the native one buys. */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();
function crc32cJs(buf: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = (TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const MiB = 1024 * 1024;
const results: Result[] = [];

// 1 MiB batches of 1 KiB records (uncompressed, as most produce traffic is scanned).
const oneKiB = Buffer.alloc(1000, 7);
const batch = await encodeRecordBatch({
  records: Array.from({ length: 1000 }, (_, i) => ({ timestamp: 1_700_000_000_000n + BigInt(i), key: Buffer.from(`key-${i}`), value: oneKiB })),
});
const batches = Buffer.concat(Array.from({ length: Math.ceil(MiB / batch.length) }, () => batch));
if (crc32cJs(batch.subarray(21)) !== crc32c(batch.subarray(21))) throw new Error('CRC implementations disagree');

const scanRate = rate(() => {
  for (const v of scanBatches(batches, { verifyCrc: true })) if (v.recordsCount !== 1000) throw new Error('bad batch');
});
results.push({ name: 'batch scan + CRC32C verify (native), 1 MiB of batches', value: (scanRate * batches.length) / MiB, unit: 'MiB/s', goal: '>= 1000' });
const headerRate = rate(() => {
  for (const v of scanBatches(batches)) if (v.baseOffset < 0n || v.producerId > 0n) throw new Error('bad batch');
});
const batchCount = scanBatches(batches).length;
results.push({ name: 'batch header parse only (no CRC, records untouched)', value: headerRate * batchCount, unit: 'batches/s' });
const nativeCrc = rate(() => crc32c(batches));
results.push({ name: 'CRC32C native (@node-rs/crc32)', value: (nativeCrc * batches.length) / MiB, unit: 'MiB/s' });
const jsCrc = rate(() => crc32cJs(batches), 800);
results.push({ name: 'CRC32C table-driven JS (for comparison)', value: (jsCrc * batches.length) / MiB, unit: 'MiB/s' });

// Produce request decode: v9 (flexible), one topic, 8 partitions of 16 KiB batches each.
const small = await encodeRecordBatch({
  records: Array.from({ length: 16 }, (_, i) => ({ timestamp: 1_700_000_000_000n + BigInt(i), key: null, value: oneKiB })),
});
const produceFrame = Buffer.concat(
  encodeRequestFrame(Produce, { apiVersion: 9, correlationId: 1, clientId: 'bench' }, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: 'events', partitionData: Array.from({ length: 8 }, (_, index) => ({ index, records: small })) }],
  }),
).subarray(4);
const produceRate = rate(() => {
  const req = decodeRequestFrame(produceFrame, lookupApi);
  if (req.header.apiKey !== 0) throw new Error('bad decode');
});
results.push({ name: `Produce v9 decode (8 partitions × ${small.length} B)`, value: produceRate, unit: 'requests/s' });
results.push({ name: 'Produce v9 decode, payload rate', value: (produceRate * produceFrame.length) / MiB, unit: 'MiB/s' });

// Compression: native bindings (what the codec uses) against pure-JS alternatives, on ~1 MiB of
// JSON-like record values (compressible the way real event payloads are).
const require = createRequire(import.meta.url);
const snappyjs = require('snappyjs') as { compress(b: Uint8Array): Uint8Array; uncompress(b: Uint8Array): Uint8Array };
const lz4js = require('lz4js') as { compress(b: Uint8Array): Uint8Array; decompress(b: Uint8Array): Uint8Array };
const fzstd = require('fzstd') as { decompress(b: Uint8Array): Uint8Array };
const payload = Buffer.from(
  Array.from({ length: 6000 }, (_, i) => JSON.stringify({ id: i, user: `user-${i % 97}`, action: ['view', 'click', 'buy'][i % 3], amount: (i * 7.31) % 1000, at: 1_700_000_000_000 + i })).join('\n'),
);
async function asyncRate(fn: () => Promise<unknown>, ms = 1000): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}
const mibOf = (perSecond: number): number => (perSecond * payload.length) / MiB;
for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const satisfies readonly CompressionName[]) {
  const packed = await compress(codec, payload);
  results.push({ name: `${codec} compress (native), ratio ${(payload.length / packed.length).toFixed(1)}`, value: mibOf(await asyncRate(() => compress(codec, payload))), unit: 'MiB/s' });
  results.push({ name: `${codec} decompress (native)`, value: mibOf(await asyncRate(() => decompress(codec, packed))), unit: 'MiB/s' });
}
const rawSnappy = snappyjs.compress(payload);
results.push({ name: 'snappy compress (snappyjs, pure JS)', value: mibOf(rate(() => snappyjs.compress(payload), 1000)), unit: 'MiB/s' });
results.push({ name: 'snappy decompress (snappyjs, pure JS)', value: mibOf(rate(() => snappyjs.uncompress(rawSnappy), 1000)), unit: 'MiB/s' });
const lz4Frame = lz4js.compress(payload);
results.push({ name: 'lz4 compress (lz4js, pure JS)', value: mibOf(rate(() => lz4js.compress(payload), 1000)), unit: 'MiB/s' });
results.push({ name: 'lz4 decompress (lz4js, pure JS)', value: mibOf(rate(() => lz4js.decompress(lz4Frame), 1000)), unit: 'MiB/s' });
const zstdFrame = await compress('zstd', payload);
results.push({ name: 'zstd decompress (fzstd, pure JS)', value: mibOf(rate(() => fzstd.decompress(zstdFrame), 1000)), unit: 'MiB/s' });

const md = [
  '| measurement | value | unit | goal |',
  '|---|---:|---|---|',
  ...results.map((r) => `| ${r.name} | ${r.value.toFixed(r.value < 100 ? 2 : 0)} | ${r.unit} | ${r.goal ?? ''} |`),
].join('\n');
console.log(md);
const dir = join(import.meta.dirname, '..', '..', '..', 'bench-results');
mkdirSync(dir, { recursive: true });
const meta = { node: process.version, date: new Date().toISOString(), cpus: (await import('node:os')).cpus().length };
writeFileSync(join(dir, 'protocol-codec.json'), JSON.stringify({ ...meta, results }, null, 2));
writeFileSync(join(dir, 'protocol-codec.md'), `# Protocol codec benchmark\n\n${JSON.stringify(meta)}\n\n${md}\n`);
