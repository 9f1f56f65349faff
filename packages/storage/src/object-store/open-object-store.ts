/** The one factory (STYLE §7): an `ObjectStore` for a location or URL, chosen by scheme. */
import { FileObjectStore, type FileObjectStoreOptions } from './file-object-store.js';
import type { S3ClientPool } from './s3-client-pool.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.js';
import { parseObjectStoreUrl, type ObjectStoreLocation } from './settings.js';
import type { ObjectStore } from './types.js';

export interface OpenObjectStoreOptions {
  /** Shared S3 clients (the node keeps one pool and closes it on shutdown). */
  readonly pool?: S3ClientPool;
  readonly s3?: Omit<S3ObjectStoreOptions, 'pool'>;
  readonly file?: FileObjectStoreOptions;
}

/** Opens the store a location (or `file://`/`s3://` URL) names. Does no I/O: call `check()` to validate. */
export function openObjectStore(location: ObjectStoreLocation | string, options: OpenObjectStoreOptions = {}): ObjectStore {
  const loc = typeof location === 'string' ? parseObjectStoreUrl(location) : location;
  if (loc.scheme === 'file') return new FileObjectStore(loc.root, options.file);
  return new S3ObjectStore(loc.settings, { ...options.s3, ...(options.pool === undefined ? {} : { pool: options.pool }) });
}
