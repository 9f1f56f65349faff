/**
 * Object store failures as one error type with stable string codes (STYLE §4–5). Messages name the
 * operation, the store (bucket or directory) and the key — never a credential.
 */

/** code → whether retrying the same call may succeed. */
export const OBJECT_STORE_ERROR_CODES = {
  'not-found': { retriable: false, message: 'no object under this key' },
  'already-exists': { retriable: false, message: 'an object already exists under this key (conditional create)' },
  'access-denied': { retriable: false, message: 'access denied (credentials or permissions)' },
  'no-such-bucket': { retriable: false, message: 'the bucket or directory does not exist' },
  invalid: { retriable: false, message: 'invalid key, range or setting' },
  unsupported: { retriable: false, message: 'the store does not support this operation' },
  unavailable: { retriable: true, message: 'the store is unavailable (timeout, throttling, 5xx, connection error)' },
  closed: { retriable: false, message: 'the store is closed' },
} as const;

export type ObjectStoreErrorCode = keyof typeof OBJECT_STORE_ERROR_CODES;

export interface ObjectStoreErrorDetails {
  readonly operation: string;
  /** `s3://bucket/prefix` or `file:///dir`. */
  readonly store: string;
  readonly key?: string;
  /** HTTP status of the failed response, when there was one. */
  readonly httpStatus?: number;
  /** Attempts the SDK made (S3), including retries. */
  readonly attempts?: number;
  readonly cause?: unknown;
}

export class ObjectStoreError extends Error {
  override readonly name = 'ObjectStoreError';
  readonly code: ObjectStoreErrorCode;
  readonly retriable: boolean;
  readonly operation: string;
  readonly store: string;
  readonly key: string | undefined;
  readonly httpStatus: number | undefined;
  readonly attempts: number | undefined;

  constructor(code: ObjectStoreErrorCode, detail: string, details: ObjectStoreErrorDetails) {
    const where = details.key === undefined ? details.store : `${details.store} key ${JSON.stringify(details.key)}`;
    super(`${details.operation} ${where}: ${code}: ${detail}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.retriable = OBJECT_STORE_ERROR_CODES[code].retriable;
    this.operation = details.operation;
    this.store = details.store;
    this.key = details.key;
    this.httpStatus = details.httpStatus;
    this.attempts = details.attempts;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      retriable: this.retriable,
      operation: this.operation,
      store: this.store,
      key: this.key,
      httpStatus: this.httpStatus,
      attempts: this.attempts,
      message: this.message,
    };
  }
}

export function isObjectStoreError(error: unknown, code?: ObjectStoreErrorCode): error is ObjectStoreError {
  return error instanceof ObjectStoreError && (code === undefined || error.code === code);
}
