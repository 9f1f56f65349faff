/** Stable codes of Parquet codec failures (they cross the worker boundary as strings). */
export const PARQUET_ERROR_CODES = ['INVALID_INPUT', 'INVALID_OPTIONS', 'CORRUPT_FILE', 'MISSING_RANGE', 'WORKER_FAILED', 'POOL_CLOSED'] as const;
export type ParquetErrorCode = (typeof PARQUET_ERROR_CODES)[number];

/** A Parquet encode/decode failure. None is retriable except WORKER_FAILED (a crashed worker). */
export class ParquetCodecError extends Error {
  override readonly name = 'ParquetCodecError';
  readonly code: ParquetErrorCode;
  readonly retriable: boolean;

  constructor(code: ParquetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retriable = code === 'WORKER_FAILED';
  }
}

export function isParquetCodecError(error: unknown): error is ParquetCodecError {
  return error instanceof ParquetCodecError;
}
