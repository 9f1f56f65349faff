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
export { DEFAULT_LOG_CONFIG, MAX_SEGMENT_BYTES, validateLogConfig } from './log/config.js';
export { LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEntry, type EpochEndOffset } from './log/leader-epoch-cache.js';
export { openLogFile, type LogFile, type OpenLogFile } from './log/log-file.js';
