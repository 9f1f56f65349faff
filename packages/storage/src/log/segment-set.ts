import { swapCleanedGroup, type CleanedGroup } from './compactor.js';
import { fsyncDir, ioError } from './log-file.js';
import { Segment, type SegmentEnv } from './segment.js';
import { StorageError } from './types.js';

/**
 * Which segments a log has, oldest first, the last being the active one, and the operations that
 * change that: rolling, retiring old segments, truncating, swapping in compacted ones. Retired
 * segments are renamed `.deleted` and closed and unlinked after a delay, once no read holds them.
 * The array is replaced (never mutated) on change, so a reader's snapshot stays valid. Callers
 * serialize changes.
 */
export class SegmentSet {
  readonly #env: SegmentEnv;
  readonly #deleteDelayMs: () => number;
  readonly #retired = new Set<Segment>();
  #segments: readonly Segment[];

  constructor(env: SegmentEnv, segments: readonly Segment[], deleteDelayMs: () => number) {
    this.#env = env;
    this.#segments = segments;
    this.#deleteDelayMs = deleteDelayMs;
  }

  get all(): readonly Segment[] {
    return this.#segments;
  }

  get active(): Segment {
    const last = this.#segments[this.#segments.length - 1];
    if (last === undefined) throw new StorageError('corrupt', `log ${this.#env.dir} has no segment`);
    return last;
  }

  /** Bytes of all segment files. */
  get size(): number {
    return this.#segments.reduce((n, s) => n + s.size, 0);
  }

  /** Seals the active segment and starts one at `nextOffset`; a no-op while the active one is empty. */
  async roll(nextOffset: bigint, nowMs: number): Promise<Segment> {
    const active = this.active;
    if (active.size === 0) return active;
    let next: Segment;
    try {
      await active.seal();
      next = await Segment.create(this.#env, nextOffset, nowMs);
    } catch (err) {
      // The old segment stays active: give it its index files back.
      await active.reactivate(nowMs).catch(() => undefined);
      throw ioError(`rolling a segment in ${this.#env.dir}`, err);
    }
    // From here the new segment exists; it is the active one even if the directory fsync fails.
    this.#segments = [...this.#segments, next];
    await fsyncDir(this.#env.dir).catch((err: unknown) => {
      throw ioError(`rolling a segment in ${this.#env.dir}`, err);
    });
    return next;
  }

  /** Retires the `count` oldest segments (never the active one: roll first). */
  async retireOldest(count: number): Promise<void> {
    const doomed = this.#segments.slice(0, Math.min(count, this.#segments.length - 1));
    this.#segments = this.#segments.slice(doomed.length);
    for (const s of doomed) await this.#retire(s);
  }

  /** Retires the segments starting after `offset`; the last one left becomes active again. */
  async retireAfter(offset: bigint, nowMs: number): Promise<Segment> {
    const doomed = this.#segments.filter((s) => s.baseOffset > offset);
    this.#segments = this.#segments.filter((s) => s.baseOffset <= offset);
    for (const s of doomed) await this.#retire(s);
    await this.active.reactivate(nowMs);
    return this.active;
  }

  /** Retires every segment and starts an empty one at `offset`. */
  async resetAt(offset: bigint, nowMs: number): Promise<void> {
    // Retire first: one of the old segments may sit at `offset`.
    for (const s of this.#segments) await this.#retire(s);
    this.#segments = [await Segment.create(this.#env, offset, nowMs)];
    await fsyncDir(this.#env.dir);
  }

  /**
   * Swaps compaction output in for `originals` (consecutive segments). False, changing nothing,
   * when they are no longer all present in order (retention or truncation got there first).
   */
  async replace(originals: readonly Segment[], groups: readonly CleanedGroup[]): Promise<boolean> {
    const start = this.#segments.indexOf(originals[0] as Segment);
    if (start < 0 || !originals.every((s, i) => this.#segments[start + i] === s && !s.deleted)) return false;
    for (const group of groups) await swapCleanedGroup(this.#env, group, (s) => this.#retire(s));
    this.#segments = [...this.#segments.slice(0, start), ...groups.map((g) => g.cleaned), ...this.#segments.slice(start + originals.length)];
    return true;
  }

  /** Closes every file and removes retired segments now. */
  async close(): Promise<void> {
    for (const s of this.#segments) await s.close();
    for (const s of [...this.#retired]) await s.destroy();
  }

  async #retire(segment: Segment): Promise<void> {
    this.#retired.add(segment);
    await segment.markDeleted(this.#deleteDelayMs(), () => this.#retired.delete(segment));
  }
}
