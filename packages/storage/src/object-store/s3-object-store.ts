/**
 * `s3://bucket/prefix`: objects in an S3-compatible bucket through @aws-sdk/client-s3.
 *
 * - Clients come from an `S3ClientPool` (shared, or private to this store and closed with it).
 * - Every request holds a permit of the bucket's semaphore and runs under an operation deadline
 *   (`operationTimeoutMs`, covering the SDK's retries); each attempt has the pool's HTTP timeouts.
 * - Ranged GETs use absolute `bytes=a-b` ranges only (suffix ranges are broken on some servers) and
 *   trim the body to what was asked when a server answers with more (s3rver does for `bytes=0-0`).
 * - Bodies above `multipartThresholdBytes` are uploaded as multipart, `partSizeBytes` per part.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
  type ServerSideEncryption,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { ObjectStoreError, isObjectStoreError } from './errors.js';
import { checkRange, pageSizeOf, validateKey } from './keys.js';
import { listAll } from './list-all.js';
import { S3ClientPool, type S3ClientOptions } from './s3-client-pool.js';
import { s3ErrorCode, toObjectStoreError } from './s3-errors.js';
import type { Semaphore } from './semaphore.js';
import { validateSettings, type ObjectStoreSettings } from './settings.js';
import { ObjectStoreTelemetry, type CallScope } from './telemetry.js';
import type { GetOptions, ListOptions, ListPage, ListPageOptions, ObjectInfo, ObjectStore, ObjectStoreCapabilities, ObjectStoreCheck, PutOptions, PutResult } from './types.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

export interface S3ObjectStoreOptions {
  /** Shared clients; without one the store makes a private pool (with `clientOptions`) and closes it on close(). */
  readonly pool?: S3ClientPool;
  readonly clientOptions?: S3ClientOptions;
  /** Deadline for one call including retries and waiting for a permit (ms). Default 120,000. */
  readonly operationTimeoutMs?: number;
  /** Bodies larger than this use multipart upload. Default 16 MiB. */
  readonly multipartThresholdBytes?: number;
  /** Part size for multipart uploads (≥ 5 MiB; grown if the body would need more than 10,000 parts). Default 8 MiB. */
  readonly partSizeBytes?: number;
  /** Parts in flight per upload (they also take bucket permits). Default 4. */
  readonly partConcurrency?: number;
  /**
   * Whether the server enforces `If-None-Match: *` on PUT. Default: true for AWS (no custom
   * endpoint), false with a custom endpoint (s3rver ignores it; set true for servers that honour it).
   */
  readonly conditionalCreate?: boolean;
}

export const DEFAULT_S3_STORE_OPTIONS = {
  operationTimeoutMs: 120_000,
  multipartThresholdBytes: 16 * 1024 * 1024,
  partSizeBytes: 8 * 1024 * 1024,
  partConcurrency: 4,
} as const;

interface Deadline {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  readonly capabilities: ObjectStoreCapabilities;
  readonly settings: ObjectStoreSettings;
  readonly #bucket: string;
  /** `prefix/` or '' */
  readonly #prefix: string;
  readonly #client: S3Client;
  readonly #limiter: Semaphore;
  readonly #ownPool: S3ClientPool | undefined;
  readonly #secrets: readonly string[];
  readonly #telemetry: ObjectStoreTelemetry;
  readonly #operationTimeoutMs: number;
  readonly #threshold: number;
  readonly #partSize: number;
  readonly #partConcurrency: number;
  /** GETs whose body breaks off mid-stream are retried here, as often as the SDK retries a failed request. */
  readonly #bodyReadAttempts: number;
  #closed = false;

  constructor(settings: ObjectStoreSettings, options: S3ObjectStoreOptions = {}) {
    this.settings = validateSettings(settings);
    const s = this.settings;
    this.#bucket = s.bucket;
    this.#prefix = s.prefix === undefined || s.prefix === '' ? '' : `${s.prefix}/`;
    const endpoint = s.endpoint === undefined || s.endpoint === '' ? '' : ` (endpoint ${safeEndpoint(s.endpoint)})`;
    this.description = `s3://${s.bucket}${this.#prefix === '' ? '' : `/${s.prefix}`}${endpoint}`;
    this.capabilities = { conditionalCreate: options.conditionalCreate ?? endpoint === '', multipart: true };
    this.#ownPool = options.pool === undefined ? new S3ClientPool(options.clientOptions) : undefined;
    const pool = options.pool ?? this.#ownPool;
    if (pool === undefined) throw new Error('unreachable: no pool');
    const pooled = pool.acquire(s);
    this.#bodyReadAttempts = pool.options.maxAttempts;
    this.#client = pooled.client;
    this.#limiter = pooled.limiter;
    this.#secrets = s.secretAccessKey === undefined ? [] : [s.secretAccessKey];
    this.#telemetry = new ObjectStoreTelemetry('s3', s.bucket);
    this.#operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_S3_STORE_OPTIONS.operationTimeoutMs;
    this.#threshold = options.multipartThresholdBytes ?? DEFAULT_S3_STORE_OPTIONS.multipartThresholdBytes;
    this.#partSize = options.partSizeBytes ?? DEFAULT_S3_STORE_OPTIONS.partSizeBytes;
    this.#partConcurrency = options.partConcurrency ?? DEFAULT_S3_STORE_OPTIONS.partConcurrency;
    if (this.#partSize < MIN_PART_SIZE) throw new RangeError(`partSizeBytes must be at least ${MIN_PART_SIZE} (S3's minimum part size), got ${this.#partSize}`);
    if (!Number.isInteger(this.#partConcurrency) || this.#partConcurrency < 1) throw new RangeError(`partConcurrency must be a positive integer`);
    if (!(this.#operationTimeoutMs > 0)) throw new RangeError(`operationTimeoutMs must be positive`);
  }

  put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    return this.#call('put', key, body.byteLength, async (scope) => {
      this.#key(key, 'put');
      if (options.ifNoneMatch !== undefined) {
        if (options.ifNoneMatch !== '*') throw this.#error('invalid', `ifNoneMatch must be '*'`, 'put', key);
        if (!this.capabilities.conditionalCreate) throw this.#error('unsupported', 'this S3 endpoint does not enforce If-None-Match (conditionalCreate is off)', 'put', key);
      }
      if (body.byteLength > this.#threshold) return this.#multipartPut(key, body, options, scope);
      const out = await this.#send('put', key, scope, (client, signal) =>
        client.send(new PutObjectCommand({ ...this.#writeParams(key, options), Body: body, ContentLength: body.byteLength, ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: '*' }) }), { abortSignal: signal }),
      );
      return { etag: out.ETag ?? '' };
    });
  }

  get(key: string, options: GetOptions = {}): Promise<Buffer> {
    return this.#call('get', key, undefined, async (scope) => {
      this.#key(key, 'get');
      const [start, end] = options.range === undefined ? [0, undefined] : checkRange(options.range, 'get', this.description, key);
      if (end !== undefined && end <= start) {
        await this.#head(key, scope); // nothing to read; the object must still exist
        return Buffer.alloc(0);
      }
      // The SDK retries failed requests, not a body that breaks mid-stream: retry those here, all
      // under the one operation deadline.
      const deadline = this.#deadline();
      for (let attempt = 1; ; attempt++) {
        try {
          const bytes = await this.#getOnce(key, start, end, scope, deadline);
          scope.setBytes(bytes.length);
          return bytes;
        } catch (error) {
          if (!(error instanceof BodyReadError)) throw error;
          if (attempt >= this.#bodyReadAttempts || deadline.signal.aborted) throw error.wrapped;
          // A backoff cut short by the deadline ends quietly: the next attempt reports the timeout.
          await delay(Math.random() * 50 * 2 ** attempt, undefined, { signal: deadline.signal }).catch(() => undefined);
        }
      }
    });
  }

  head(key: string): Promise<ObjectInfo> {
    return this.#call('head', key, undefined, (scope) => {
      this.#key(key, 'head');
      return this.#head(key, scope);
    });
  }

  listPage(prefix: string, options: ListPageOptions = {}): Promise<ListPage> {
    return this.#call('list', prefix, undefined, async (scope) => {
      if (this.#closed) throw this.#error('closed', 'the store is closed', 'list', prefix);
      const pageSize = pageSizeOf(options.pageSize, 'list', this.description);
      const out = await this.#send('list', prefix, scope, (client, signal) =>
        client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#prefix + prefix,
            MaxKeys: pageSize,
            ...(options.continuationToken === undefined ? {} : { ContinuationToken: options.continuationToken }),
            ...(options.startAfter === undefined ? {} : { StartAfter: this.#prefix + options.startAfter }),
          }),
          { abortSignal: signal },
        ),
      );
      const objects: ObjectInfo[] = (out.Contents ?? []).map((o) => ({
        key: (o.Key ?? '').slice(this.#prefix.length),
        size: o.Size ?? 0,
        etag: o.ETag ?? '',
        ...(o.LastModified === undefined ? {} : { lastModified: o.LastModified }),
      }));
      const token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
      return token === undefined || token === '' ? { objects } : { objects, nextToken: token };
    });
  }

  list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    return listAll(this, prefix, options);
  }

  delete(keys: string | readonly string[]): Promise<void> {
    const list = typeof keys === 'string' ? [keys] : [...keys];
    return this.#call('delete', typeof keys === 'string' ? keys : undefined, undefined, async (scope) => {
      for (const k of list) this.#key(k, 'delete');
      if (list.length === 1 && list[0] !== undefined) {
        const key = list[0];
        await this.#send('delete', key, scope, (client, signal) => client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }), { abortSignal: signal }));
        return;
      }
      for (let i = 0; i < list.length; i += 1000) {
        const chunk = list.slice(i, i + 1000);
        const out = await this.#send('delete', undefined, scope, (client, signal) =>
          client.send(new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Quiet: true, Objects: chunk.map((k) => ({ Key: this.#prefix + k })) } }), { abortSignal: signal }),
        );
        const failed = out.Errors?.[0];
        if (failed !== undefined) {
          const key = (failed.Key ?? '').slice(this.#prefix.length);
          const code = s3ErrorCode({ name: failed.Code });
          throw this.#error(code === 'unavailable' && failed.Code !== 'InternalError' && failed.Code !== 'SlowDown' ? 'invalid' : code, `${failed.Code ?? 'Error'}: ${failed.Message ?? ''} (${out.Errors?.length ?? 1} keys failed)`, 'delete', key);
        }
      }
    });
  }

  async check(): Promise<ObjectStoreCheck> {
    try {
      // A one-key listing proves the bucket exists, the credentials sign correctly and we may list
      // our prefix (HeadBucket would need a bucket-wide permission some prefix-scoped roles lack).
      await this.#call('check', undefined, undefined, (scope) =>
        this.#send('check', undefined, scope, (client, signal) => client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix, MaxKeys: 1 }), { abortSignal: signal })),
      );
      return { ok: true };
    } catch (error) {
      const e = isObjectStoreError(error) ? error : toObjectStoreError(error, { operation: 'check', store: this.description, secrets: this.#secrets });
      return { ok: false, code: e.code, reason: e.message, retriable: e.retriable };
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#ownPool?.close();
  }

  async #head(key: string, scope: CallScope): Promise<ObjectInfo> {
    const out = await this.#send('head', key, scope, (client, signal) => client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }), { abortSignal: signal }));
    return { key, size: out.ContentLength ?? 0, etag: out.ETag ?? '', ...(out.LastModified === undefined ? {} : { lastModified: out.LastModified }) };
  }

  async #getOnce(key: string, start: number, end: number | undefined, scope: CallScope, deadline: Deadline): Promise<Buffer> {
    const ranged = start > 0 || end !== undefined;
    const range = ranged ? `bytes=${start}-${end === undefined ? '' : end - 1}` : undefined;
    let out;
    try {
      out = await this.#sendWith('get', key, scope, deadline, (client, signal) =>
        client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key, ...(range === undefined ? {} : { Range: range }) }), { abortSignal: signal }),
      );
    } catch (error) {
      // 416: the range starts at or past the end; the object exists (else 404), so: no bytes.
      if (isObjectStoreError(error) && error.httpStatus === 416) return Buffer.alloc(0);
      throw error;
    }
    let body: Buffer;
    try {
      const bytes = out.Body === undefined ? new Uint8Array(0) : await out.Body.transformToByteArray();
      body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      throw new BodyReadError(toObjectStoreError(error, { operation: 'get', store: this.description, key, deadline: deadline.signal, timeoutMs: deadline.timeoutMs, secrets: this.#secrets }));
    }
    if (!ranged) return body;
    // Where the returned bytes start: Content-Range when present, else 0 (a 200 with the whole object).
    const served = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(out.ContentRange ?? '');
    const servedStart = out.$metadata.httpStatusCode === 206 && served?.[1] !== undefined ? Number(served[1]) : 0;
    const from = start - servedStart;
    const to = end === undefined ? body.length : Math.min(body.length, end - servedStart);
    if (from < 0) throw this.#error('unavailable', `the server returned bytes from ${servedStart}, after the requested ${start}`, 'get', key);
    return from === 0 && to === body.length ? body : body.subarray(from, Math.max(from, to));
  }

  async #multipartPut(key: string, body: Uint8Array, options: PutOptions, scope: CallScope): Promise<PutResult> {
    const partSize = Math.max(this.#partSize, Math.ceil(body.byteLength / MAX_PARTS));
    const created = await this.#send('create-multipart', key, scope, (client, signal) =>
      client.send(new CreateMultipartUploadCommand(this.#writeParams(key, options)), { abortSignal: signal }),
    );
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw this.#error('unavailable', 'CreateMultipartUpload returned no UploadId', 'put', key);
    try {
      const count = Math.ceil(body.byteLength / partSize);
      const parts: CompletedPart[] = new Array<CompletedPart>(count);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < count) {
          const index = next++;
          const chunk = body.subarray(index * partSize, Math.min(body.byteLength, (index + 1) * partSize));
          const partNumber = index + 1;
          const out = await this.#telemetry.run('upload-part', { key, bytes: chunk.byteLength }, (partScope) =>
            this.#send('upload-part', key, partScope, (client, signal) =>
              client.send(new UploadPartCommand({ Bucket: this.#bucket, Key: this.#prefix + key, UploadId: uploadId, PartNumber: partNumber, Body: chunk, ContentLength: chunk.byteLength }), { abortSignal: signal }),
            ),
          );
          parts[index] = { PartNumber: partNumber, ETag: out.ETag ?? '' };
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.#partConcurrency, count) }, () => worker()));
      const done = await this.#send('complete-multipart', key, scope, (client, signal) =>
        client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: this.#prefix + key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
            ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: '*' }),
          }),
          { abortSignal: signal },
        ),
      );
      return { etag: done.ETag ?? '' };
    } catch (error) {
      // Best effort (s3rver answers 405): a lifecycle rule should clean up what is left.
      await this.#send('abort-multipart', key, scope, (client, signal) =>
        client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#prefix + key, UploadId: uploadId }), { abortSignal: signal }),
      ).catch(() => undefined);
      throw error;
    }
  }

  #writeParams(key: string, options: PutOptions): { Bucket: string; Key: string; ContentType?: string; StorageClass?: StorageClass; ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string } {
    const s = this.settings;
    return {
      Bucket: this.#bucket,
      Key: this.#prefix + key,
      ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
      ...(s.storageClass === undefined ? {} : { StorageClass: s.storageClass as StorageClass }),
      ...(s.encryption === 'SSE-S3' ? { ServerSideEncryption: 'AES256' as const } : {}),
      ...(s.encryption === 'SSE-KMS' ? { ServerSideEncryption: 'aws:kms' as const, ...(s.kmsKeyId === undefined || s.kmsKeyId === '' ? {} : { SSEKMSKeyId: s.kmsKeyId }) } : {}),
    };
  }

  #deadline(): Deadline {
    return { signal: AbortSignal.timeout(this.#operationTimeoutMs), timeoutMs: this.#operationTimeoutMs };
  }

  /** One SDK request under a fresh deadline, holding a bucket permit; errors become ObjectStoreErrors. */
  #send<T extends { $metadata: { attempts?: number } }>(operation: string, key: string | undefined, scope: CallScope, fn: (client: S3Client, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.#sendWith(operation, key, scope, this.#deadline(), fn);
  }

  async #sendWith<T extends { $metadata: { attempts?: number } }>(operation: string, key: string | undefined, scope: CallScope, deadline: Deadline, fn: (client: S3Client, signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#closed) throw this.#error('closed', 'the store is closed', operation, key);
    try {
      const out = await this.#limiter.run(() => fn(this.#client, deadline.signal), deadline.signal);
      scope.addAttempts(out.$metadata.attempts);
      this.#telemetry.recordRetries(operation, out.$metadata.attempts);
      return out;
    } catch (error) {
      const wrapped = toObjectStoreError(error, { operation, store: this.description, ...(key === undefined ? {} : { key }), deadline: deadline.signal, timeoutMs: deadline.timeoutMs, secrets: this.#secrets });
      this.#telemetry.recordRetries(operation, wrapped.attempts);
      throw wrapped;
    }
  }

  #call<T>(operation: string, key: string | undefined, bytes: number | undefined, fn: (scope: CallScope) => Promise<T>): Promise<T> {
    const attributes = { ...(key === undefined ? {} : { key }), ...(bytes === undefined ? {} : { bytes }) };
    return this.#telemetry.run(operation, attributes, async (scope) => {
      try {
        return await fn(scope);
      } catch (error) {
        throw isObjectStoreError(error) ? error : toObjectStoreError(error, { operation, store: this.description, ...(key === undefined ? {} : { key }), secrets: this.#secrets });
      }
    });
  }

  #key(key: string, operation: string): void {
    if (this.#closed) throw this.#error('closed', 'the store is closed', operation, key);
    validateKey(key, operation, this.description);
  }

  #error(code: ObjectStoreError['code'], detail: string, operation: string, key?: string): ObjectStoreError {
    return new ObjectStoreError(code, detail, { operation, store: this.description, ...(key === undefined ? {} : { key }) });
  }
}

/** A GET whose response arrived but whose body broke off: worth one more request. */
class BodyReadError extends Error {
  constructor(readonly wrapped: ObjectStoreError) {
    super(wrapped.message);
  }
}

function safeEndpoint(endpoint: string): string {
  try {
    const u = new URL(endpoint);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid endpoint)';
  }
}
