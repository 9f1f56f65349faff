const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * flush.messages / flush.ms for one log: counts records appended since the last fsync, tells an
 * append when it must fsync before returning, and otherwise fsyncs pending data from a timer
 * `flushMs` after the first unflushed append (unref'd, so it never keeps the process alive).
 */
export class FlushScheduler {
  readonly #flush: () => Promise<void>;
  readonly #onError: (err: unknown) => void;
  #unflushed = 0;
  #flushMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(flushMs: number, flush: () => Promise<void>, onError: (err: unknown) => void) {
    this.#flushMs = flushMs;
    this.#flush = flush;
    this.#onError = onError;
  }

  /** Whether an append of `records` brings the unflushed count to `flushMessages`. */
  mustSync(records: number, flushMessages: number): boolean {
    return this.#unflushed + records >= flushMessages;
  }

  /** Records an append; `synced` when it was fsynced (with everything before it). */
  appended(records: number, synced: boolean): void {
    if (synced) {
      this.#unflushed = 0;
      return;
    }
    this.#unflushed += records;
    this.#schedule();
  }

  /** Everything written so far is on disk (a full flush, a roll, a truncation). */
  flushed(): void {
    this.#unflushed = 0;
  }

  /** Applies a new flush.ms to the pending timer. */
  setFlushMs(flushMs: number): void {
    if (flushMs === this.#flushMs) return;
    this.#flushMs = flushMs;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
      this.#schedule();
    }
  }

  /** Stops the timer and waits for a timer flush in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  #schedule(): void {
    if (this.#timer !== null || this.#stopped || this.#flushMs >= MAX_TIMER_MS) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.#flushPending().finally(() => {
        this.#running = null;
      });
    }, this.#flushMs);
    this.#timer.unref();
  }

  async #flushPending(): Promise<void> {
    const pending = this.#unflushed;
    if (pending === 0 || this.#stopped) return;
    this.#unflushed = 0;
    try {
      await this.#flush();
    } catch (err) {
      this.#unflushed += pending;
      this.#onError(err);
    }
  }
}
