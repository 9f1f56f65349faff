import { decodeRecordBatch, KafkaErrorCode, ProtocolError, scanBatches, type RecordBatchView } from '@oxbow/protocol';

/** The topic settings that decide whether a produced batch is accepted. */
export interface ValidationConfig {
  /** max.message.bytes: the largest batch accepted, in bytes including its header. */
  readonly maxMessageBytes: number;
  /** message.timestamp.type */
  readonly timestampType: 'CreateTime' | 'LogAppendTime';
  /** message.timestamp.before.max.ms / after.max.ms (CreateTime only). */
  readonly timestampBeforeMaxMs: number;
  readonly timestampAfterMaxMs: number;
  /** cleanup.policy includes compact: every record needs a key. */
  readonly compacted: boolean;
}

export type ValidationResult =
  | { readonly ok: true; readonly batch: RecordBatchView }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

const fail = (errorCode: number, message: string): ValidationResult => ({ ok: false, errorCode, message });

/**
 * Kafka's checks on a produced `records` field (Produce v3+): exactly one record batch of magic 2
 * with a valid CRC, not a control batch, within max.message.bytes, offsets dense, timestamps inside
 * the configured window; on compacted topics every record has a key. Only compacted topics pay for
 * decoding records, and topics with a bounded message.timestamp.before.max.ms; everything else is
 * decided from the batch header.
 */
export async function validateProducedRecords(records: Buffer | null, config: ValidationConfig, nowMs: number): Promise<ValidationResult> {
  if (records === null || records.length === 0) return fail(KafkaErrorCode.INVALID_RECORD, 'Produce request carries no record batch');
  let batches: RecordBatchView[];
  try {
    batches = scanBatches(records, { verifyCrc: true });
  } catch (err) {
    if (err instanceof ProtocolError) return fail(err.kafkaErrorCode, err.message);
    throw err;
  }
  const [batch] = batches;
  if (batch === undefined || batches.length !== 1) {
    return fail(KafkaErrorCode.INVALID_RECORD, `Produce requests must carry exactly one record batch per partition, got ${batches.length}`);
  }
  if (batch.size > config.maxMessageBytes) {
    return fail(KafkaErrorCode.MESSAGE_TOO_LARGE, `Batch of ${batch.size} bytes exceeds max.message.bytes=${config.maxMessageBytes}`);
  }
  if (batch.isControl) return fail(KafkaErrorCode.INVALID_RECORD, 'Clients may not write control batches');
  const count = batch.recordsCount;
  if (count < 1) return fail(KafkaErrorCode.INVALID_RECORD, 'Record batch holds no records');
  if (batch.lastOffsetDelta !== count - 1) {
    return fail(KafkaErrorCode.INVALID_RECORD, `Batch of ${count} records has last offset delta ${batch.lastOffsetDelta}`);
  }
  if (config.timestampType === 'CreateTime') {
    const now = BigInt(nowMs);
    if (batch.maxTimestamp > now + BigInt(config.timestampAfterMaxMs)) {
      return fail(KafkaErrorCode.INVALID_TIMESTAMP, `Timestamp ${batch.maxTimestamp} is more than message.timestamp.after.max.ms=${config.timestampAfterMaxMs} ahead of the broker's clock`);
    }
    if (batch.baseTimestamp < now - BigInt(config.timestampBeforeMaxMs)) {
      return fail(KafkaErrorCode.INVALID_TIMESTAMP, `Timestamp ${batch.baseTimestamp} is more than message.timestamp.before.max.ms=${config.timestampBeforeMaxMs} behind the broker's clock`);
    }
  }
  // The base timestamp is the first record's, not the oldest (records may be out of order), so a
  // bounded before-window needs the records, as on compacted topics.
  const oldestBound = config.timestampType === 'CreateTime' && config.timestampBeforeMaxMs < Number.MAX_SAFE_INTEGER ? BigInt(nowMs) - BigInt(config.timestampBeforeMaxMs) : null;
  if (config.compacted || oldestBound !== null) {
    try {
      const decoded = await decodeRecordBatch(batch, { verifyCrc: false, maxDecompressedBytes: Math.max(config.maxMessageBytes * 64, 64 << 20) });
      if (config.compacted && decoded.records.some((r) => r.key === null)) return fail(KafkaErrorCode.INVALID_RECORD, 'Compacted topic cannot accept a record without a key');
      const old = oldestBound === null ? undefined : decoded.records.find((r) => r.timestamp < oldestBound);
      if (old !== undefined) {
        return fail(KafkaErrorCode.INVALID_TIMESTAMP, `Timestamp ${old.timestamp} is more than message.timestamp.before.max.ms=${config.timestampBeforeMaxMs} behind the broker's clock`);
      }
    } catch (err) {
      if (err instanceof ProtocolError) return fail(err.kafkaErrorCode, err.message);
      throw err;
    }
  }
  return { ok: true, batch };
}
