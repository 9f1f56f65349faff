/**
 * Piscina worker: runs Parquet encode/decode jobs off the event loop. Loaded through
 * parquet-worker.mjs, which makes TypeScript sources importable in the worker thread.
 */
import { threadId } from 'node:worker_threads';
import { ROOT_CONTEXT, propagation, trace, SpanStatusCode, type Context } from '@opentelemetry/api';
import { ParquetCodecError } from './errors.js';
import { InThreadParquetCodec } from './in-thread-codec.js';
import { asBuffer, ownedBytes, type ParquetJob, type ParquetJobInfo, type ParquetJobReply, type TraceCarrier } from './job.js';
import { TELEMETRY_SCOPE_PARQUET } from './telemetry.js';
import { extractTraceparent } from './trace-context.js';

const codec = new InThreadParquetCodec();
const tracer = trace.getTracer(TELEMETRY_SCOPE_PARQUET);

function parentContext(carrier: TraceCarrier): Context {
  const ctx = propagation.extract(ROOT_CONTEXT, carrier);
  if (trace.getSpanContext(ctx) !== undefined) return ctx;
  const fallback = extractTraceparent(carrier);
  return fallback === undefined ? ctx : trace.setSpanContext(ctx, fallback);
}

export default async function runParquetJob(job: ParquetJob): Promise<ParquetJobReply> {
  const started = performance.now();
  const parent = parentContext(job.carrier);
  const parentSpan = trace.getSpanContext(parent);
  const info = (): ParquetJobInfo => ({
    threadId,
    workerMs: performance.now() - started,
    traceId: parentSpan?.traceId ?? '',
    parentSpanId: parentSpan?.spanId ?? '',
  });
  // A child of the caller's span; recorded only if the worker thread has an SDK installed.
  const span = tracer.startSpan(`parquet ${job.op} (worker)`, { attributes: { 'oxbow.parquet.thread_id': threadId } }, parent);
  try {
    if (job.op === 'encode') {
      const { file, ...result } = await codec.encode(asBuffer(job.batches), { ...job.options, writer: job.options.writer ?? job.writer });
      return { ok: true, op: 'encode', result, bytes: ownedBytes(file), info: info() };
    }
    const input = job.input instanceof Uint8Array ? asBuffer(job.input) : { fileSize: job.input.fileSize, ranges: job.input.ranges.map((r) => ({ offset: r.offset, bytes: asBuffer(r.bytes) })) };
    const { batches, ...result } = await codec.decode(input, job.fromOffset, job.maxBytes, job.options);
    return { ok: true, op: 'decode', result, bytes: ownedBytes(batches), info: info() };
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    const code = error instanceof ParquetCodecError ? error.code : 'CORRUPT_FILE';
    return { ok: false, code, message: error instanceof Error ? error.message : String(error), info: info() };
  } finally {
    span.end();
  }
}
