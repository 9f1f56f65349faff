// Public surface of @oxbow/storage. Explicit named exports only.
export {
  STORAGE_ERROR_CODES,
  StorageError,
  type StorageErrorCode,
  type LogConfig,
  type AppendBatchesInfo,
  type ReadOptions,
  type ReadResult,
  type TimestampOffset,
  type SegmentInfo,
  type CompactionStats,
  type LogLogger,
} from './log/types.js';
export { PartitionLog, type PartitionLogOptions } from './log/partition-log.js';
export { appendInfoOf } from './log/append-check.js';
export { DEFAULT_LOG_CONFIG, MAX_SEGMENT_BYTES, validateLogConfig } from './log/config.js';
export { LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEntry, type EpochEndOffset } from './log/leader-epoch-cache.js';
export { openLogFile, type LogFile, type OpenLogFile } from './log/log-file.js';
export {
  type ObjectStore,
  type ObjectStoreCapabilities,
  type ObjectStoreCheck,
  type ObjectInfo,
  type PutOptions,
  type PutResult,
  type GetOptions,
  type ByteRange,
  type ListOptions,
  type ListPageOptions,
  type ListPage,
} from './object-store/types.js';
export { OBJECT_STORE_ERROR_CODES, ObjectStoreError, isObjectStoreError, type ObjectStoreErrorCode, type ObjectStoreErrorDetails } from './object-store/errors.js';
export { FileObjectStore, type FileObjectStoreOptions } from './object-store/file-object-store.js';
export { S3ObjectStore, DEFAULT_S3_STORE_OPTIONS, MIN_PART_SIZE, type S3ObjectStoreOptions } from './object-store/s3-object-store.js';
export { S3ClientPool, DEFAULT_S3_CLIENT_OPTIONS, credentialsHash, s3ClientKey, type S3ClientOptions, type PooledS3Client } from './object-store/s3-client-pool.js';
export { openObjectStore, type OpenObjectStoreOptions } from './object-store/open-object-store.js';
export {
  DEFAULT_S3_REGION,
  OBJECT_STORE_TOPIC_KEYS,
  SENSITIVE_OBJECT_STORE_KEYS,
  S3_ENCRYPTIONS,
  S3_STORAGE_CLASSES,
  ObjectStoreSettingsError,
  describeObjectStoreLocation,
  objectStoreSettingsFromTopicConfig,
  parseObjectStoreUrl,
  redactUrl,
  resolveObjectStoreLocation,
  validateSettings,
  type ObjectStoreLocation,
  type ObjectStoreSettings,
  type ObjectStoreTopicKey,
  type S3Encryption,
} from './object-store/settings.js';
export { OBJECT_STORE_ATTRIBUTES, OBJECT_STORE_METRICS, TELEMETRY_SCOPE } from './object-store/telemetry.js';
export {
  DEFAULT_PARQUET_WRITER,
  DEFAULT_ROW_GROUP_BYTES,
  PARQUET_COMPRESSIONS,
  PARQUET_WRITERS,
  type ParquetByteRange,
  type ParquetCodec,
  type ParquetCompression,
  type ParquetDecodeOptions,
  type ParquetDecodeResult,
  type ParquetEncodeOptions,
  type ParquetEncodeResult,
  type ParquetFileIndex,
  type ParquetInput,
  type ParquetRanges,
  type ParquetRowGroupInfo,
  type ParquetWriterName,
} from './parquet/types.js';
export { PARQUET_ERROR_CODES, ParquetCodecError, isParquetCodecError, type ParquetErrorCode } from './parquet/errors.js';
export { InThreadParquetCodec, type InThreadParquetCodecOptions } from './parquet/in-thread-codec.js';
export { ParquetWorkerPool, type ParquetWorkerPoolOptions, type WithJobInfo } from './parquet/worker-pool.js';
export { type ParquetJobInfo } from './parquet/job.js';
export { planParquetRead } from './parquet/file-index.js';
export { parquetCompressionSupport } from './parquet/compression.js';
export { PARQUET_COLUMNS, TIMESTAMP_TYPE_ID, OXBOW_INDEX_METADATA_KEY, OXBOW_PARQUET_FORMAT_VERSION } from './parquet/schema.js';
export { PARQUET_ATTRIBUTES, PARQUET_METRICS } from './parquet/telemetry.js';
export { lakeObjectKey } from './parquet/lake-layout.js';
