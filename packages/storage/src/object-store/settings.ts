/**
 * Where a topic's objects live: the node's `--object-store` URL (cluster default) and the topic's
 * `s3.*` configs (BRIEF §6), resolved key by key (the storage router).
 */
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

export const S3_ENCRYPTIONS = ['none', 'SSE-S3', 'SSE-KMS'] as const;
export type S3Encryption = (typeof S3_ENCRYPTIONS)[number];

export const S3_STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'OUTPOSTS',
  'SNOW',
  'EXPRESS_ONEZONE',
] as const;

/** The default region when neither the settings nor the URL name one. */
export const DEFAULT_S3_REGION = 'us-east-1';

/** S3 settings, one field per topic key (names in comments). */
export interface ObjectStoreSettings {
  /** s3.bucket */
  readonly bucket: string;
  /** s3.region (default us-east-1) */
  readonly region?: string;
  /** s3.prefix: keys are stored under `prefix/` (no leading or trailing slash needed). */
  readonly prefix?: string;
  /** s3.endpoint: a custom endpoint (MinIO, s3rver, ...), e.g. http://127.0.0.1:4568 */
  readonly endpoint?: string;
  /** s3.force.path.style: `endpoint/bucket/key` instead of `bucket.endpoint/key`. */
  readonly forcePathStyle?: boolean;
  /** s3.access.key.id: static credentials (with the secret); else the AWS default provider chain. */
  readonly accessKeyId?: string;
  /** s3.secret.access.key (sensitive: never logged, never in errors). */
  readonly secretAccessKey?: string;
  /** s3.use.iam.role: use the AWS default provider chain (env, profile, IMDS/ECS role) even if keys are configured elsewhere. */
  readonly useIamRole?: boolean;
  /** s3.storage.class: e.g. STANDARD, STANDARD_IA, INTELLIGENT_TIERING. */
  readonly storageClass?: string;
  /** s3.encryption: none | SSE-S3 | SSE-KMS */
  readonly encryption?: S3Encryption;
  /** s3.kms.key.id: the KMS key for SSE-KMS (absent: the bucket's/AWS-managed key). */
  readonly kmsKeyId?: string;
}

/** Topic config key → settings field. */
export const OBJECT_STORE_TOPIC_KEYS = {
  's3.bucket': 'bucket',
  's3.region': 'region',
  's3.prefix': 'prefix',
  's3.endpoint': 'endpoint',
  's3.force.path.style': 'forcePathStyle',
  's3.access.key.id': 'accessKeyId',
  's3.secret.access.key': 'secretAccessKey',
  's3.use.iam.role': 'useIamRole',
  's3.storage.class': 'storageClass',
  's3.encryption': 'encryption',
  's3.kms.key.id': 'kmsKeyId',
} as const satisfies Record<string, keyof ObjectStoreSettings>;

export type ObjectStoreTopicKey = keyof typeof OBJECT_STORE_TOPIC_KEYS;

/** Topic keys whose values are secrets (DescribeConfigs returns them as sensitive). */
export const SENSITIVE_OBJECT_STORE_KEYS: readonly ObjectStoreTopicKey[] = ['s3.secret.access.key'];

/** Where objects live. */
export type ObjectStoreLocation =
  | { readonly scheme: 'file'; readonly root: string }
  | { readonly scheme: 's3'; readonly settings: ObjectStoreSettings };

/** A setting that does not parse or contradicts another; `setting` names the key or URL parameter. */
export class ObjectStoreSettingsError extends Error {
  override readonly name = 'ObjectStoreSettingsError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

/** URL query parameter → settings field, for `s3://bucket/prefix?...`. */
const URL_PARAMS = {
  endpoint: 'endpoint',
  region: 'region',
  forcePathStyle: 'forcePathStyle',
  accessKeyId: 'accessKeyId',
  secretAccessKey: 'secretAccessKey',
  useIamRole: 'useIamRole',
  storageClass: 'storageClass',
  encryption: 'encryption',
  kmsKeyId: 'kmsKeyId',
} as const satisfies Record<string, keyof ObjectStoreSettings>;

/**
 * Parses the node's `--object-store` flag: `file://DIR` (relative paths like `file://./data/objects`
 * resolve against `cwd`) or `s3://BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true&...`
 * (parameters named as the settings fields). Throws `ObjectStoreSettingsError` naming the part at fault.
 */
export function parseObjectStoreUrl(url: string, cwd: string = process.cwd()): ObjectStoreLocation {
  const what = '--object-store';
  if (url.startsWith('file://')) {
    const rest = url.slice('file://'.length);
    if (rest === '') throw new ObjectStoreSettingsError(what, 'file:// needs a directory, e.g. file://./data/objects');
    // file:///abs/dir is a proper file URL; file://./rel and file://rel are the dev shorthand.
    const root = rest.startsWith('/') ? fileURLToPath(`file://${rest}`) : resolvePath(cwd, decodeURIComponent(rest));
    return { scheme: 'file', root };
  }
  if (!url.startsWith('s3://')) throw new ObjectStoreSettingsError(what, `unsupported URL ${JSON.stringify(redactUrl(url))}: expected s3://BUCKET[/PREFIX]?... or file://DIR`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ObjectStoreSettingsError(what, `malformed URL ${JSON.stringify(redactUrl(url))}`);
  }
  const raw: Record<string, string> = { bucket: decodeURIComponent(parsed.hostname) };
  const prefix = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  if (prefix !== '') raw.prefix = prefix;
  for (const [name, value] of parsed.searchParams) {
    if (!(name in URL_PARAMS)) {
      throw new ObjectStoreSettingsError(`${what} parameter ${name}`, `unknown; expected one of ${Object.keys(URL_PARAMS).join(', ')}`);
    }
    raw[URL_PARAMS[name as keyof typeof URL_PARAMS]] = value;
  }
  const settings = settingsFromStrings(raw, (field) => {
    const param = Object.entries(URL_PARAMS).find(([, f]) => f === field)?.[0];
    return param === undefined ? `${what} ${field}` : `${what} parameter ${param}`;
  });
  return { scheme: 's3', settings };
}

/**
 * Parses a topic's `s3.*` configs (only the keys present; values as strings, as Kafka configs are).
 * Unknown `s3.*` keys are rejected. Returns the fields that were set.
 */
export function objectStoreSettingsFromTopicConfig(config: Readonly<Record<string, string | null | undefined>>): Partial<ObjectStoreSettings> {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith('s3.') || key === 's3.enabled') continue;
    if (!(key in OBJECT_STORE_TOPIC_KEYS)) throw new ObjectStoreSettingsError(key, 'unknown object store setting');
    if (value === null || value === undefined) continue;
    raw[OBJECT_STORE_TOPIC_KEYS[key as ObjectStoreTopicKey]] = value;
  }
  return parseFields(raw, topicKeyOf);
}

/**
 * The storage router: a topic's location. Each `s3.*` key the topic sets overrides the cluster
 * default's; unset keys inherit it. Credentials are one unit: if the topic sets any of
 * `s3.access.key.id`, `s3.secret.access.key`, `s3.use.iam.role`, none of the default's are inherited
 * (a topic's key id never pairs with the cluster's secret). A topic that sets no `s3.*` key uses the
 * default as is (which may be `file://`).
 */
export function resolveObjectStoreLocation(topicConfig: Readonly<Record<string, string | null | undefined>>, clusterDefault: ObjectStoreLocation): ObjectStoreLocation {
  const topic = objectStoreSettingsFromTopicConfig(topicConfig);
  if (Object.keys(topic).length === 0) return clusterDefault;
  const base: Partial<ObjectStoreSettings> = clusterDefault.scheme === 's3' ? clusterDefault.settings : {};
  const topicSetsCredentials = topic.accessKeyId !== undefined || topic.secretAccessKey !== undefined || topic.useIamRole !== undefined;
  const inherited: Partial<ObjectStoreSettings> = topicSetsCredentials ? omitCredentials(base) : base;
  const merged = { ...inherited, ...topic };
  if (merged.bucket === undefined || merged.bucket === '') {
    throw new ObjectStoreSettingsError('s3.bucket', 'required: the topic sets s3.* settings and the cluster default is not an s3:// store');
  }
  return { scheme: 's3', settings: validateSettings(merged as ObjectStoreSettings, topicKeyOf) };
}

/** A description for logs: `s3://bucket/prefix (endpoint, region)` or `file:///dir`; never credentials. */
export function describeObjectStoreLocation(location: ObjectStoreLocation): string {
  if (location.scheme === 'file') return `file://${location.root}`;
  const s = location.settings;
  const prefix = s.prefix === undefined || s.prefix === '' ? '' : `/${s.prefix}`;
  return `s3://${s.bucket}${prefix}`;
}

/** Removes credentials from an `s3://...?secretAccessKey=...` URL (for error messages and logs). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:secretAccessKey|accessKeyId)=)[^&#]*/gi, '$1***');
}

function topicKeyOf(field: keyof ObjectStoreSettings): string {
  return Object.entries(OBJECT_STORE_TOPIC_KEYS).find(([, f]) => f === field)?.[0] ?? field;
}

function omitCredentials(s: Partial<ObjectStoreSettings>): Partial<ObjectStoreSettings> {
  const { accessKeyId: _a, secretAccessKey: _s, useIamRole: _u, ...rest } = s;
  return rest;
}

function settingsFromStrings(raw: Record<string, string>, nameOf: (field: keyof ObjectStoreSettings) => string): ObjectStoreSettings {
  const fields = parseFields(raw, nameOf);
  if (fields.bucket === undefined || fields.bucket === '') throw new ObjectStoreSettingsError(nameOf('bucket'), 'the bucket is missing');
  return validateSettings(fields as ObjectStoreSettings, nameOf);
}

function parseFields(raw: Record<string, string>, nameOf: (field: keyof ObjectStoreSettings) => string): Partial<ObjectStoreSettings> {
  const out: Record<string, string | boolean> = {};
  for (const [field, value] of Object.entries(raw) as [keyof ObjectStoreSettings, string][]) {
    if (field === 'forcePathStyle' || field === 'useIamRole') {
      const v = value.trim().toLowerCase();
      if (v !== 'true' && v !== 'false') throw new ObjectStoreSettingsError(nameOf(field), `must be true or false, got ${JSON.stringify(value)}`);
      out[field] = v === 'true';
    } else if (field === 'secretAccessKey') {
      out[field] = value;
    } else {
      out[field] = value.trim();
    }
  }
  return out;
}

/** Checks values and combinations; returns the settings with the prefix normalised (no slashes at the ends). */
export function validateSettings(s: ObjectStoreSettings, nameOf: (field: keyof ObjectStoreSettings) => string = topicKeyOf): ObjectStoreSettings {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s.bucket) && !/^[A-Za-z0-9._-]{1,255}$/.test(s.bucket)) {
    throw new ObjectStoreSettingsError(nameOf('bucket'), `invalid bucket name ${JSON.stringify(s.bucket)}`);
  }
  if (s.endpoint !== undefined && s.endpoint !== '') {
    let u: URL;
    try {
      u = new URL(s.endpoint);
    } catch {
      throw new ObjectStoreSettingsError(nameOf('endpoint'), `not a URL: ${JSON.stringify(s.endpoint)}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ObjectStoreSettingsError(nameOf('endpoint'), `must be http:// or https://, got ${u.protocol}`);
  }
  if (s.region !== undefined && !/^[a-z0-9-]+$/.test(s.region)) throw new ObjectStoreSettingsError(nameOf('region'), `invalid region ${JSON.stringify(s.region)}`);
  if (s.encryption !== undefined && !(S3_ENCRYPTIONS as readonly string[]).includes(s.encryption)) {
    throw new ObjectStoreSettingsError(nameOf('encryption'), `must be one of ${S3_ENCRYPTIONS.join(', ')}, got ${JSON.stringify(s.encryption)}`);
  }
  if (s.kmsKeyId !== undefined && s.kmsKeyId !== '' && s.encryption !== 'SSE-KMS') {
    throw new ObjectStoreSettingsError(nameOf('kmsKeyId'), `only applies with ${nameOf('encryption')}=SSE-KMS`);
  }
  if (s.storageClass !== undefined && !(S3_STORAGE_CLASSES as readonly string[]).includes(s.storageClass)) {
    throw new ObjectStoreSettingsError(nameOf('storageClass'), `must be one of ${S3_STORAGE_CLASSES.join(', ')}, got ${JSON.stringify(s.storageClass)}`);
  }
  const hasId = s.accessKeyId !== undefined && s.accessKeyId !== '';
  const hasSecret = s.secretAccessKey !== undefined && s.secretAccessKey !== '';
  if (hasId !== hasSecret) {
    throw new ObjectStoreSettingsError(nameOf(hasId ? 'secretAccessKey' : 'accessKeyId'), `required together with ${nameOf(hasId ? 'accessKeyId' : 'secretAccessKey')}`);
  }
  if (s.useIamRole === true && hasId) {
    throw new ObjectStoreSettingsError(nameOf('useIamRole'), `conflicts with ${nameOf('accessKeyId')}: use static keys or the IAM role, not both`);
  }
  const prefix = s.prefix?.replace(/^\/+|\/+$/g, '');
  return { ...s, ...(prefix === undefined ? {} : { prefix }) };
}
