/**
 * The manifest logic both coordinators share (the ManifestStore contract in manifest.ts): argument
 * validation, the decisions of `commitObject` (compare next offsets), `replaceManifestEntries`
 * (check the expected entries, check the replacement covers the same range) and
 * `advanceManifestStart` (clamp, find what drops), and the in-memory manifest of one partition
 * that the embedded coordinator and the etcd view both keep. No I/O here: each coordinator turns a
 * decision into its own durable write and applies it only once that write is durable.
 */
import { KafkaApiError } from '@oxbow/protocol';
import { isValidTopicId } from './identifiers.js';
import { MAX_MANIFEST_APPENDS, type ManifestAppend, type ManifestEntry, type PartitionManifest } from './manifest.js';

/** Kafka offsets are int64: the last offset must leave room for next = last + 1. */
const MAX_OFFSET = (1n << 63n) - 2n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
/** S3's key length limit. */
const MAX_OBJECT_KEY_LENGTH = 1024;
/** Bounds `extra` so that a full commit stays far below etcd's request size limit. */
export const MAX_MANIFEST_EXTRA_LENGTH = 16 * 1024;

export const EMPTY_MANIFEST: PartitionManifest = Object.freeze({ nextOffset: 0n, startOffset: 0n, entries: Object.freeze([]) });

/** Array.isArray without narrowing a typed readonly array to any[] (callers may pass anything at run time). */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

function invalid(message: string): KafkaApiError {
  return new KafkaApiError('INVALID_REQUEST', message);
}

/** Throws INVALID_REQUEST unless `topicId`/`partition` can name a manifest. */
export function checkPartitionRef(topicId: string, partition: number): void {
  if (typeof topicId !== 'string' || !isValidTopicId(topicId)) throw invalid(`Manifest topic id must be a canonical UUID, got ${JSON.stringify(topicId)}.`);
  if (!Number.isInteger(partition) || partition < 0 || partition > 0x7fffffff) throw invalid(`Manifest partition must be a non-negative int32, got ${partition}.`);
}

/** Throws INVALID_REQUEST unless `e` is a well-formed entry (`what` names it in the message). */
export function checkEntry(e: ManifestEntry, what: string): void {
  const fail = (detail: string): never => {
    throw invalid(`${what}: ${detail}.`);
  };
  if (typeof e !== 'object' || e === null) fail('not an object');
  if (typeof e.baseOffset !== 'bigint' || e.baseOffset < 0n) fail('baseOffset must be a non-negative bigint');
  if (typeof e.lastOffset !== 'bigint' || e.lastOffset < e.baseOffset || e.lastOffset > MAX_OFFSET) fail(`lastOffset must be a bigint in [baseOffset, 2^63 - 2]`);
  if (typeof e.objectKey !== 'string' || e.objectKey.length === 0 || e.objectKey.length > MAX_OBJECT_KEY_LENGTH) fail(`objectKey must be 1-${MAX_OBJECT_KEY_LENGTH} characters`);
  if (e.format !== 'batches' && e.format !== 'parquet') fail(`format must be 'batches' or 'parquet', got ${JSON.stringify(e.format)}`);
  for (const field of ['position', 'size', 'records'] as const) {
    if (!Number.isSafeInteger(e[field]) || e[field] < 0) fail(`${field} must be a non-negative integer`);
  }
  if (typeof e.maxTimestamp !== 'bigint' || e.maxTimestamp < INT64_MIN || e.maxTimestamp > INT64_MAX) fail('maxTimestamp must be an int64 bigint');
  if (!Number.isInteger(e.leaderEpoch) || e.leaderEpoch < -1 || e.leaderEpoch > 0x7fffffff) fail('leaderEpoch must be an int32 >= -1');
  if (e.extra !== undefined && (typeof e.extra !== 'string' || e.extra.length > MAX_MANIFEST_EXTRA_LENGTH)) fail(`extra must be a string of at most ${MAX_MANIFEST_EXTRA_LENGTH} characters`);
}

/** A frozen copy holding exactly the entry's fields (no caller-owned object is kept). */
export function freezeEntry(e: ManifestEntry): ManifestEntry {
  const { baseOffset, lastOffset, objectKey, format, position, size, records, maxTimestamp, leaderEpoch, extra } = e;
  return Object.freeze({ baseOffset, lastOffset, objectKey, format, position, size, records, maxTimestamp, leaderEpoch, ...(extra === undefined ? {} : { extra }) });
}

export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}/${partition}`;
}

/**
 * Throws INVALID_REQUEST for a malformed commit: more than MAX_MANIFEST_APPENDS appends, a
 * partition named twice, a bad entry, or an entry that does not start at its expected next offset.
 */
export function checkAppends(appends: readonly ManifestAppend[]): void {
  if (!isList(appends)) throw invalid('commitObject takes an array of appends.');
  if (appends.length > MAX_MANIFEST_APPENDS) throw invalid(`An object commit may carry at most ${MAX_MANIFEST_APPENDS} partitions, got ${appends.length}.`);
  const seen = new Set<string>();
  for (const a of appends) {
    checkPartitionRef(a.topicId, a.partition);
    const key = partitionKey(a.topicId, a.partition);
    if (seen.has(key)) throw invalid(`Partition ${key} appears twice in one object commit.`);
    seen.add(key);
    if (typeof a.expectedNextOffset !== 'bigint' || a.expectedNextOffset < 0n) throw invalid(`Partition ${key}: expectedNextOffset must be a non-negative bigint.`);
    checkEntry(a.entry, `Manifest entry of ${key}`);
    if (a.entry.baseOffset !== a.expectedNextOffset) {
      throw invalid(`Partition ${key}: the entry's baseOffset ${a.entry.baseOffset} is not the expected next offset ${a.expectedNextOffset}.`);
    }
  }
}

/** What a successful replace changes: the entries with base offsets in [from, to] give way. */
export interface ReplacePlan {
  readonly from: bigint;
  readonly to: bigint;
  readonly removed: readonly ManifestEntry[];
}

/** Checks a replace's arguments alone (INVALID_REQUEST): entries well-formed, sorted and contiguous. */
export function checkReplacement(expected: readonly Pick<ManifestEntry, 'baseOffset' | 'objectKey'>[], entries: readonly ManifestEntry[]): void {
  if (!isList(expected) || expected.length === 0) throw invalid('replaceManifestEntries needs at least one expected entry.');
  if (!isList(entries) || entries.length === 0) throw invalid('replaceManifestEntries needs at least one replacement entry.');
  entries.forEach((e, i) => {
    checkEntry(e, `Replacement entry ${i}`);
    const previous = entries[i - 1];
    if (previous !== undefined && e.baseOffset !== previous.lastOffset + 1n) {
      throw invalid(`Replacement entries must be contiguous: entry ${i} starts at ${e.baseOffset}, not ${previous.lastOffset + 1n}.`);
    }
  });
}

/**
 * Decides a replace on `current`: undefined when the entries there are not exactly `expected` (by
 * baseOffset and objectKey; nothing may change then), else the plan. Throws INVALID_REQUEST when
 * they match but `entries` do not cover the same range. Call checkReplacement first.
 */
export function planReplace(
  current: PartitionManifest,
  expected: readonly Pick<ManifestEntry, 'baseOffset' | 'objectKey'>[],
  entries: readonly ManifestEntry[],
): ReplacePlan | undefined {
  const first = expected[0];
  if (first === undefined) return undefined;
  const at = indexOfBase(current.entries, first.baseOffset);
  if (at < 0) return undefined;
  const removed = current.entries.slice(at, at + expected.length);
  if (removed.length !== expected.length || removed.some((e, i) => e.baseOffset !== expected[i]?.baseOffset || e.objectKey !== expected[i]?.objectKey)) return undefined;
  const from = first.baseOffset;
  const to = removed[removed.length - 1]?.lastOffset ?? from;
  const newFirst = entries[0]?.baseOffset;
  const newLast = entries[entries.length - 1]?.lastOffset;
  if (newFirst !== from || newLast !== to) {
    throw invalid(`The replacement covers [${newFirst}, ${newLast}], not the replaced range [${from}, ${to}].`);
  }
  return { from, to, removed };
}

/** What advancing the start changes: entries with base offsets below `keepFrom` are dropped. */
export interface AdvancePlan {
  readonly start: bigint;
  readonly dropped: readonly ManifestEntry[];
  /** Base offset of the first entry kept, or `start` when none is. */
  readonly keepFrom: bigint;
  /** True when the requested start was lowered to the partition's next offset. */
  readonly clamped: boolean;
}

/** Decides `advanceManifestStart(startOffset)` on `current`; undefined when nothing changes. */
export function planAdvance(current: PartitionManifest, startOffset: bigint): AdvancePlan | undefined {
  if (typeof startOffset !== 'bigint') throw invalid('advanceManifestStart takes a bigint start offset.');
  const clamped = startOffset > current.nextOffset;
  const target = clamped ? current.nextOffset : startOffset;
  if (target <= current.startOffset) return undefined;
  const kept = current.entries.findIndex((e) => e.lastOffset >= target);
  const cut = kept < 0 ? current.entries.length : kept;
  const dropped = current.entries.slice(0, cut);
  return { start: target, dropped, keepFrom: current.entries[cut]?.baseOffset ?? target, clamped };
}

/** The partitions whose next offset (per `nextOf`) is not the expected one. */
export function conflictsOf(appends: readonly ManifestAppend[], nextOf: (topicId: string, partition: number) => bigint): { topicId: string; partition: number; nextOffset: bigint }[] {
  const conflicts: { topicId: string; partition: number; nextOffset: bigint }[] = [];
  for (const a of appends) {
    const nextOffset = nextOf(a.topicId, a.partition);
    if (nextOffset !== a.expectedNextOffset) conflicts.push(Object.freeze({ topicId: a.topicId, partition: a.partition, nextOffset }));
  }
  return conflicts;
}

function indexOfBase(entries: readonly ManifestEntry[], base: bigint): number {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid];
    if (e === undefined) break;
    if (e.baseOffset === base) return mid;
    if (e.baseOffset < base) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * One partition's manifest held in memory, changed in place by the holder and read through
 * `snapshot()`, an immutable PartitionManifest made at most once per change (readers of the
 * fetch path call it often, writers change it a few times a second).
 */
export class MutableManifest {
  nextOffset = 0n;
  startOffset = 0n;
  #entries: ManifestEntry[] = [];
  #snapshot: PartitionManifest | undefined;

  get size(): number {
    return this.#entries.length;
  }

  snapshot(): PartitionManifest {
    this.#snapshot ??= Object.freeze({ nextOffset: this.nextOffset, startOffset: this.startOffset, entries: Object.freeze([...this.#entries]) });
    return this.#snapshot;
  }

  /** Appends an entry at the end and moves the next offset past it. */
  append(entry: ManifestEntry): void {
    this.#entries.push(freezeEntry(entry));
    this.nextOffset = entry.lastOffset + 1n;
    this.#snapshot = undefined;
  }

  /** Swaps the entries with base offsets in [plan.from, plan.to] for `entries`. */
  replace(plan: Pick<ReplacePlan, 'from' | 'to'>, entries: readonly ManifestEntry[]): void {
    this.#entries = [...this.#entries.filter((e) => e.baseOffset < plan.from || e.baseOffset > plan.to), ...entries.map(freezeEntry)];
    this.#entries.sort(byBase);
    this.#snapshot = undefined;
  }

  /** Sets the start offset and drops the entries with base offsets below `keepFrom`. */
  advance(start: bigint, keepFrom: bigint): void {
    const cut = this.#entries.findIndex((e) => e.baseOffset >= keepFrom);
    this.#entries = cut < 0 ? [] : this.#entries.slice(cut);
    this.startOffset = start;
    this.#snapshot = undefined;
  }

  /** Applies per-entry puts and deletes by base offset (the etcd view's changes of one revision). */
  change(puts: ReadonlyMap<bigint, ManifestEntry>, deletes: ReadonlySet<bigint>): void {
    if (puts.size === 0 && deletes.size === 0) return;
    const last = this.#entries[this.#entries.length - 1]?.baseOffset ?? -1n;
    const appended = [...puts.values()].sort(byBase);
    if (deletes.size === 0 && (appended[0]?.baseOffset ?? 0n) > last) {
      this.#entries.push(...appended.map(freezeEntry));
    } else {
      const kept = this.#entries.filter((e) => !deletes.has(e.baseOffset) && !puts.has(e.baseOffset));
      this.#entries = [...kept, ...appended.map(freezeEntry)].sort(byBase);
    }
    this.#snapshot = undefined;
  }

  /** Sets next and start directly (the etcd view, or the embedded journal's snapshot records). */
  setOffsets(nextOffset: bigint, startOffset: bigint): void {
    if (nextOffset === this.nextOffset && startOffset === this.startOffset) return;
    this.nextOffset = nextOffset;
    this.startOffset = startOffset;
    this.#snapshot = undefined;
  }

  entries(): readonly ManifestEntry[] {
    return this.#entries;
  }
}

function byBase(a: ManifestEntry, b: ManifestEntry): number {
  return a.baseOffset < b.baseOffset ? -1 : a.baseOffset > b.baseOffset ? 1 : 0;
}

/** Entry fields as JSON (bigints as decimal strings); without baseOffset when the key holds it. */
export function entryToJson(e: ManifestEntry, withBase: boolean): Record<string, unknown> {
  return {
    ...(withBase ? { base: e.baseOffset.toString() } : {}),
    last: e.lastOffset.toString(),
    object: e.objectKey,
    format: e.format,
    pos: e.position,
    size: e.size,
    records: e.records,
    maxTs: e.maxTimestamp.toString(),
    epoch: e.leaderEpoch,
    ...(e.extra === undefined ? {} : { extra: e.extra }),
  };
}

const INT = /^-?(0|[1-9][0-9]{0,19})$/;

/** Parses `entryToJson` output (with `base` given when the JSON lacks it); throws Error when malformed. */
export function entryFromJson(v: unknown, base?: bigint): ManifestEntry {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('a manifest entry must be a JSON object');
  const o = v as Record<string, unknown>;
  const big = (x: unknown, what: string): bigint => {
    if (typeof x !== 'string' || !INT.test(x)) throw new Error(`${what} must be a decimal string`);
    return BigInt(x);
  };
  const entry: ManifestEntry = {
    baseOffset: base ?? big(o.base, 'base'),
    lastOffset: big(o.last, 'last'),
    objectKey: o.object as string,
    format: o.format as ManifestEntry['format'],
    position: o.pos as number,
    size: o.size as number,
    records: o.records as number,
    maxTimestamp: big(o.maxTs, 'maxTs'),
    leaderEpoch: o.epoch as number,
    ...(o.extra === undefined ? {} : { extra: o.extra as string }),
  };
  try {
    checkEntry(entry, 'entry');
  } catch (error) {
    throw new Error(error instanceof Error ? error.message : String(error));
  }
  return freezeEntry(entry);
}

/** Parses a decimal offset as stored (`next`, `start`); throws Error when malformed. */
export function offsetFromText(text: string): bigint {
  if (!/^(0|[1-9][0-9]{0,18})$/.test(text)) throw new Error('must be a non-negative decimal integer');
  return BigInt(text);
}
