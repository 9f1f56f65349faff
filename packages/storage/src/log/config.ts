import { StorageError, type LogConfig } from './types.js';

/** Positions in segment and index files are int32, so a segment is at most 1 GiB. */
export const MAX_SEGMENT_BYTES = 2 ** 30;

/** Kafka's defaults (flush.* "never": the OS flushes; durability comes from replication). */
export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: MAX_SEGMENT_BYTES,
  segmentMs: 7 * 24 * 3600 * 1000,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  cleanupPolicy: ['delete'],
  indexIntervalBytes: 4096,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  deleteRetentionMs: 24 * 3600 * 1000,
  minCompactionLagMs: 0,
  minCleanableDirtyRatio: 0.5,
  fileDeleteDelayMs: 60_000,
};

function check(ok: boolean, key: string, value: unknown, rule: string): void {
  if (!ok) throw new StorageError('invalid-argument', `log config ${key}=${String(value)}: ${rule}`);
}

const isInt = (v: number): boolean => Number.isSafeInteger(v);

/** Checks every value's range; throws StorageError `invalid-argument` naming the first bad key. */
export function validateLogConfig(config: LogConfig): LogConfig {
  const c = config;
  check(isInt(c.segmentBytes) && c.segmentBytes >= 1 && c.segmentBytes <= MAX_SEGMENT_BYTES, 'segment.bytes', c.segmentBytes, `must be 1..${MAX_SEGMENT_BYTES}`);
  check(isInt(c.segmentMs) && c.segmentMs >= 1, 'segment.ms', c.segmentMs, 'must be a positive integer');
  check(isInt(c.retentionMs) && c.retentionMs >= -1, 'retention.ms', c.retentionMs, 'must be -1 or more');
  check(isInt(c.retentionBytes) && c.retentionBytes >= -1, 'retention.bytes', c.retentionBytes, 'must be -1 or more');
  check(c.cleanupPolicy.length > 0 && c.cleanupPolicy.every((p) => p === 'delete' || p === 'compact'), 'cleanup.policy', c.cleanupPolicy.join(','), 'must be delete and/or compact');
  check(isInt(c.indexIntervalBytes) && c.indexIntervalBytes >= 0, 'index.interval.bytes', c.indexIntervalBytes, 'must be 0 or more');
  check(isInt(c.flushMessages) && c.flushMessages >= 1, 'flush.messages', c.flushMessages, 'must be a positive integer');
  check(isInt(c.flushMs) && c.flushMs >= 0, 'flush.ms', c.flushMs, 'must be 0 or more');
  check(isInt(c.deleteRetentionMs) && c.deleteRetentionMs >= 0, 'delete.retention.ms', c.deleteRetentionMs, 'must be 0 or more');
  check(isInt(c.minCompactionLagMs) && c.minCompactionLagMs >= 0, 'min.compaction.lag.ms', c.minCompactionLagMs, 'must be 0 or more');
  check(c.minCleanableDirtyRatio >= 0 && c.minCleanableDirtyRatio <= 1, 'min.cleanable.dirty.ratio', c.minCleanableDirtyRatio, 'must be within 0..1');
  check(isInt(c.fileDeleteDelayMs) && c.fileDeleteDelayMs >= 0, 'file.delete.delay.ms', c.fileDeleteDelayMs, 'must be 0 or more');
  return c;
}
