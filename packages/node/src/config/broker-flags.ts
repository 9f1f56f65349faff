// The flags of `oxbow start` (BRIEF §3), each with its environment variable and default, and the
// parsers for their values. broker-config.ts applies precedence; this file only knows one value.

/** A listen or advertise address. `port` 0 on a listener means "any free port". */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** pino's levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every flag of `oxbow start`: its environment variable, argument placeholder, default (null = none
 * or derived, see doc) and one-line doc. `set` is repeatable; `help` takes no value.
 */
export const BROKER_FLAGS = {
  'node-id': { env: 'OXBOW_NODE_ID', arg: 'N', default: '0', doc: "This node's id, unique in the cluster (0 to 2147483647)." },
  kafka: { env: 'OXBOW_KAFKA', arg: 'HOST:PORT', default: '127.0.0.1:9092', doc: 'Address the Kafka listener binds (port 0 = any free port).' },
  advertise: { env: 'OXBOW_ADVERTISE', arg: 'HOST:PORT', default: null, doc: 'Address clients are told to connect to (default: --kafka; required when --kafka binds 0.0.0.0 or ::).' },
  grpc: { env: 'OXBOW_GRPC', arg: 'HOST:PORT', default: '127.0.0.1:9093', doc: 'Address of the node-to-node gRPC server (replication, forwarding).' },
  'advertise-grpc': { env: 'OXBOW_ADVERTISE_GRPC', arg: 'HOST:PORT', default: null, doc: 'gRPC address other nodes are told to use (default: --grpc, with the --advertise host when --grpc binds 0.0.0.0 or ::).' },
  admin: { env: 'OXBOW_ADMIN', arg: 'HOST:PORT', default: '127.0.0.1:9094', doc: 'Address of the admin HTTP server (/healthz, /readyz, /metrics, tiered API).' },
  'data-dir': { env: 'OXBOW_DATA_DIR', arg: 'DIR', default: './data', doc: 'Directory for local logs, WALs and the embedded coordinator.' },
  etcd: { env: 'OXBOW_ETCD', arg: 'URL[,URL]', default: null, doc: 'etcd endpoints (http:// or https://); absent = embedded single-node coordinator.' },
  'object-store': {
    env: 'OXBOW_OBJECT_STORE', arg: 'URL', default: null,
    doc: 'Cluster object store: s3://BUCKET[/PREFIX][?endpoint=URL&region=R&forcePathStyle=true], file://DIR or memory:// (default file://DATA_DIR/objects).',
  },
  'secret-key-file': {
    env: 'OXBOW_SECRET_KEY_FILE', arg: 'FILE', default: null,
    doc: 'File holding the 32-byte key that encrypts secret topic configs (64 hex digits or base64), the same on every node (default: a random key kept in the coordinator).',
  },
  rack: { env: 'OXBOW_RACK', arg: 'RACK', default: null, doc: 'Rack id reported to clients in Metadata (default: none).' },
  cluster: { env: 'OXBOW_CLUSTER', arg: 'NAME', default: 'default', doc: 'Cluster name; coordinator keys live under /oxbow/NAME/.' },
  'log-level': { env: 'OXBOW_LOG_LEVEL', arg: 'LEVEL', default: 'info', doc: `Log level: ${LOG_LEVELS.join(', ')}.` },
  config: { env: 'OXBOW_CONFIG', arg: 'FILE', default: null, doc: 'YAML file holding any of these flags (camelCase or kebab-case keys) and a settings: map.' },
  set: { env: 'OXBOW_SET_<KEY>', arg: 'KEY=VALUE', default: null, doc: 'A broker setting by its Kafka name; repeatable. Env form: OXBOW_SET_ + the name upper-cased with dots as underscores.' },
  help: { env: null, arg: null, default: null, doc: 'Print this help and exit.' },
} as const;

/** A flag name without its leading dashes. */
export type BrokerFlag = keyof typeof BROKER_FLAGS;

/** Flags that carry one value each (everything but `set` and `help`). */
export type ValueFlag = Exclude<BrokerFlag, 'set' | 'help'>;

/** True when `name` is a flag of `oxbow start`. */
export function isBrokerFlag(name: string): name is BrokerFlag {
  return Object.hasOwn(BROKER_FLAGS, name);
}

/** True when `name` is a flag that carries one value. */
export function isValueFlag(name: string): name is ValueFlag {
  return isBrokerFlag(name) && name !== 'set' && name !== 'help';
}

/** A parsed value, or why the text is wrong (without the setting name; the caller adds it). */
export type FlagParse<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Parses HOST:PORT (IPv6 in brackets: [::1]:9092). Port 0..65535. */
export function parseHostPort(text: string): FlagParse<HostPort> {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(text);
  const plain = /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const match = bracketed ?? plain;
  if (match === null) return { ok: false, why: 'expected HOST:PORT, e.g. 127.0.0.1:9092 or [::1]:9092' };
  const host = match[1] ?? '';
  const port = Number(match[2]);
  if (port > 65535) return { ok: false, why: `port ${port} is out of range (0-65535)` };
  if (plain !== null && !host.split('.').every((label) => HOST_LABEL.test(label))) return { ok: false, why: `"${host}" is not a valid host name or address` };
  return { ok: true, value: { host, port } };
}

/** HOST:PORT text of an address, bracketing IPv6 hosts. */
export function formatHostPort(address: HostPort): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** True for addresses that bind every interface and so cannot be advertised. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Parses a non-negative 32-bit node id. */
export function parseNodeId(text: string): FlagParse<number> {
  if (!/^\d+$/.test(text)) return { ok: false, why: 'expected a non-negative integer' };
  const n = Number(text);
  return n <= 2147483647 ? { ok: true, value: n } : { ok: false, why: 'must be at most 2147483647' };
}

/** Parses a comma-separated list of http(s) etcd endpoints. */
export function parseEtcd(text: string): FlagParse<readonly string[]> {
  const urls = text.split(',').map((s) => s.trim());
  for (const url of urls) {
    if (url === '') return { ok: false, why: 'empty endpoint in the list' };
    if (!URL.canParse(url)) return { ok: false, why: `"${url}" is not a URL` };
    const { protocol, hostname } = new URL(url);
    if ((protocol !== 'http:' && protocol !== 'https:') || hostname === '') return { ok: false, why: `"${url}" must be http://HOST:PORT or https://HOST:PORT` };
  }
  return { ok: true, value: urls };
}

const S3_QUERY_KEYS = ['endpoint', 'region', 'forcePathStyle'];

/** Checks an object-store URL: s3://BUCKET[/PREFIX][?endpoint&region&forcePathStyle], file://DIR, memory://. */
export function parseObjectStore(text: string): FlagParse<string> {
  if (!URL.canParse(text)) return { ok: false, why: 'not a URL (s3://BUCKET, file://DIR or memory://)' };
  const url = new URL(text);
  switch (url.protocol) {
    case 'memory:':
      return { ok: true, value: text };
    case 'file:':
      return text.length > 'file://'.length ? { ok: true, value: text } : { ok: false, why: 'file:// needs a directory' };
    case 's3:': {
      if (url.hostname === '') return { ok: false, why: 's3:// needs a bucket: s3://BUCKET[/PREFIX]' };
      for (const [key, value] of url.searchParams) {
        if (!S3_QUERY_KEYS.includes(key)) return { ok: false, why: `unknown s3 parameter "${key}" (allowed: ${S3_QUERY_KEYS.join(', ')})` };
        if (key === 'forcePathStyle' && value !== 'true' && value !== 'false') return { ok: false, why: 'forcePathStyle must be true or false' };
        if (key === 'endpoint' && !/^https?:\/\//.test(value)) return { ok: false, why: 'endpoint must be an http:// or https:// URL' };
      }
      return { ok: true, value: text };
    }
    default:
      return { ok: false, why: `unsupported scheme ${url.protocol} (s3://, file:// or memory://)` };
  }
}

/** Parses a cluster name usable in coordinator keys. */
export function parseClusterName(text: string): FlagParse<string> {
  return /^[A-Za-z0-9._-]{1,64}$/.test(text) ? { ok: true, value: text } : { ok: false, why: 'use 1-64 characters of A-Z, a-z, 0-9, ., _, -' };
}

/** Parses a pino log level. */
export function parseLogLevel(text: string): FlagParse<LogLevel> {
  const level = LOG_LEVELS.find((l) => l === text);
  return level === undefined ? { ok: false, why: `expected one of ${LOG_LEVELS.join(', ')}` } : { ok: true, value: level };
}

/** Bytes of the key sealing secret topic configs. */
export const SECRET_KEY_BYTES = 32;

/**
 * Decodes the content of a `--secret-key-file`: 64 hex digits or the base64 of 32 bytes, surrounding
 * whitespace ignored. The reason given never shows the content.
 */
export function parseSecretKey(text: string): FlagParse<Buffer> {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return { ok: true, value: Buffer.from(t, 'hex') };
  if (/^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}$/.test(t)) {
    const key = Buffer.from(t, 'base64');
    if (key.length === SECRET_KEY_BYTES) return { ok: true, value: key };
  }
  return { ok: false, why: `the file must hold a ${SECRET_KEY_BYTES}-byte key as 64 hex digits or base64 (e.g. openssl rand -hex 32)` };
}

/** Accepts any non-empty text (paths, rack ids). */
export function parseNonEmpty(text: string): FlagParse<string> {
  return text === '' ? { ok: false, why: 'must not be empty' } : { ok: true, value: text };
}
