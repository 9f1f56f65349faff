import { availableParallelism } from 'node:os';
import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { Piscina } from 'piscina';
import { ParquetCodecError } from './errors.js';
import { asBuffer, ownedBytes, type ParquetJob, type ParquetJobInfo, type ParquetJobReply } from './job.js';
import { PARQUET_ATTRIBUTES as A, parquetInstruments, type ParquetInstruments } from './telemetry.js';
import { injectTraceCarrier } from './trace-context.js';
import {
  DEFAULT_PARQUET_WRITER,
  type ParquetCodec,
  type ParquetDecodeOptions,
  type ParquetDecodeResult,
  type ParquetEncodeOptions,
  type ParquetEncodeResult,
  type ParquetInput,
  type ParquetWriterName,
} from './types.js';

export interface ParquetWorkerPoolOptions {
  /** Worker threads (default min(2, cores): more does not help on 2 cores, see docs/parquet.md). */
  readonly threads?: number;
  /** Default writer for encode jobs (default {@link DEFAULT_PARQUET_WRITER}). */
  readonly writer?: ParquetWriterName;
  /** Jobs waiting beyond the running ones before `encode`/`decode` reject (default Infinity). */
  readonly maxQueue?: number;
  /** Milliseconds an idle worker stays alive above `threads` (they are all kept: min = max). */
  readonly idleTimeoutMs?: number;
}

/** A finished job's result plus where it ran. */
export type WithJobInfo<T> = T & { readonly job: ParquetJobInfo };

const WORKER_FILE = new URL('./parquet-worker.cjs', import.meta.url);

/**
 * Runs Parquet encode/decode in Piscina worker threads, so the event loop never encodes or decodes
 * Parquet itself. Each job gets a span (`parquet encode` / `parquet decode`) on the caller's side
 * whose context is injected into the job; the worker's span, if its thread has an SDK, is its child.
 * Jobs are counted and timed (`oxbow.parquet.*` metrics). Call {@link close} to stop the threads.
 */
export class ParquetWorkerPool implements ParquetCodec {
  readonly threads: number;
  readonly writer: ParquetWriterName;
  readonly #pool: Piscina<ParquetJob, ParquetJobReply>;
  readonly #telemetry: ParquetInstruments = parquetInstruments();
  #closed = false;

  constructor(options: ParquetWorkerPoolOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? Math.min(2, availableParallelism())));
    this.writer = options.writer ?? DEFAULT_PARQUET_WRITER;
    this.#pool = new Piscina<ParquetJob, ParquetJobReply>({
      filename: WORKER_FILE.href,
      minThreads: this.threads,
      maxThreads: this.threads,
      maxQueue: options.maxQueue ?? Infinity,
      idleTimeout: options.idleTimeoutMs ?? 60_000,
      name: 'default',
    });
  }

  /** Jobs waiting for a thread. */
  get queueSize(): number {
    return this.#pool.queueSize;
  }

  async encode(batches: Buffer, options: ParquetEncodeOptions = {}): Promise<WithJobInfo<ParquetEncodeResult>> {
    const writer = options.writer ?? this.writer;
    const attributes: Attributes = { [A.operation]: 'encode', [A.writer]: writer, [A.compression]: options.compression ?? 'snappy' };
    return this.#run('encode', attributes, batches.length, (carrier) => {
      const bytes = ownedBytes(batches);
      return [{ op: 'encode', batches: bytes, writer, options, carrier }, [bytes.buffer as ArrayBuffer]];
    }, (reply) => {
      if (reply.op !== 'encode') throw new ParquetCodecError('WORKER_FAILED', 'worker answered an encode with a decode');
      return { ...reply.result, file: asBuffer(reply.bytes), job: reply.info };
    });
  }

  async decode(input: ParquetInput, fromOffset: bigint, maxBytes: number, options: ParquetDecodeOptions = {}): Promise<WithJobInfo<ParquetDecodeResult>> {
    const attributes: Attributes = { [A.operation]: 'decode' };
    const inBytes = Buffer.isBuffer(input) ? input.length : input.ranges.reduce((n, r) => n + r.bytes.length, 0);
    return this.#run('decode', attributes, inBytes, (carrier) => {
      const transfer: ArrayBuffer[] = [];
      const own = (b: Buffer): Uint8Array => {
        const u = ownedBytes(b);
        transfer.push(u.buffer as ArrayBuffer);
        return u;
      };
      const wire = Buffer.isBuffer(input) ? own(input) : { fileSize: input.fileSize, ranges: input.ranges.map((r) => ({ offset: r.offset, bytes: own(r.bytes) })) };
      return [{ op: 'decode', input: wire, fromOffset, maxBytes, options, carrier }, transfer];
    }, (reply) => {
      if (reply.op !== 'decode') throw new ParquetCodecError('WORKER_FAILED', 'worker answered a decode with an encode');
      return { ...reply.result, batches: asBuffer(reply.bytes), job: reply.info };
    });
  }

  async #run<T extends { job: ParquetJobInfo }>(
    op: 'encode' | 'decode',
    attributes: Attributes,
    bytesIn: number,
    makeJob: (carrier: Record<string, string>) => [ParquetJob, ArrayBuffer[]],
    unwrap: (reply: Extract<ParquetJobReply, { ok: true }>) => T,
  ): Promise<T> {
    if (this.#closed) throw new ParquetCodecError('POOL_CLOSED', 'the Parquet worker pool is closed');
    const t = this.#telemetry;
    const span = t.tracer.startSpan(`parquet ${op}`, { kind: SpanKind.INTERNAL, attributes: { ...attributes, [A.bytesIn]: bytesIn } });
    const ctx = trace.setSpan(context.active(), span);
    const started = performance.now();
    let outcome = 'ok';
    try {
      const [job, transferList] = makeJob(injectTraceCarrier(ctx));
      let reply: ParquetJobReply;
      try {
        reply = await this.#pool.run(job, { transferList });
      } catch (error) {
        throw new ParquetCodecError('WORKER_FAILED', `Parquet worker failed: ${(error as Error).message}`, { cause: error });
      }
      span.setAttribute(A.threadId, reply.info.threadId);
      span.setAttribute(A.queueMs, Math.max(0, performance.now() - started - reply.info.workerMs));
      if (!reply.ok) throw new ParquetCodecError(reply.code, reply.message);
      const result = unwrap(reply);
      span.setAttribute(A.bytesOut, reply.bytes.byteLength);
      if ('rows' in result && typeof result.rows === 'number') span.setAttribute(A.rows, result.rows);
      t.bytes.add(bytesIn, { ...attributes, direction: 'in' });
      t.bytes.add(reply.bytes.byteLength, { ...attributes, direction: 'out' });
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (error) {
      outcome = 'error';
      const code = error instanceof ParquetCodecError ? error.code : 'WORKER_FAILED';
      span.setAttribute(A.errorCode, code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      t.jobs.add(1, { ...attributes, [A.outcome]: outcome });
      t.duration.record((performance.now() - started) / 1000, { ...attributes, [A.outcome]: outcome });
      span.end();
    }
  }

  /** Waits for running and queued jobs, then stops the threads. Later calls reject with POOL_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }
}
