import { monitorEventLoopDelay } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { encodeRecordBatch } from '@oxbow/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetWorkerPool, PARQUET_ATTRIBUTES } from '../../src/index.js';
import { decodeAll } from './helpers.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** A tracer that records started spans and gives each a fixed, valid context (test double). */
class TestTracer {
  readonly started: { name: string; attributes: Record<string, unknown>; ended: boolean }[] = [];
  startSpan(name: string, options?: { attributes?: Record<string, unknown> }): Span {
    const rec = { name, attributes: { ...options?.attributes }, ended: false };
    this.started.push(rec);
    const span = {
      spanContext: () => ({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }),
      setAttribute: (k: string, v: unknown) => {
        rec.attributes[k] = v;
        return span;
      },
      setStatus: () => span,
      end: () => {
        rec.ended = true;
      },
      isRecording: () => true,
    };
    return span as unknown as Span;
  }
}

/** 40k records of 1 KiB values (~41 MB of batches): long enough to watch the event loop. */
async function largeInput(batches = 40, perBatch = 1000): Promise<Buffer> {
  const out: Buffer[] = [];
  for (let b = 0; b < batches; b++) {
    const records = Array.from({ length: perBatch }, (_, i) => ({ timestamp: 1_700_000_000_000n + BigInt(i), key: Buffer.from(`key-${b}-${i}`), value: Buffer.alloc(1024, (b * 7 + i) & 0xff) }));
    out.push(await encodeRecordBatch({ baseOffset: BigInt(b * perBatch), records, producerId: 9n, producerEpoch: 1, baseSequence: b * perBatch }));
  }
  return Buffer.concat(out);
}

describe('ParquetWorkerPool', () => {
  const tracer = new TestTracer();
  let pool: ParquetWorkerPool;

  beforeAll(() => {
    trace.setGlobalTracerProvider({ getTracer: () => tracer as unknown as Tracer });
    pool = new ParquetWorkerPool({ threads: 2 });
  });
  afterAll(async () => {
    await pool.close();
    trace.disable();
  });

  it('encodes and decodes in worker threads, with the caller span as the worker parent', async () => {
    const input = await largeInput(2, 100);
    const encoded = await pool.encode(input);
    expect(encoded.job.threadId).not.toBe(threadId);
    expect(encoded.rows).toBe(200);
    expect(encoded.job.traceId).toBe(TRACE_ID);
    expect(encoded.job.parentSpanId).toBe(SPAN_ID);
    const decoded = await pool.decode(encoded.file, 0n, 1 << 30);
    expect(decoded.job.threadId).not.toBe(threadId);
    expect(decoded.batches.equals(input)).toBe(true);
    const spans = tracer.started.filter((s) => s.name.startsWith('parquet '));
    expect(spans.map((s) => s.name)).toEqual(['parquet encode', 'parquet decode']);
    expect(spans.every((s) => s.ended)).toBe(true);
    expect(spans[0]?.attributes[PARQUET_ATTRIBUTES.rows]).toBe(200);
    expect(spans[0]?.attributes[PARQUET_ATTRIBUTES.threadId]).toBe(encoded.job.threadId);
  });

  it('decodes from fetched ranges in a worker and maps worker errors to codes', async () => {
    const input = await largeInput(3, 50);
    const encoded = await pool.encode(input, { rowGroupBytes: 20_000 });
    expect(encoded.rowGroups.length).toBe(3);
    const rg = encoded.rowGroups[1]!;
    const ranges = [rg.range, encoded.footer].map((r) => ({ offset: r.offset, bytes: encoded.file.subarray(r.offset, r.offset + r.length) }));
    const decoded = await pool.decode({ fileSize: encoded.file.length, ranges }, 60n, 1 << 20);
    const batches = await decodeAll(decoded.batches);
    expect(batches.map((b) => b.baseOffset)).toEqual([50n]);
    expect(decoded.endOfFile).toBe(false);
    await expect(pool.encode(Buffer.from('garbage garbage garbage garbage'))).rejects.toMatchObject({ name: 'ParquetCodecError', code: 'INVALID_INPUT' });
    await expect(pool.decode({ fileSize: encoded.file.length, ranges: [] }, 0n, 10)).rejects.toMatchObject({ code: 'MISSING_RANGE' });
  });

  it('keeps the event loop responsive while a worker encodes ~41 MB', async () => {
    const input = await largeInput();
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const started = performance.now();
    const encoded = await context.with(context.active(), () => pool.encode(input));
    const seconds = (performance.now() - started) / 1000;
    histogram.disable();
    const p99 = histogram.percentile(99) / 1e6;
    console.log(`pool encode of ${(input.length / 1e6).toFixed(1)} MB: ${seconds.toFixed(2)} s, event-loop delay p99 ${p99.toFixed(1)} ms (incl. the 10 ms sampling interval), max ${(histogram.max / 1e6).toFixed(1)} ms`);
    expect(encoded.rows).toBe(40_000);
    // Generous: an encode on this thread would block it for the whole encode (seconds).
    expect(p99).toBeLessThan(Math.max(250, seconds * 1000 * 0.5));
  });

  it('rejects jobs after close', async () => {
    const p = new ParquetWorkerPool({ threads: 1 });
    await p.close();
    await expect(p.encode(await largeInput(1, 1))).rejects.toMatchObject({ code: 'POOL_CLOSED' });
  });
});
