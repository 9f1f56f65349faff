/**
 * The object store contract (BRIEF §2, STYLE §7–8): one interface, engines chosen by URL scheme
 * (`file://`, `s3://`), one conformance suite (`describeObjectStore` in `@oxbow/storage/testing`)
 * that every engine passes.
 *
 * Keys are `/`-separated UTF-8 strings relative to the store's root (an S3 store adds its prefix).
 * Listing order is the byte order of the UTF-8 keys, as S3's.
 */

/** What an engine can do beyond the common contract. */
export interface ObjectStoreCapabilities {
  /**
   * `put(..., { ifNoneMatch: '*' })` is enforced (create only if absent). When false, a put with
   * `ifNoneMatch` MUST fail with `ObjectStoreError('unsupported')` rather than silently overwrite.
   */
  readonly conditionalCreate: boolean;
  /** Large bodies are uploaded in parts (S3 multipart) rather than in one request. */
  readonly multipart: boolean;
}

export interface PutOptions {
  /** Stored as the object's Content-Type (S3); ignored by the file engine. */
  readonly contentType?: string;
  /** `'*'`: create only if no object exists under the key, else fail with `already-exists`. */
  readonly ifNoneMatch?: '*';
}

export interface PutResult {
  /** Opaque entity tag of the stored object; changes whenever its content may have changed. */
  readonly etag: string;
}

/** An absolute byte range: `length` bytes from `offset` (to the end when `length` is absent). */
export interface ByteRange {
  readonly offset: number;
  readonly length?: number;
}

export interface GetOptions {
  /**
   * Only these bytes. A range reaching past the end returns the bytes that exist; a range starting
   * at or past the end returns an empty buffer (the object must still exist).
   */
  readonly range?: ByteRange;
}

export interface ObjectInfo {
  /** Key relative to the store (without an S3 store's prefix). */
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified?: Date;
}

export interface ListOptions {
  /** Objects per request (S3 MaxKeys, at most 1000). Default 1000. */
  readonly pageSize?: number;
  /** Only keys after this one (exclusive), e.g. to resume a listing. */
  readonly startAfter?: string;
}

export interface ListPageOptions extends ListOptions {
  /** The `nextToken` of the previous page. */
  readonly continuationToken?: string;
}

export interface ListPage {
  /** In key order. */
  readonly objects: readonly ObjectInfo[];
  /** Present when more objects follow. */
  readonly nextToken?: string;
}

/** Result of `check()`: whether the settings work, and if not, why (naming bucket/dir and cause). */
export type ObjectStoreCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly reason: string; readonly retriable: boolean };

/**
 * A flat key → bytes store.
 *
 * - `put` MUST be atomic: readers see the old object or the new one, never a mix or a partial one.
 *   Bodies larger than the engine's multipart threshold are uploaded in parts.
 * - `get`/`head` of a missing key MUST fail with `ObjectStoreError` code `not-found`.
 * - `delete` of a missing key MUST succeed (idempotent).
 * - `list` MUST return every key with the prefix exactly once, in key order, across all pages.
 * - Every failure MUST be an `ObjectStoreError` whose message names the operation, the store and the
 *   key, and never contains a credential.
 */
export interface ObjectStore {
  /** Where the store points, for logs and errors: `file:///abs/dir` or `s3://bucket/prefix` (never credentials). */
  readonly description: string;
  readonly capabilities: ObjectStoreCapabilities;

  put(key: string, body: Uint8Array, options?: PutOptions): Promise<PutResult>;
  get(key: string, options?: GetOptions): Promise<Buffer>;
  head(key: string): Promise<ObjectInfo>;
  /** One page of keys starting with `prefix`. */
  listPage(prefix: string, options?: ListPageOptions): Promise<ListPage>;
  /** Every key starting with `prefix`, fetching pages as iteration proceeds. */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo>;
  /** Deletes one key or many (missing keys are not an error). */
  delete(keys: string | readonly string[]): Promise<void>;
  /** Cheap validation of the settings (bucket/dir exists, credentials work). Never throws. */
  check(): Promise<ObjectStoreCheck>;
  /** Releases resources the store owns (not a shared client pool's clients). */
  close(): Promise<void>;
}
