/** Maps AWS SDK failures to `ObjectStoreError` codes, keeping only safe facts (name, status, message). */
import { ObjectStoreError, type ObjectStoreErrorCode } from './errors.js';

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

interface SdkErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number; readonly requestId?: string };
}

export interface S3ErrorContext {
  readonly operation: string;
  readonly store: string;
  readonly key?: string;
  /** The call's deadline signal: an abort means the operation timed out. */
  readonly deadline?: AbortSignal;
  readonly timeoutMs?: number;
  /** Strings that must never appear in a message (the secret key). */
  readonly secrets: readonly string[];
}

export function s3ErrorCode(error: unknown): ObjectStoreErrorCode {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof e.name === 'string' ? e.name : '';
  const status = e.$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') return 'no-such-bucket';
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return 'not-found';
  if (status === 412 || name === 'PreconditionFailed') return 'already-exists';
  if (name === 'ExpiredToken' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'AccessDenied' || status === 401 || status === 403) {
    return 'access-denied';
  }
  if (name === 'CredentialsProviderError') return 'access-denied';
  if (name === 'RequestTimeout' || name === 'TimeoutError' || name === 'AbortError' || name === 'SlowDown' || status === 409 || status === 429) return 'unavailable';
  if (status !== undefined && status >= 500) return 'unavailable';
  if (status === 301 || status === 307 || name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed') return 'invalid';
  if (status !== undefined && status >= 400) return 'invalid';
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'unavailable';
  // Anything else without a response (socket errors, aborted bodies): likely transient.
  return 'unavailable';
}

export function toObjectStoreError(error: unknown, ctx: S3ErrorContext): ObjectStoreError {
  if (error instanceof ObjectStoreError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof e.name === 'string' && e.name !== '' ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const timedOut = ctx.deadline?.aborted === true;
  const code: ObjectStoreErrorCode = timedOut ? 'unavailable' : s3ErrorCode(error);
  let message = typeof e.message === 'string' && e.message !== '' && e.message !== 'UnknownError' ? e.message : defaultMessage(code, status);
  if (timedOut) message = `timed out after ${ctx.timeoutMs ?? '?'} ms (${name}: ${message})`;
  const netCode = typeof e.code === 'string' ? ` [${e.code}]` : '';
  const detail = scrub(`${timedOut ? '' : `${name}${status === undefined ? '' : ` (HTTP ${status})`}${netCode}: `}${message}${attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : ''}`, ctx.secrets);
  // The cause is a summary, not the SDK error: that one carries request/response objects.
  const cause = new Error(scrub(`${name}${status === undefined ? '' : ` ${status}`}: ${message}`, ctx.secrets));
  return new ObjectStoreError(code, detail, {
    operation: ctx.operation,
    store: ctx.store,
    ...(ctx.key === undefined ? {} : { key: ctx.key }),
    ...(status === undefined ? {} : { httpStatus: status }),
    ...(attempts === undefined ? {} : { attempts }),
    cause,
  });
}

function defaultMessage(code: ObjectStoreErrorCode, status: number | undefined): string {
  if (code === 'not-found') return 'no such key (or bucket)';
  if (code === 'access-denied') return 'access denied';
  return status === undefined ? 'request failed' : `HTTP ${status}`;
}

/** Replaces every occurrence of a secret with `***` (defence in depth: SDK messages should not hold one). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}
