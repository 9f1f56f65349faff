/**
 * acks=all appends waiting for the high watermark to pass their last offset. Each waiter resolves
 * once with a Kafka error code (0 = committed): when `release` reaches its offset, when `failAll`
 * gives up on every waiter (leadership lost), or with `timeoutCode` after `timeoutMs`.
 */
interface Waiter {
  readonly offset: bigint;
  readonly resolve: (errorCode: number) => void;
}

export class CommitWaiters {
  #waiters: Waiter[] = [];

  get size(): number {
    return this.#waiters.length;
  }

  /** Resolves when the high watermark reaches `offset` (exclusive end), or on timeout/failure. */
  wait(offset: bigint, timeoutMs: number, timeoutCode: number): Promise<number> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(timeoutCode);
      }, timeoutMs);
      timer.unref();
      const waiter: Waiter = {
        offset,
        resolve: (code) => {
          clearTimeout(timer);
          resolve(code);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** The high watermark reached `highWatermark`: every waiter at or below it resolves with `code`. */
  release(highWatermark: bigint, code: number): void {
    const done = this.#waiters.filter((w) => w.offset <= highWatermark);
    if (done.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.offset > highWatermark);
    for (const w of done) w.resolve(code);
  }

  failAll(code: number): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve(code);
  }
}
