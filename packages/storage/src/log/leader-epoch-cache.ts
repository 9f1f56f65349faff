import { AsyncMutex } from './async-mutex.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { LEADER_EPOCH_CHECKPOINT } from './file-names.js';
import { StorageError } from './types.js';

/** A leader epoch and the first offset written in it. */
export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: bigint;
}

/** OffsetForLeaderEpoch's answer: -1 / -1 when the epoch is unknown. */
export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: bigint;
}

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1n;

/**
 * Leader epoch → start offset history of a partition (Kafka's LeaderEpochFileCache), persisted
 * atomically in `leader-epoch-checkpoint` (`0`, entry count, then `epoch startOffset` lines) after
 * every change. Entries are strictly increasing in both epoch and start offset.
 */
export class LeaderEpochCache {
  readonly #dir: string;
  readonly #logEndOffset: () => bigint;
  readonly #mutex = new AsyncMutex();
  #entries: EpochEntry[];

  private constructor(dir: string, logEndOffset: () => bigint, entries: EpochEntry[]) {
    this.#dir = dir;
    this.#logEndOffset = logEndOffset;
    this.#entries = entries;
  }

  /** Loads the checkpoint of `dir` (empty when absent); `logEndOffset` answers for the latest epoch. */
  static async load(dir: string, logEndOffset: () => bigint): Promise<LeaderEpochCache> {
    const lines = (await readCheckpoint(dir, LEADER_EPOCH_CHECKPOINT)) ?? ['0'];
    const [countLine, ...rest] = lines;
    const count = Number(countLine);
    if (!Number.isSafeInteger(count) || count !== rest.length) throw new StorageError('corrupt', `${LEADER_EPOCH_CHECKPOINT} in ${dir}: bad entry count`);
    const entries = rest.map((line) => {
      const m = /^(\d+) (\d+)$/.exec(line);
      if (m === null) throw new StorageError('corrupt', `${LEADER_EPOCH_CHECKPOINT} in ${dir}: bad line "${line}"`);
      return { epoch: Number(m[1]), startOffset: BigInt(m[2] ?? '0') };
    });
    return new LeaderEpochCache(dir, logEndOffset, entries);
  }

  /** The entries, oldest first. */
  entries(): readonly EpochEntry[] {
    return [...this.#entries];
  }

  /** The latest epoch, or -1 when none is known. */
  get latestEpoch(): number {
    return this.#entries[this.#entries.length - 1]?.epoch ?? UNDEFINED_EPOCH;
  }

  /**
   * Records that `epoch` starts at `startOffset`. A no-op when it is already the latest epoch with
   * an equal or earlier start; otherwise entries that conflict (epoch ≥ `epoch` or start offset ≥
   * `startOffset`) are dropped first, so the history stays monotonic. Persisted before returning.
   */
  async assignEpochStartOffset(epoch: number, startOffset: bigint): Promise<void> {
    if (!Number.isInteger(epoch) || epoch < 0 || startOffset < 0n) {
      throw new StorageError('invalid-argument', `leader epoch ${epoch} / start offset ${startOffset} must not be negative`);
    }
    await this.#update((entries) => {
      const latest = entries[entries.length - 1];
      if (latest !== undefined && latest.epoch === epoch && startOffset >= latest.startOffset) return entries;
      return [...entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset), { epoch, startOffset }];
    });
  }

  /**
   * OffsetForLeaderEpoch: for the latest epoch, (epoch, log end offset); otherwise the largest
   * known epoch ≤ `epoch` and the start offset of the next known epoch (the requested epoch itself
   * when it predates every entry); (-1, -1) when `epoch` is -1 or above every known epoch.
   */
  endOffsetForEpoch(epoch: number): EpochEndOffset {
    if (epoch === UNDEFINED_EPOCH) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (this.#entries.length > 0 && this.latestEpoch === epoch) return { epoch, endOffset: this.#logEndOffset() };
    const higher = this.#entries.find((e) => e.epoch > epoch);
    if (higher === undefined) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    const floor = this.#entries.filter((e) => e.epoch <= epoch).pop();
    return { epoch: floor?.epoch ?? epoch, endOffset: higher.startOffset };
  }

  /** After a log truncation to `endOffset`: drops the epochs starting at or after it. */
  async truncateFromEnd(endOffset: bigint): Promise<void> {
    await this.#update((entries) => {
      const kept = entries.filter((e) => e.startOffset < endOffset);
      return kept.length === entries.length ? entries : kept;
    });
  }

  /**
   * After the log start moved to `startOffset`: drops the epochs that start at or before it, except
   * the latest of those, which now starts at `startOffset`.
   */
  async truncateFromStart(startOffset: bigint): Promise<void> {
    await this.#update((entries) => {
      const removed = entries.filter((e) => e.startOffset <= startOffset);
      const last = removed[removed.length - 1];
      if (last === undefined || (removed.length === 1 && last.startOffset === startOffset)) return entries;
      return [{ epoch: last.epoch, startOffset }, ...entries.filter((e) => e.startOffset > startOffset)];
    });
  }

  /** Applies `change` (returning its input means no change) and persists the result, one change at a time. */
  #update(change: (entries: readonly EpochEntry[]) => readonly EpochEntry[]): Promise<void> {
    return this.#mutex.run(async () => {
      const next = change(this.#entries);
      if (next === this.#entries) return;
      await writeCheckpoint(this.#dir, LEADER_EPOCH_CHECKPOINT, [String(next.length), ...next.map((e) => `${e.epoch} ${e.startOffset}`)]);
      this.#entries = [...next];
    });
  }
}
