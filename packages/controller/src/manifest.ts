/**
 * Diskless partition manifests (BRIEF §5, §7): where each committed offset range of a diskless
 * partition lives in the object store. Coordinates only, never records. The coordinator is the
 * sequencer: `commitObject` assigns offsets by compare-and-swap on each partition's next offset, so
 * two writers can never assign the same offset, and an object is visible to readers only once its
 * commit is durable.
 *
 * Entries of one partition are kept sorted by `baseOffset`, do not overlap, and together cover
 * `[startOffset, nextOffset)` except for ranges below `startOffset` already dropped.
 */

/** How the bytes of an entry are laid out in its object. */
export type ManifestEntryFormat =
  /** Raw Kafka v2 record batches at `[position, position + size)`, base offsets relative (rebased at read). */
  | 'batches'
  /** A whole Parquet file (`position` 0, `size` the file size), offsets stored absolute. */
  | 'parquet';

export interface ManifestEntry {
  /** First offset of the range. */
  readonly baseOffset: bigint;
  /** Last offset of the range (inclusive): the partition's next offset after it is lastOffset + 1. */
  readonly lastOffset: bigint;
  /** Object key, relative to the topic's object-store root (prefix included by the store). */
  readonly objectKey: string;
  readonly format: ManifestEntryFormat;
  /** Byte position of the range in the object. */
  readonly position: number;
  /** Bytes of the range. */
  readonly size: number;
  /** Records in the range (control records included). */
  readonly records: number;
  /** Largest record timestamp in the range (-1 when unknown). */
  readonly maxTimestamp: bigint;
  /** Leader epoch of the writer that committed the range (OffsetForLeaderEpoch). */
  readonly leaderEpoch: number;
  /**
   * Writer-defined metadata the coordinator stores and returns unchanged (e.g. a Parquet row-group
   * index); at most 16 KiB characters. It is stored per entry in etcd: keep it small.
   */
  readonly extra?: string;
}

/** A partition's manifest as the coordinator's local view holds it (an immutable snapshot). */
export interface PartitionManifest {
  /** Next offset to assign: the end of the committed log (0 for a partition never written). */
  readonly nextOffset: bigint;
  /** Log start offset (DeleteRecords, retention); entries wholly below it are gone. */
  readonly startOffset: bigint;
  /** Sorted by baseOffset. */
  readonly entries: readonly ManifestEntry[];
}

/** One partition's part of an object commit. */
export interface ManifestAppend {
  readonly topicId: string;
  readonly partition: number;
  /** The commit applies only if the partition's next offset is still this (compare-and-swap). */
  readonly expectedNextOffset: bigint;
  /** `entry.baseOffset` must equal `expectedNextOffset`; the next offset becomes `entry.lastOffset + 1`. */
  readonly entry: ManifestEntry;
}

export type ManifestCommitResult =
  | { readonly ok: true }
  /** Nothing was written: these partitions' next offsets differed from the expected ones. */
  | { readonly ok: false; readonly conflicts: readonly { readonly topicId: string; readonly partition: number; readonly nextOffset: bigint }[] };

/**
 * The manifest part of the Coordinator (implemented by both coordinators, covered by the
 * conformance suite). Topic ids and partitions need not exist in the topic registry: callers check.
 * Deleting a topic removes its manifests.
 *
 * Malformed arguments throw KafkaApiError INVALID_REQUEST and change nothing: a topic id that is not
 * a canonical UUID, a negative partition, an entry with a bad field (lastOffset < baseOffset,
 * empty objectKey, ...), a partition named twice in one commit, an entry whose baseOffset is not
 * its expectedNextOffset, too many appends, or (etcd) a commit larger than the configured etcd
 * transaction limits allow (`maxTxnOps`: 2 operations per append). Outages fail as the other
 * writes do (REQUEST_TIMED_OUT, retriable; the write may or may not have happened).
 */
export interface ManifestStore {
  /** The partition's manifest from the local view (empty manifest at 0 when never written). Synchronous. */
  manifest(topicId: string, partition: number): PartitionManifest;
  /**
   * Commits one object's entries for one or more partitions atomically: all are written, or none
   * (when any partition's next offset is not the expected one). Durable before resolving, and
   * reflected by `manifest()` by then. At most {@link MAX_MANIFEST_APPENDS} appends per call (an
   * empty call is a no-op). On a conflict, `manifest()` already shows at least the next offsets
   * reported, so the caller can re-decide from it.
   */
  commitObject(appends: readonly ManifestAppend[]): Promise<ManifestCommitResult>;
  /**
   * Compaction swap: replaces the entries covering exactly `[fromOffset, toOffset]` (each one's
   * base and last offsets within the range, the first starting at fromOffset and the last ending
   * at toOffset) with `entries`, which must cover the same range contiguously. Atomic; returns
   * false and changes nothing when the current entries in the range are not exactly `expected`
   * (compared by baseOffset and objectKey), e.g. because DeleteRecords dropped some meanwhile.
   * `expected` and `entries` must be non-empty and `entries` contiguous, else INVALID_REQUEST; so
   * is a replacement of a different range when `expected` matches.
   */
  replaceManifestEntries(
    topicId: string,
    partition: number,
    expected: readonly Pick<ManifestEntry, 'baseOffset' | 'objectKey'>[],
    entries: readonly ManifestEntry[],
  ): Promise<boolean>;
  /**
   * Moves the log start offset up to `startOffset` (never down, never past nextOffset) and drops
   * entries wholly below it. Returns the dropped entries (so their objects can be deleted).
   */
  advanceManifestStart(topicId: string, partition: number, startOffset: bigint): Promise<readonly ManifestEntry[]>;
  /**
   * A cluster-wide 32-byte secret key, created (random) by the first caller and the same for every
   * node and across restarts. Used to encrypt secret topic configs at rest.
   */
  clusterSecretKey(): Promise<Buffer>;
}

/** Most partitions one `commitObject` may carry (etcd transaction operation limits). */
export const MAX_MANIFEST_APPENDS = 1024;
