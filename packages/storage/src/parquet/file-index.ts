import type { FileMetaData } from 'hyparquet';
import type { EmptyBatchEntry, PlannedRowGroup } from './columns.js';
import { ParquetCodecError } from './errors.js';
import { OXBOW_INDEX_METADATA_KEY, OXBOW_PARQUET_FORMAT_VERSION } from './schema.js';
import type { ParquetByteRange, ParquetFileIndex, ParquetRowGroupInfo } from './types.js';

/**
 * Oxbow's index in the file's key-value metadata: batch-aligned row groups with their offset
 * ranges (exact, unlike min/max statistics, which cover record offsets, not batch ends) and the
 * batches without records, which have no rows. JSON with int64 values as decimal strings.
 */
export interface IndexMetadata {
  readonly rowGroups: readonly { readonly firstOffset: bigint; readonly lastOffset: bigint; readonly rows: number; readonly batches: number }[];
  readonly emptyBatches: readonly EmptyBatchEntry[];
}

interface IndexJson {
  v: number;
  rowGroups: { first: string; last: string; rows: number; batches: number }[];
  empty: { rg: number; base: string; lod: number; attr: number; ple: number; bts: string; mts: string; pid: string; pep: number; seq: number }[];
}

export function encodeIndexMetadata(rowGroups: readonly PlannedRowGroup[], emptyBatches: readonly EmptyBatchEntry[]): string {
  const json: IndexJson = {
    v: OXBOW_PARQUET_FORMAT_VERSION,
    rowGroups: rowGroups.map((g) => ({ first: g.firstOffset.toString(), last: g.lastOffset.toString(), rows: g.rows, batches: g.batches })),
    empty: emptyBatches.map((b) => ({
      rg: b.rowGroup,
      base: b.baseOffset.toString(),
      lod: b.lastOffsetDelta,
      attr: b.attributes,
      ple: b.partitionLeaderEpoch,
      bts: b.baseTimestamp.toString(),
      mts: b.maxTimestamp.toString(),
      pid: b.producerId.toString(),
      pep: b.producerEpoch,
      seq: b.baseSequence,
    })),
  };
  return JSON.stringify(json);
}

export function decodeIndexMetadata(metadata: FileMetaData): IndexMetadata {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === OXBOW_INDEX_METADATA_KEY);
  if (entry?.value === undefined) throw new ParquetCodecError('CORRUPT_FILE', `the file has no ${OXBOW_INDEX_METADATA_KEY} metadata: not written by Oxbow`);
  let json: IndexJson;
  try {
    json = JSON.parse(entry.value) as IndexJson;
  } catch (error) {
    throw new ParquetCodecError('CORRUPT_FILE', `${OXBOW_INDEX_METADATA_KEY} is not JSON`, { cause: error });
  }
  if (json.v !== OXBOW_PARQUET_FORMAT_VERSION) throw new ParquetCodecError('CORRUPT_FILE', `unsupported Oxbow Parquet layout version ${json.v}`);
  if (json.rowGroups.length !== metadata.row_groups.length) {
    throw new ParquetCodecError('CORRUPT_FILE', `index lists ${json.rowGroups.length} row groups, the file has ${metadata.row_groups.length}`);
  }
  return {
    rowGroups: json.rowGroups.map((g) => ({ firstOffset: BigInt(g.first), lastOffset: BigInt(g.last), rows: g.rows, batches: g.batches })),
    emptyBatches: json.empty.map((e) => ({
      rowGroup: e.rg,
      baseOffset: BigInt(e.base),
      lastOffsetDelta: e.lod,
      attributes: e.attr,
      partitionLeaderEpoch: e.ple,
      baseTimestamp: BigInt(e.bts),
      maxTimestamp: BigInt(e.mts),
      producerId: BigInt(e.pid),
      producerEpoch: e.pep,
      baseSequence: e.seq,
    })),
  };
}

/** Byte range of each row group's column chunks (from the first chunk's first page to the last chunk's end). */
export function rowGroupRanges(metadata: FileMetaData): ParquetByteRange[] {
  return metadata.row_groups.map((rg) => {
    let start = Number.MAX_SAFE_INTEGER;
    let end = 0;
    for (const col of rg.columns) {
      const md = col.meta_data;
      if (md === undefined) throw new ParquetCodecError('CORRUPT_FILE', 'column chunk without metadata');
      const first = Number(md.dictionary_page_offset !== undefined && md.dictionary_page_offset > 0n ? md.dictionary_page_offset : md.data_page_offset);
      start = Math.min(start, first);
      end = Math.max(end, first + Number(md.total_compressed_size));
    }
    return { offset: start, length: end - start };
  });
}

/** The index a manifest keeps for a file: footer range plus each row group's offsets and bytes. */
export function fileIndexOf(metadata: FileMetaData, fileSize: number): ParquetFileIndex {
  const index = decodeIndexMetadata(metadata);
  const ranges = rowGroupRanges(metadata);
  const footerLength = metadata.metadata_length + 8;
  const rowGroups: ParquetRowGroupInfo[] = index.rowGroups.map((g, i) => {
    const range = ranges[i];
    if (range === undefined) throw new ParquetCodecError('CORRUPT_FILE', `row group ${i} has no byte range`);
    return { ...g, range };
  });
  return { fileSize, footer: { offset: fileSize - footerLength, length: footerLength }, rowGroups };
}

/**
 * The byte ranges to GET to answer a Fetch at `fromOffset` for up to `maxBytes` from a file with
 * this index: the footer, then whole row groups from the one whose batches reach `fromOffset`
 * until the uncompressed size estimate covers `maxBytes` (at least one row group). Pure
 * arithmetic on the manifest's index; no Parquet is read.
 */
export function planParquetRead(index: ParquetFileIndex, fromOffset: bigint, maxBytes: number): ParquetByteRange[] {
  const ranges: ParquetByteRange[] = [];
  let budget = maxBytes;
  for (const rg of index.rowGroups) {
    if (rg.lastOffset < fromOffset) continue;
    ranges.push(rg.range);
    // Compressed bytes understate the batches they rebuild into, so this may fetch one group too few
    // for a large maxBytes; the reader then returns fewer bytes and the next Fetch continues.
    budget -= rg.range.length;
    if (budget <= 0) break;
  }
  ranges.push(index.footer);
  return ranges;
}
