// Which object store a topic's objects go to (BRIEF §6): the topic's own `s3.*` bucket when
// `s3.enabled=true`, else the cluster store (`--object-store`). Stores are opened through one
// shared S3ClientPool and cached by location, so topics with identical settings share one store
// (and the diskless flusher can pack their partitions into one object, grouped by `locationKey`).
import type { TopicRecord } from '@oxbow/controller';
import {
  FileObjectStore,
  ObjectStoreSettingsError,
  S3ClientPool,
  S3ObjectStore,
  DEFAULT_S3_REGION,
  openObjectStore,
  parseObjectStoreUrl,
  resolveObjectStoreLocation,
  type FileObjectStoreOptions,
  type ObjectStore,
  type ObjectStoreCheck,
  type ObjectStoreLocation,
  type S3ObjectStoreOptions,
} from '@oxbow/storage';
import { isSecretTopicConfig, TopicSecretsError, type TopicSecrets } from './topic-secrets.js';

/** Storage modes whose data lives in the object store (and so need a working one). */
const OBJECT_STORE_MODES = new Set(['tiered', 'hybrid', 'diskless']);

/** Default deadline of one validation `check()`, connection and retries included (ms). */
export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;

export interface ObjectStoreRouterOptions {
  /** The cluster object store URL (BrokerConfig.objectStore): `file://DIR` or `s3://BUCKET[/PREFIX]?...`. */
  readonly clusterStore: string;
  /** Seals/opens secret topic configs (the router opens them to build a topic's credentials). */
  readonly secrets: TopicSecrets;
  /** Shared S3 clients; without one the router makes its own and closes it in `close()`. */
  readonly pool?: S3ClientPool;
  /** Options of the S3 stores handed out by `storeFor` (timeouts, multipart, conditional create). */
  readonly s3?: Omit<S3ObjectStoreOptions, 'pool' | 'clientOptions'>;
  readonly file?: FileObjectStoreOptions;
  /** Deadline of one `check()` (ms, default 5,000): an unreachable endpoint fails within about this. */
  readonly checkTimeoutMs?: number;
  /** Base of a relative `file://` cluster store (default: the working directory). */
  readonly cwd?: string;
}

/**
 * True when a topic with these configs (its own, canonical text as validated) keeps data in an
 * object store: its own bucket (`s3.enabled=true`) or a tiered, hybrid or diskless storage mode.
 */
export function usesObjectStore(configs: Readonly<Record<string, string>>): boolean {
  return isTrue(configs['s3.enabled']) || OBJECT_STORE_MODES.has(configs['storage.mode'] ?? 'standard');
}

/**
 * Resolves and hands out object stores per topic.
 *
 * - `storeFor`/`locationKey` are synchronous: call `start()` first (it loads the cluster secret key,
 *   which opening a topic's sealed credentials needs). They throw `ObjectStoreSettingsError` for a
 *   topic whose stored settings no longer resolve, and `TopicSecretsError` if a secret cannot be opened.
 * - Stores are cached by location key and live until `close()`; callers never close them.
 * - `check` validates settings with a private, short-lived store (tight timeouts, few attempts), so
 *   a bad endpoint fails fast and failed credentials never enter the shared pool.
 */
export class ObjectStoreRouter {
  readonly secrets: TopicSecrets;
  readonly #cluster: { readonly location: ObjectStoreLocation } | { readonly error: Error };
  readonly #pool: S3ClientPool;
  readonly #ownPool: boolean;
  readonly #s3: Omit<S3ObjectStoreOptions, 'pool' | 'clientOptions'>;
  readonly #file: FileObjectStoreOptions;
  readonly #checkTimeoutMs: number;
  readonly #stores = new Map<string, ObjectStore>();
  /** Resolution per stored configs object (a TopicRecord's configs change identity when they change). */
  readonly #resolved = new WeakMap<object, { readonly key: string; readonly location: ObjectStoreLocation }>();
  #closed = false;

  constructor(options: ObjectStoreRouterOptions) {
    this.secrets = options.secrets;
    let cluster: { location: ObjectStoreLocation } | { error: Error };
    try {
      cluster = { location: parseObjectStoreUrl(options.clusterStore, options.cwd) };
    } catch (err) {
      // memory:// passes the flag parser but has no engine: fail where a store is needed, not at start-up.
      cluster = { error: err instanceof Error ? err : new Error(String(err)) };
    }
    this.#cluster = cluster;
    this.#ownPool = options.pool === undefined;
    this.#pool = options.pool ?? new S3ClientPool();
    this.#s3 = options.s3 ?? {};
    this.#file = options.file ?? {};
    this.#checkTimeoutMs = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    if (!(this.#checkTimeoutMs > 0)) throw new RangeError(`checkTimeoutMs must be positive, got ${this.#checkTimeoutMs}`);
  }

  /** Loads what the synchronous methods need (the cluster secret key). */
  async start(): Promise<void> {
    await this.secrets.ready();
  }

  /** The cluster store's location, or the error that makes it unusable. */
  get clusterLocation(): ObjectStoreLocation {
    if ('error' in this.#cluster) throw this.#cluster.error;
    return this.#cluster.location;
  }

  /** The store a topic's objects go to (cached; shared by every topic with the same location key). */
  storeFor(topic: TopicRecord): ObjectStore {
    if (this.#closed) throw new Error('ObjectStoreRouter is closed');
    const { key, location } = this.#resolveStored(topic.configs);
    let store = this.#stores.get(key);
    if (store === undefined) {
      store = openObjectStore(location, { pool: this.#pool, s3: this.#s3, file: this.#file });
      this.#stores.set(key, store);
    }
    return store;
  }

  /**
   * A stable string naming the topic's store, without secrets: equal for two topics exactly when
   * `storeFor` gives them the same store. Credentials appear as a fingerprint (HMAC under a key
   * derived from the cluster key: the same on every node and across restarts) or `default-chain`.
   */
  locationKey(topic: TopicRecord): string {
    return this.#resolveStored(topic.configs).key;
  }

  /** As `locationKey`, from configs (stored or plaintext); loads the secret key if needed. */
  async locationKeyOf(configs: Readonly<Record<string, string>>): Promise<string> {
    await this.secrets.ready();
    return this.#keyOf(this.locationOf(await this.secrets.open(configs)));
  }

  /**
   * The location of a topic with these plaintext configs (its own): the `s3.*` settings over the
   * cluster default when `s3.enabled=true`, else the cluster store. Throws ObjectStoreSettingsError.
   */
  locationOf(configs: Readonly<Record<string, string>>): ObjectStoreLocation {
    if (!isTrue(configs['s3.enabled'])) return this.clusterLocation;
    const own: Record<string, string> = {};
    for (const [name, value] of Object.entries(configs)) if (name.startsWith('s3.') && name !== 's3.enabled') own[name] = value;
    // Unset s3.* keys inherit the cluster store's (endpoint, region, ...) when that is an s3:// store.
    const base: ObjectStoreLocation = 'location' in this.#cluster ? this.#cluster.location : { scheme: 'file', root: '' };
    return resolveObjectStoreLocation(own, base);
  }

  /**
   * Validates the store a topic with these configs (stored or plaintext) would use: resolves the
   * settings and runs the engine's cheap `check()` (S3: a one-key listing, proving bucket and
   * credentials) within the check deadline. Never throws; the reason names the store, never a secret.
   */
  async check(configs: Readonly<Record<string, string>>): Promise<ObjectStoreCheck> {
    let location: ObjectStoreLocation;
    let secrets: string[] = [];
    try {
      const plain = await this.secrets.open(configs);
      secrets = Object.entries(plain).filter(([name, value]) => isSecretTopicConfig(name) && value !== '').map(([, value]) => value);
      location = this.locationOf(plain);
    } catch (err) {
      if (err instanceof ObjectStoreSettingsError) return { ok: false, code: 'invalid', reason: err.message, retriable: false };
      if (err instanceof TopicSecretsError) return { ok: false, code: err.code, reason: err.message, retriable: err.code === 'key-unavailable' };
      return { ok: false, code: 'invalid', reason: err instanceof Error ? err.message : String(err), retriable: false };
    }
    const store = this.#checkStore(location);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<ObjectStoreCheck>((resolve) => {
      // The store's own deadline should answer first; this only guards against an engine that hangs.
      timer = setTimeout(
        () => resolve({ ok: false, code: 'unavailable', reason: `check ${store.description}: unavailable: no answer within ${this.#checkTimeoutMs} ms`, retriable: true }),
        this.#checkTimeoutMs + 1_000,
      );
    });
    try {
      const result = await Promise.race([store.check(), late]);
      return result.ok ? result : { ...result, reason: scrub(result.reason, secrets) };
    } finally {
      clearTimeout(timer);
      void store.close().catch(() => undefined);
    }
  }

  /** Closes every store handed out and the pool (if the router made it). */
  async close(): Promise<void> {
    this.#closed = true;
    const stores = [...this.#stores.values()];
    this.#stores.clear();
    await Promise.allSettled(stores.map((s) => s.close()));
    if (this.#ownPool) await this.#pool.close();
  }

  #resolveStored(configs: Readonly<Record<string, string>>): { readonly key: string; readonly location: ObjectStoreLocation } {
    const memo = this.#resolved.get(configs);
    if (memo !== undefined) return memo;
    const location = this.locationOf(this.secrets.openSync(configs));
    const resolved = { key: this.#keyOf(location), location };
    this.#resolved.set(configs, resolved);
    return resolved;
  }

  #keyOf(location: ObjectStoreLocation): string {
    if (location.scheme === 'file') return `file://${location.root}`;
    const s = location.settings;
    const hasKeys = s.useIamRole !== true && s.accessKeyId !== undefined && s.accessKeyId !== '';
    const credentials = hasKeys ? `static:${this.secrets.fingerprint(`${s.accessKeyId ?? ''}\0${s.secretAccessKey ?? ''}`)}` : 'default-chain';
    const params = new URLSearchParams({
      endpoint: s.endpoint ?? '',
      region: s.region ?? DEFAULT_S3_REGION,
      forcePathStyle: String(s.forcePathStyle === true),
      storageClass: s.storageClass ?? '',
      encryption: s.encryption ?? 'none',
      kmsKeyId: s.kmsKeyId ?? '',
      credentials,
    });
    const prefix = s.prefix === undefined || s.prefix === '' ? '' : `/${s.prefix}`;
    return `s3://${s.bucket}${prefix}?${params.toString()}`;
  }

  #checkStore(location: ObjectStoreLocation): ObjectStore {
    if (location.scheme === 'file') return new FileObjectStore(location.root, this.#file);
    const t = this.#checkTimeoutMs;
    // A private pool: few attempts and short per-attempt timeouts, and clients for credentials that
    // may be wrong are dropped with the store instead of staying in the shared pool.
    return new S3ObjectStore(location.settings, {
      clientOptions: { maxAttempts: 2, connectionTimeoutMs: Math.min(2_000, t), requestTimeoutMs: t, maxConcurrencyPerBucket: 1 },
      operationTimeoutMs: t,
    });
  }
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[hidden]');
  return out;
}
