/**
 * What went wrong while decoding or encoding bytes. Stable string codes, so callers can branch
 * without parsing messages.
 */
export const PROTOCOL_ERROR_CODES = [
  'TRUNCATED',
  'NEGATIVE_LENGTH',
  'FRAME_TOO_LARGE',
  'VARINT_OVERFLOW',
  'INVALID_UTF8',
  'ARRAY_TOO_LONG',
  'UNKNOWN_API',
  'UNSUPPORTED_VERSION',
  'CORRUPT_RECORD',
  'CRC_MISMATCH',
  'UNSUPPORTED_MAGIC',
  'UNSUPPORTED_COMPRESSION',
  'INVALID_VALUE',
  'TRAILING_BYTES',
] as const;

export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

/** Kafka error code (see `KAFKA_ERRORS`) a broker should answer with for each protocol failure. */
const KAFKA_CODE_FOR: Readonly<Record<ProtocolErrorCode, number>> = {
  TRUNCATED: 42, // INVALID_REQUEST
  NEGATIVE_LENGTH: 42,
  FRAME_TOO_LARGE: 42,
  VARINT_OVERFLOW: 42,
  INVALID_UTF8: 42,
  ARRAY_TOO_LONG: 42,
  UNKNOWN_API: 42,
  UNSUPPORTED_VERSION: 35, // UNSUPPORTED_VERSION
  CORRUPT_RECORD: 2, // CORRUPT_MESSAGE
  CRC_MISMATCH: 2,
  UNSUPPORTED_MAGIC: 35,
  UNSUPPORTED_COMPRESSION: 76, // UNSUPPORTED_COMPRESSION_TYPE
  INVALID_VALUE: 42,
  TRAILING_BYTES: 42,
};

/**
 * The only error the codec throws for bad input. `offset` is the byte position in the buffer
 * being decoded where the problem was found; `path` names the field (e.g.
 * `topicData[0].partitionData[2].records`) when known.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly offset: number;
  readonly path: string;

  constructor(code: ProtocolErrorCode, detail: string, offset = -1, path = '', options?: { cause?: unknown }) {
    super(ProtocolError.format(code, detail, offset, path), options);
    this.code = code;
    this.offset = offset;
    this.path = path;
    this.detail = detail;
  }

  readonly detail: string;

  /** The Kafka error code a broker answers with when this error comes from a client's request. */
  get kafkaErrorCode(): number {
    return KAFKA_CODE_FOR[this.code];
  }

  /** The same error with `segment` prepended to its field path. */
  within(segment: string): ProtocolError {
    const path = this.path === '' ? segment : this.path.startsWith('[') ? `${segment}${this.path}` : `${segment}.${this.path}`;
    return new ProtocolError(this.code, this.detail, this.offset, path, { cause: this.cause });
  }

  private static format(code: ProtocolErrorCode, detail: string, offset: number, path: string): string {
    const where = [path === '' ? undefined : `at ${path}`, offset < 0 ? undefined : `byte ${offset}`]
      .filter((s) => s !== undefined)
      .join(', ');
    return where === '' ? `${code}: ${detail}` : `${code}: ${detail} (${where})`;
  }
}

/** Re-throws anything thrown by `fn` as a ProtocolError whose path starts with `segment`. */
export function withPath<T>(segment: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ProtocolError) throw err.within(segment);
    throw err;
  }
}
