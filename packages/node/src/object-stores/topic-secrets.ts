// Secret topic configs (every key whose definition is sensitive: s3.secret.access.key,
// external.s3.secret.access.key, ...) are stored encrypted in the coordinator (BRIEF §6, §7):
// AES-256-GCM under a key derived from the cluster secret key, so config dumps, DescribeConfigs
// and logs never carry the plaintext. The key lives in the same coordinator unless one is supplied
// from outside (OXBOW_SECRET_KEY), so this protects against leaks of configs, not against someone
// holding the whole etcd keyspace (docs/object-storage.md).
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { isSensitive } from '../config/config-def.js';
import { TOPIC_CONFIG_NAMES, topicConfigDef } from '../config/topic-configs.js';

/** Marks a sealed value: `oxbow-enc:v1:` + base64(iv ‖ tag ‖ ciphertext). */
export const SEALED_PREFIX = 'oxbow-enc:v1:';

/** Topic config names whose values are secrets (sealed at rest). */
export const SECRET_TOPIC_CONFIG_NAMES: readonly string[] = TOPIC_CONFIG_NAMES.filter((name) => isSensitive(topicConfigDef(name)));

const SECRET_NAMES = new Set(SECRET_TOPIC_CONFIG_NAMES);
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CLUSTER_KEY_BYTES = 32;
/** HKDF info strings: one derived key per purpose, never the cluster key itself. */
const SEAL_INFO = 'oxbow topic secrets v1';
const FINGERPRINT_INFO = 'oxbow secret fingerprints v1';

export const TOPIC_SECRETS_ERROR_CODES = ['key-unavailable', 'invalid-key', 'undecryptable'] as const;
export type TopicSecretsErrorCode = (typeof TOPIC_SECRETS_ERROR_CODES)[number];

/** A secret could not be sealed or opened. The message names the config key, never a value. */
export class TopicSecretsError extends Error {
  override readonly name = 'TopicSecretsError';
  readonly code: TopicSecretsErrorCode;
  /** The config key concerned, when there is one. */
  readonly configKey: string | undefined;

  constructor(code: TopicSecretsErrorCode, message: string, configKey?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.configKey = configKey;
  }
}

/** True when `name` is a secret topic config. */
export function isSecretTopicConfig(name: string): boolean {
  return SECRET_NAMES.has(name);
}

/** True when a stored value is in sealed form. */
export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

interface Keys {
  readonly seal: Buffer;
  readonly fingerprint: Buffer;
}

/**
 * Seals and opens the secret values of topic configs.
 *
 * - `seal` takes plaintext configs (as validated from a request) and returns them with every secret
 *   value encrypted. Given the topic's `previous` stored configs, a secret whose plaintext did not
 *   change keeps its stored ciphertext, so unchanged secrets are not rewritten on every alter.
 * - `open` takes stored configs and returns them with every sealed value decrypted; values stored
 *   before sealing existed (plaintext) pass through unchanged.
 * - The key is fetched once (`ready()`, or lazily by the async methods) and cached; a failed fetch is
 *   not cached. `openSync` needs the key loaded already.
 *
 * Non-secret keys are never touched. The additional authenticated data is the config key name, so a
 * ciphertext cannot be moved to another key.
 */
export class TopicSecrets {
  readonly #loadKey: () => Promise<Buffer>;
  #keys: Keys | undefined;
  #loading: Promise<Keys> | undefined;

  /** `loadKey` returns the 32-byte cluster key, usually `() => coordinator.clusterSecretKey()`. */
  constructor(loadKey: () => Promise<Buffer>) {
    this.#loadKey = loadKey;
  }

  /** A TopicSecrets over a key known up front (tests, tools, OXBOW_SECRET_KEY). */
  static withKey(key: Buffer): TopicSecrets {
    const secrets = new TopicSecrets(() => Promise.resolve(key));
    secrets.#keys = deriveKeys(key);
    return secrets;
  }

  /** Loads the cluster key (idempotent). Rejects with `key-unavailable` or `invalid-key`. */
  async ready(): Promise<void> {
    await this.#load();
  }

  /** Whether the key is loaded (so `openSync` and `fingerprint` work). */
  get loaded(): boolean {
    return this.#keys !== undefined;
  }

  /** Plaintext configs → stored form; see the class comment for `previous`. */
  async seal(configs: Readonly<Record<string, string>>, previous: Readonly<Record<string, string>> = {}): Promise<Record<string, string>> {
    if (!Object.keys(configs).some(isSecretTopicConfig)) return { ...configs };
    const keys = await this.#load();
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(configs)) {
      if (!isSecretTopicConfig(name)) {
        out[name] = value;
        continue;
      }
      const before = previous[name];
      out[name] = before !== undefined && isSealed(before) && tryDecrypt(keys.seal, name, before) === value ? before : encrypt(keys.seal, name, value);
    }
    return out;
  }

  /** Stored configs → plaintext. Rejects with `undecryptable` naming the key if a value fails authentication. */
  async open(configs: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    if (!hasSealed(configs)) return { ...configs };
    await this.#load();
    return this.openSync(configs);
  }

  /** As `open`, once the key is loaded (`ready()`); throws `key-unavailable` otherwise. */
  openSync(configs: Readonly<Record<string, string>>): Record<string, string> {
    if (!hasSealed(configs)) return { ...configs };
    const keys = this.#keys;
    if (keys === undefined) throw new TopicSecretsError('key-unavailable', 'the cluster secret key is not loaded yet');
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(configs)) {
      if (!isSecretTopicConfig(name) || !isSealed(value)) {
        out[name] = value;
        continue;
      }
      const plain = tryDecrypt(keys.seal, name, value);
      if (plain === undefined) {
        throw new TopicSecretsError('undecryptable', `the stored value of ${name} cannot be decrypted with the cluster secret key (set it again)`, name);
      }
      out[name] = plain;
    }
    return out;
  }

  /**
   * A short, non-reversible tag of a secret (HMAC under a key derived from the cluster key), the
   * same on every node and across restarts: safe to log and to use in cache keys. Needs the key loaded.
   */
  fingerprint(value: string): string {
    const keys = this.#keys;
    if (keys === undefined) throw new TopicSecretsError('key-unavailable', 'the cluster secret key is not loaded yet');
    return createHmac('sha256', keys.fingerprint).update(value, 'utf8').digest('hex').slice(0, 16);
  }

  #load(): Promise<Keys> {
    if (this.#keys !== undefined) return Promise.resolve(this.#keys);
    this.#loading ??= this.#loadKey().then(
      (key) => {
        this.#keys = deriveKeys(key);
        this.#loading = undefined;
        return this.#keys;
      },
      (err: unknown) => {
        this.#loading = undefined;
        if (err instanceof TopicSecretsError) throw err;
        throw new TopicSecretsError('key-unavailable', `the cluster secret key could not be loaded: ${err instanceof Error ? err.message : String(err)}`, undefined, err);
      },
    );
    return this.#loading;
  }
}

function hasSealed(configs: Readonly<Record<string, string>>): boolean {
  return Object.entries(configs).some(([name, value]) => isSecretTopicConfig(name) && isSealed(value));
}

function deriveKeys(clusterKey: Buffer): Keys {
  if (clusterKey.length !== CLUSTER_KEY_BYTES) {
    throw new TopicSecretsError('invalid-key', `the cluster secret key must be ${CLUSTER_KEY_BYTES} bytes, got ${clusterKey.length}`);
  }
  return {
    seal: Buffer.from(hkdfSync('sha256', clusterKey, Buffer.alloc(0), SEAL_INFO, 32)),
    fingerprint: Buffer.from(hkdfSync('sha256', clusterKey, Buffer.alloc(0), FINGERPRINT_INFO, 32)),
  };
}

function encrypt(key: Buffer, name: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The plaintext, or undefined when the value is malformed or fails authentication (wrong key, tampering). */
function tryDecrypt(key: Buffer, name: string, sealed: string): string | undefined {
  const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
