import type { ParquetErrorCode } from './errors.js';
import type { ParquetDecodeOptions, ParquetDecodeResult, ParquetEncodeOptions, ParquetEncodeResult, ParquetWriterName } from './types.js';

/** Trace context carried into the worker (W3C `traceparent`/`tracestate` and whatever the propagator adds). */
export type TraceCarrier = Record<string, string>;

/** A job as posted to a worker. Byte arrays arrive as Uint8Array (structured clone drops Buffer). */
export type ParquetJob =
  | { readonly op: 'encode'; readonly batches: Uint8Array; readonly writer: ParquetWriterName; readonly options: ParquetEncodeOptions; readonly carrier: TraceCarrier }
  | {
      readonly op: 'decode';
      readonly input: Uint8Array | { readonly fileSize: number; readonly ranges: readonly { readonly offset: number; readonly bytes: Uint8Array }[] };
      readonly fromOffset: bigint;
      readonly maxBytes: number;
      readonly options: ParquetDecodeOptions;
      readonly carrier: TraceCarrier;
    };

/** Where and how a job ran (returned with every reply; tests and metrics use it). */
export interface ParquetJobInfo {
  readonly threadId: number;
  /** Time spent in the worker, milliseconds. */
  readonly workerMs: number;
  /** Trace and parent span ids the worker extracted from the carrier ('' when none). */
  readonly traceId: string;
  readonly parentSpanId: string;
}


export type ParquetJobReply =
  | { readonly ok: true; readonly op: 'encode'; readonly result: Omit<ParquetEncodeResult, 'file'>; readonly bytes: Uint8Array; readonly info: ParquetJobInfo }
  | { readonly ok: true; readonly op: 'decode'; readonly result: Omit<ParquetDecodeResult, 'batches'>; readonly bytes: Uint8Array; readonly info: ParquetJobInfo }
  | { readonly ok: false; readonly code: ParquetErrorCode; readonly message: string; readonly info: ParquetJobInfo };

/** A Buffer as an exact-size Uint8Array that owns its memory (safe to transfer, no pool slab copied). */
export function ownedBytes(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !(b.buffer instanceof SharedArrayBuffer) && !Buffer.isBuffer(b) ? b : new Uint8Array(b);
}

export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
