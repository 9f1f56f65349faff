/**
 * The Parquet schema Oxbow writes for one partition's records (docs/parquet.md lists every column).
 * One row per Kafka record. Record columns come first and are what a lake reader queries; the
 * `batch_*` columns repeat each record batch's header on its rows (dictionary/RLE encoding makes
 * them nearly free) so Fetch can rebuild the batches exactly as they were produced.
 */

/** Column names, in file order. */
export const PARQUET_COLUMNS = {
  offset: 'offset',
  timestamp: 'timestamp',
  timestampType: 'timestamp_type',
  key: 'key',
  value: 'value',
  headers: 'headers',
  producerId: 'producer_id',
  producerEpoch: 'producer_epoch',
  sequence: 'sequence',
  isTransactional: 'is_transactional',
  isControl: 'is_control',
  createTimestamp: 'create_timestamp',
  batchBaseOffset: 'batch_base_offset',
  batchLastOffsetDelta: 'batch_last_offset_delta',
  batchAttributes: 'batch_attributes',
  batchPartitionLeaderEpoch: 'batch_partition_leader_epoch',
  batchBaseTimestamp: 'batch_base_timestamp',
  batchMaxTimestamp: 'batch_max_timestamp',
  batchBaseSequence: 'batch_base_sequence',
} as const;

/** Key of the file's key-value metadata entry holding the {@link ParquetFileIndexMetadata} (JSON). */
export const OXBOW_INDEX_METADATA_KEY = 'oxbow.index';
/** Version of the Oxbow layout inside the Parquet files (bumped on incompatible change). */
export const OXBOW_PARQUET_FORMAT_VERSION = 1;

/** Kafka's timestamp type ids, as stored in `timestamp_type`. */
export const TIMESTAMP_TYPE_ID = { 'create-time': 0, 'log-append-time': 1 } as const;

/**
 * The schema as Parquet schema elements (the flattened tree hyparquet-writer takes). `headers` is a
 * standard 3-level LIST of STRUCT<key STRING, value BINARY>, which DuckDB, Spark and Trino read as
 * `list<struct<key, value>>`.
 */
export const PARQUET_SCHEMA_ELEMENTS = [
  { name: 'root', num_children: 19 },
  { name: PARQUET_COLUMNS.offset, type: 'INT64', repetition_type: 'REQUIRED' },
  {
    name: PARQUET_COLUMNS.timestamp,
    type: 'INT64',
    repetition_type: 'REQUIRED',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  { name: PARQUET_COLUMNS.timestampType, type: 'INT32', repetition_type: 'REQUIRED', converted_type: 'INT_8' },
  { name: PARQUET_COLUMNS.key, type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: PARQUET_COLUMNS.value, type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: PARQUET_COLUMNS.headers, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'REQUIRED', num_children: 2 },
  { name: 'key', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED', converted_type: 'UTF8' },
  { name: 'value', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: PARQUET_COLUMNS.producerId, type: 'INT64', repetition_type: 'REQUIRED' },
  { name: PARQUET_COLUMNS.producerEpoch, type: 'INT32', repetition_type: 'REQUIRED', converted_type: 'INT_16' },
  { name: PARQUET_COLUMNS.sequence, type: 'INT32', repetition_type: 'REQUIRED' },
  { name: PARQUET_COLUMNS.isTransactional, type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  { name: PARQUET_COLUMNS.isControl, type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  { name: PARQUET_COLUMNS.createTimestamp, type: 'INT64', repetition_type: 'OPTIONAL' },
  { name: PARQUET_COLUMNS.batchBaseOffset, type: 'INT64', repetition_type: 'REQUIRED' },
  { name: PARQUET_COLUMNS.batchLastOffsetDelta, type: 'INT32', repetition_type: 'REQUIRED' },
  { name: PARQUET_COLUMNS.batchAttributes, type: 'INT32', repetition_type: 'REQUIRED', converted_type: 'INT_16' },
  { name: PARQUET_COLUMNS.batchPartitionLeaderEpoch, type: 'INT32', repetition_type: 'REQUIRED' },
  { name: PARQUET_COLUMNS.batchBaseTimestamp, type: 'INT64', repetition_type: 'REQUIRED' },
  { name: PARQUET_COLUMNS.batchMaxTimestamp, type: 'INT64', repetition_type: 'REQUIRED' },
  { name: PARQUET_COLUMNS.batchBaseSequence, type: 'INT32', repetition_type: 'REQUIRED' },
] as const;
