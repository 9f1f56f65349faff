/**
 * S3 clients shared between stores (BRIEF §6: pooled per bucket, region, endpoint and credentials).
 *
 * A client is keyed by (bucket, region, endpoint, path style, credentials hash); the hash is an
 * HMAC under a per-process random key, so the key can be logged and never reveals the secret. Each
 * (endpoint, bucket) also gets one small semaphore bounding concurrent requests to that bucket,
 * shared by every client that talks to it.
 *
 * Retries are the SDK's standard strategy (exponential backoff with full jitter on 5xx, throttling,
 * timeouts and connection errors; a retry quota per client); per-attempt timeouts are the Node HTTP
 * handler's (`connectionTimeout`, `requestTimeout`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Semaphore } from './semaphore.js';
import { DEFAULT_S3_REGION, type ObjectStoreSettings } from './settings.js';

export interface S3ClientOptions {
  /** Per attempt: time to establish a connection (ms). Default 5,000. */
  readonly connectionTimeoutMs?: number;
  /** Per attempt: time for the whole request and response (ms). Default 30,000. */
  readonly requestTimeoutMs?: number;
  /** Attempts per request including the first (SDK standard retry strategy). Default 5. */
  readonly maxAttempts?: number;
  /** `standard` (default) or `adaptive` (adds client-side rate limiting after throttling). */
  readonly retryMode?: 'standard' | 'adaptive';
  /** Concurrent requests per bucket (endpoint + bucket). Default 8. */
  readonly maxConcurrencyPerBucket?: number;
}

export const DEFAULT_S3_CLIENT_OPTIONS = {
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  maxAttempts: 5,
  retryMode: 'standard',
  maxConcurrencyPerBucket: 8,
} as const satisfies Required<S3ClientOptions>;

export interface PooledS3Client {
  readonly client: S3Client;
  /** Bounds concurrent requests to the client's bucket. */
  readonly limiter: Semaphore;
  /** The pool key (safe to log). */
  readonly key: string;
}

const HASH_KEY = randomBytes(32);

/** A stable, non-reversible tag for a credentials pair (or `default-chain`). */
export function credentialsHash(settings: Pick<ObjectStoreSettings, 'accessKeyId' | 'secretAccessKey' | 'useIamRole'>): string {
  if (settings.useIamRole === true || settings.accessKeyId === undefined || settings.accessKeyId === '') return 'default-chain';
  return createHmac('sha256', HASH_KEY)
    .update(`${settings.accessKeyId}\0${settings.secretAccessKey ?? ''}`)
    .digest('hex')
    .slice(0, 16);
}

/** The pool key of these settings: bucket, region, endpoint, path style, credentials hash. */
export function s3ClientKey(settings: ObjectStoreSettings): string {
  return JSON.stringify([settings.bucket, settings.region ?? DEFAULT_S3_REGION, settings.endpoint ?? '', settings.forcePathStyle === true, credentialsHash(settings)]);
}

export class S3ClientPool {
  readonly options: Required<S3ClientOptions>;
  readonly #clients = new Map<string, PooledS3Client>();
  readonly #limiters = new Map<string, Semaphore>();
  #closed = false;

  constructor(options: S3ClientOptions = {}) {
    this.options = { ...DEFAULT_S3_CLIENT_OPTIONS, ...definedOnly(options) };
    for (const [name, value] of Object.entries(this.options)) {
      if (typeof value === 'number' && (!Number.isInteger(value) || value < (name === 'maxAttempts' || name === 'maxConcurrencyPerBucket' ? 1 : 0))) {
        throw new RangeError(`S3ClientPool: ${name} must be a non-negative integer, got ${value}`);
      }
    }
  }

  /** Clients currently pooled. */
  get size(): number {
    return this.#clients.size;
  }

  /** The client for these settings, created on first use and reused afterwards. */
  acquire(settings: ObjectStoreSettings): PooledS3Client {
    if (this.#closed) throw new Error('S3ClientPool is closed');
    const key = s3ClientKey(settings);
    let pooled = this.#clients.get(key);
    if (pooled === undefined) {
      const limiterKey = JSON.stringify([settings.endpoint ?? '', settings.bucket]);
      let limiter = this.#limiters.get(limiterKey);
      if (limiter === undefined) {
        limiter = new Semaphore(this.options.maxConcurrencyPerBucket);
        this.#limiters.set(limiterKey, limiter);
      }
      pooled = { client: new S3Client(this.#config(settings)), limiter, key };
      this.#clients.set(key, pooled);
    }
    return pooled;
  }

  /** Destroys every client (their sockets close); stores using them fail afterwards. */
  close(): Promise<void> {
    this.#closed = true;
    for (const { client } of this.#clients.values()) client.destroy();
    this.#clients.clear();
    this.#limiters.clear();
    return Promise.resolve();
  }

  #config(settings: ObjectStoreSettings): S3ClientConfig {
    const o = this.options;
    // Sockets per client: enough for the bucket's concurrency plus a little slack.
    const agent = { keepAlive: true, maxSockets: o.maxConcurrencyPerBucket * 2 };
    const config: S3ClientConfig = {
      region: settings.region ?? DEFAULT_S3_REGION,
      forcePathStyle: settings.forcePathStyle === true,
      maxAttempts: o.maxAttempts,
      retryMode: o.retryMode,
      requestHandler: {
        connectionTimeout: o.connectionTimeoutMs,
        requestTimeout: o.requestTimeoutMs,
        throwOnRequestTimeout: true,
        httpAgent: agent,
        httpsAgent: agent,
      },
    };
    if (settings.endpoint !== undefined && settings.endpoint !== '') config.endpoint = settings.endpoint;
    if (settings.useIamRole !== true && settings.accessKeyId !== undefined && settings.accessKeyId !== '' && settings.secretAccessKey !== undefined) {
      config.credentials = { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey };
    }
    // Otherwise: the SDK's default provider chain (env, shared config, SSO, web identity, ECS/IMDS role).
    return config;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
