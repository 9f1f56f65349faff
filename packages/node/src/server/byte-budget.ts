/**
 * A node-wide budget of request bytes held in memory (Kafka's `queued.max.request.bytes`):
 * connections take from it when a frame arrives and give back when its response is written, and
 * stop reading from their sockets while it is exhausted, so slow clients cannot make the node
 * buffer without bound.
 */
export class ByteBudget {
  readonly limit: number;
  #used = 0;
  #waiters = new Set<() => void>();

  constructor(limit: number) {
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }

  get exhausted(): boolean {
    return this.#used >= this.limit;
  }

  take(bytes: number): void {
    this.#used += bytes;
  }

  give(bytes: number): void {
    const wasExhausted = this.exhausted;
    this.#used -= bytes;
    if (wasExhausted && !this.exhausted) {
      for (const w of [...this.#waiters]) w();
    }
  }

  /** Calls `fn` each time the budget stops being exhausted; returns an unsubscribe function. */
  onAvailable(fn: () => void): () => void {
    this.#waiters.add(fn);
    return () => this.#waiters.delete(fn);
  }
}
