/** Key rules shared by every engine, and the key order listings use (UTF-8 bytes, as S3). */
import { ObjectStoreError } from './errors.js';

/** S3's limit, applied everywhere so a key valid for one engine is valid for all. */
export const MAX_KEY_BYTES = 1024;

/** Throws `invalid` unless `key` is a usable object key. */
export function validateKey(key: string, operation: string, store: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw new ObjectStoreError('invalid', problem, { operation, store, key });
}

function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'the key is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  if (key.includes('\0')) return 'the key contains a NUL character';
  if (key.startsWith('/')) return 'the key starts with "/"';
  if (key.endsWith('/')) return 'the key ends with "/"';
  for (const segment of key.split('/')) {
    if (segment === '') return 'the key has an empty path segment ("//")';
    if (segment === '.' || segment === '..') return 'the key has a "." or ".." path segment';
  }
  return undefined;
}

/** Orders keys by their UTF-8 bytes (S3 listing order; differs from UTF-16 order for astral characters). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 1000;

export function pageSizeOf(pageSize: number | undefined, operation: string, store: string): number {
  const size = pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new ObjectStoreError('invalid', `pageSize must be an integer in [1, ${MAX_PAGE_SIZE}], got ${String(pageSize)}`, { operation, store });
  }
  return size;
}

/** Checks a range and returns [start, endExclusive or undefined for "to the end"]. */
export function checkRange(range: { offset: number; length?: number }, operation: string, store: string, key: string): [number, number | undefined] {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new ObjectStoreError('invalid', `range offset must be a non-negative integer, got ${String(offset)}`, { operation, store, key });
  }
  if (length === undefined) return [offset, undefined];
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new ObjectStoreError('invalid', `range length must be a non-negative integer, got ${String(length)}`, { operation, store, key });
  }
  return [offset, offset + length];
}
