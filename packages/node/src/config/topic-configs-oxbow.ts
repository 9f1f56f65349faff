// Oxbow's own topic-level configs (BRIEF §5, §6): the storage mode, per-topic object-store bucket
// and credentials, diskless flushing, tiered ages and external Parquet sources. Keys with a
// same-named broker synonym take their cluster-wide default from `--set KEY=VALUE`.
import { atLeast, custom, NO_VALIDATOR, oneOf, type ConfigKeyDef } from './config-def.js';

/** S3 bucket naming rules: 3-63 chars of a-z, 0-9, '.', '-', starting and ending alphanumeric. */
function bucketName(value: string): string | null {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value)) return 'Not a valid bucket name (3-63 characters of a-z, 0-9, ., -)';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(value) || value.includes('..')) return 'Not a valid bucket name';
  return null;
}

function region(value: string): string | null {
  return /^[A-Za-z0-9_-]+$/.test(value) ? null : 'Not a region name such as us-east-1';
}

/** Key prefixes are relative: no leading '/', no '..' segments. */
function keyPrefix(value: string): string | null {
  if (value.startsWith('/')) return 'A prefix must not start with /';
  return value.split('/').includes('..') ? 'A prefix must not contain .. segments' : null;
}

function httpUrl(value: string): string | null {
  if (!URL.canParse(value)) return 'Not a URL';
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:' ? null : 'Must be an http:// or https:// URL';
}

function nonEmpty(value: string): string | null {
  return value === '' ? 'Must not be empty' : null;
}

function columnList(value: string): string | null {
  return value === '' || value.split(',').every((c) => c.trim() !== '') ? null : 'Column names must not be empty';
}

/** How external offsets are assigned: row numbers, or the order of a timestamp or integer column. */
export type ExternalOffsetMode =
  | { readonly kind: 'row' }
  | { readonly kind: 'timestamp'; readonly column: string }
  | { readonly kind: 'column'; readonly column: string };

/** Parses `row`, `timestamp:COL` or `column:COL`; null when the text is none of them. */
export function parseExternalOffsetMode(value: string): ExternalOffsetMode | null {
  if (value === 'row') return { kind: 'row' };
  const match = /^(timestamp|column):(.+)$/.exec(value);
  if (match === null) return null;
  const column = (match[2] ?? '').trim();
  if (column === '') return null;
  return match[1] === 'timestamp' ? { kind: 'timestamp', column } : { kind: 'column', column };
}

function offsetMode(value: string): string | null {
  return parseExternalOffsetMode(value) === null ? 'Must be row, timestamp:COLUMN or column:COLUMN' : null;
}

function parquetPattern(value: string): string | null {
  if (value === '') return 'Must not be empty';
  if (value.startsWith('/') || value.split('/').includes('..')) return 'Must be relative to the source (no leading /, no ..)';
  return value.split('{partition}').length > 2 ? '{partition} may appear only once' : null;
}

/** The storage modes of BRIEF §5. */
export const STORAGE_MODES = ['standard', 'tiered', 'hybrid', 'diskless', 'external'] as const;

/** One of {@link STORAGE_MODES}. */
export type StorageMode = (typeof STORAGE_MODES)[number];

/** Object classes readable without a restore step, so fetches can always be served. */
const STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'REDUCED_REDUNDANCY', 'EXPRESS_ONEZONE'] as const;

/** Every Oxbow-specific topic config. */
export const OXBOW_TOPIC_CONFIGS = {
  'storage.mode': {
    type: 'string', default: 'standard', validator: oneOf(...STORAGE_MODES), immutable: true,
    doc: 'Where the topic lives: standard, tiered, hybrid, diskless or external (read-only Parquet); fixed at creation.',
    brokerSynonyms: [],
  },
  's3.enabled': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR,
    doc: "Use this topic's own s3.* bucket settings instead of the cluster object store (default false).",
    brokerSynonyms: [],
  },
  's3.bucket': {
    type: 'string', default: null, validator: custom('an S3 bucket name', bucketName),
    doc: 'Bucket for this topic when s3.enabled=true (required then; no default).',
    brokerSynonyms: [],
  },
  's3.region': {
    type: 'string', default: null, validator: custom('a region name', region),
    doc: "Region of the topic's bucket (default: the cluster object store's region).",
    brokerSynonyms: [],
  },
  's3.prefix': {
    type: 'string', default: '', validator: custom('a relative key prefix', keyPrefix),
    doc: "Key prefix for the topic's objects inside its bucket (default empty).",
    brokerSynonyms: [],
  },
  's3.endpoint': {
    type: 'string', default: null, validator: custom('an http(s) URL', httpUrl),
    doc: 'S3-compatible endpoint URL such as MinIO (default: AWS for the region).',
    brokerSynonyms: [],
  },
  's3.force.path.style': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR,
    doc: 'Address the bucket as endpoint/bucket rather than bucket.endpoint, as MinIO and s3rver need (default false).',
    brokerSynonyms: [],
  },
  's3.access.key.id': {
    type: 'string', default: null, validator: custom('an access key id', nonEmpty),
    doc: 'Static access key id for the topic bucket; set together with s3.secret.access.key (default: none).',
    brokerSynonyms: [],
  },
  's3.secret.access.key': {
    type: 'password', default: null, validator: NO_VALIDATOR, sensitive: true,
    doc: 'Secret for s3.access.key.id; stored encrypted, never returned or logged (default: none).',
    brokerSynonyms: [],
  },
  's3.use.iam.role': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR,
    doc: "Take credentials from the node's environment or instance role instead of static keys (default false).",
    brokerSynonyms: [],
  },
  's3.storage.class': {
    type: 'string', default: 'STANDARD', validator: oneOf(...STORAGE_CLASSES),
    doc: 'Storage class for new objects; only classes readable without a restore are allowed (default STANDARD).',
    brokerSynonyms: [],
  },
  's3.encryption': {
    type: 'string', default: 'none', validator: oneOf('none', 'SSE-S3', 'SSE-KMS'),
    doc: 'Server-side encryption requested on upload: none, SSE-S3 or SSE-KMS (default none).',
    brokerSynonyms: [],
  },
  's3.kms.key.id': {
    type: 'string', default: null, validator: custom('a KMS key id or ARN', nonEmpty),
    doc: "KMS key for s3.encryption=SSE-KMS (default: the bucket's AWS-managed key).",
    brokerSynonyms: [],
  },
  'diskless.flush.interval.ms': {
    type: 'int', default: '250', validator: atLeast(1),
    doc: 'Longest a diskless batch waits in the node buffer before the shared object is written (default 250).',
    brokerSynonyms: [{ name: 'diskless.flush.interval.ms' }],
  },
  'diskless.flush.bytes': {
    type: 'int', default: '8388608', validator: atLeast(1),
    doc: 'Buffered bytes that trigger a diskless flush (default 8 MiB).',
    brokerSynonyms: [{ name: 'diskless.flush.bytes' }],
  },
  'diskless.flush.records': {
    type: 'int', default: '0', validator: atLeast(0),
    doc: 'Buffered records that trigger a diskless flush (default 0 = no record-count trigger).',
    brokerSynonyms: [{ name: 'diskless.flush.records' }],
  },
  'diskless.format': {
    type: 'string', default: 'parquet', validator: oneOf('parquet', 'segment'),
    doc: 'Layout the compactor writes per partition: parquet (lake layout) or segment (Kafka batches) (default parquet).',
    brokerSynonyms: [{ name: 'diskless.format' }],
  },
  'diskless.compression': {
    type: 'string', default: 'zstd', validator: oneOf('zstd', 'snappy', 'gzip', 'none'),
    doc: 'Compression inside diskless Parquet files (default zstd).',
    brokerSynonyms: [{ name: 'diskless.compression' }],
  },
  'diskless.ack.mode': {
    type: 'string', default: 'durable', validator: oneOf('durable', 'buffered'),
    doc: 'durable acks after object PUT and manifest commit; buffered acks at buffer and may lose acked records (default durable).',
    brokerSynonyms: [{ name: 'diskless.ack.mode' }],
  },
  'diskless.read.cache.bytes': {
    type: 'long', default: '67108864', validator: atLeast(0n),
    doc: 'Bytes of fetched objects this topic may keep in the node read cache (default 64 MiB, 0 = no caching).',
    brokerSynonyms: [{ name: 'diskless.read.cache.bytes' }],
  },
  'tiered.warm.age.ms': {
    type: 'long', default: '3600000', validator: atLeast(0n),
    doc: 'Age at which a sealed segment is uploaded to the object store (warm) (default 1 hour).',
    brokerSynonyms: [{ name: 'tiered.warm.age.ms' }],
  },
  'tiered.cold.age.ms': {
    type: 'long', default: '604800000', validator: atLeast(0n),
    doc: 'Age at which an uploaded segment is archived (cold); at least tiered.warm.age.ms (default 7 days).',
    brokerSynonyms: [{ name: 'tiered.cold.age.ms' }],
  },
  'tiered.archive.interval.ms': {
    type: 'long', default: '300000', validator: atLeast(1000n),
    doc: 'How often the background archiver looks for segments to move (default 5 minutes).',
    brokerSynonyms: [{ name: 'tiered.archive.interval.ms' }],
  },
  'external.source': {
    type: 'string', default: null, validator: oneOf('s3', 'file'),
    doc: 'Where the Parquet files of an external (or hybrid history) topic live: s3 or file (no default).',
    brokerSynonyms: [],
  },
  'external.path': {
    type: 'string', default: null, validator: custom('a directory', nonEmpty),
    doc: 'Directory of the Parquet files when external.source=file.',
    brokerSynonyms: [],
  },
  'external.s3.bucket': {
    type: 'string', default: null, validator: custom('an S3 bucket name', bucketName),
    doc: 'Bucket of the Parquet files when external.source=s3.',
    brokerSynonyms: [],
  },
  'external.s3.region': {
    type: 'string', default: null, validator: custom('a region name', region),
    doc: "Region of external.s3.bucket (default: the cluster object store's region).",
    brokerSynonyms: [],
  },
  'external.s3.prefix': {
    type: 'string', default: '', validator: custom('a relative key prefix', keyPrefix),
    doc: 'Key prefix under which the Parquet files live (default empty).',
    brokerSynonyms: [],
  },
  'external.s3.endpoint': {
    type: 'string', default: null, validator: custom('an http(s) URL', httpUrl),
    doc: 'S3-compatible endpoint for external.s3.bucket (default: AWS for the region).',
    brokerSynonyms: [],
  },
  'external.s3.force.path.style': {
    type: 'boolean', default: 'false', validator: NO_VALIDATOR,
    doc: 'Path-style addressing for external.s3.bucket, as MinIO and s3rver need (default false).',
    brokerSynonyms: [],
  },
  'external.s3.access.key.id': {
    type: 'string', default: null, validator: custom('an access key id', nonEmpty),
    doc: 'Static access key id for external.s3.bucket (default: the node environment).',
    brokerSynonyms: [],
  },
  'external.s3.secret.access.key': {
    type: 'password', default: null, validator: NO_VALIDATOR, sensitive: true,
    doc: 'Secret for external.s3.access.key.id; stored encrypted, never returned or logged.',
    brokerSynonyms: [],
  },
  'external.parquet.pattern': {
    type: 'string', default: '**/*.parquet', validator: custom('a relative glob, {partition} at most once', parquetPattern),
    doc: 'Glob of the files to serve; with {partition} (e.g. partition={partition}/*.parquet) files map to partitions, else all go to partition 0.',
    brokerSynonyms: [],
  },
  'external.offset.mode': {
    type: 'string', default: 'row', validator: custom('row, timestamp:COLUMN or column:COLUMN', offsetMode),
    doc: 'How offsets are assigned: row (row number across files ordered by path), timestamp:COL or column:COL (default row).',
    brokerSynonyms: [],
  },
  'external.key.column': {
    type: 'string', default: null, validator: custom('a column name', nonEmpty),
    doc: 'Column that becomes the record key (default: null keys).',
    brokerSynonyms: [],
  },
  'external.value.column': {
    type: 'string', default: null, validator: custom('a column name', nonEmpty),
    doc: 'Column that becomes the record value when external.value.mode=column.',
    brokerSynonyms: [],
  },
  'external.value.mode': {
    type: 'string', default: 'json', validator: oneOf('json', 'column'),
    doc: 'json: the value is a JSON object of the row (or of external.value.columns); column: the raw external.value.column (default json).',
    brokerSynonyms: [],
  },
  'external.value.columns': {
    type: 'list', default: '', validator: custom('a list of column names', columnList),
    doc: 'Columns included in JSON values (default empty = every column).',
    brokerSynonyms: [],
  },
  'external.timestamp.column': {
    type: 'string', default: null, validator: custom('a column name', nonEmpty),
    doc: "Column that becomes the record timestamp (default: the file's modification time).",
    brokerSynonyms: [],
  },
  'external.refresh.interval.ms': {
    type: 'long', default: '60000', validator: atLeast(0n),
    doc: 'How often the source is listed for new files (default 1 minute, 0 = only at start-up).',
    brokerSynonyms: [],
  },
} as const satisfies Record<string, ConfigKeyDef>;
