/**
 * A bounded single-consumer queue of operations, run one at a time in submission order (NATS
 * JetStream's per-stream loop, in miniature). `submit` never waits for room: when the queue is full
 * it fails at once with MailboxFullError, which callers map to a retriable Kafka error.
 *
 * Items submitted with `submitBatched` for the same {@link BatchOp} that sit next to each other in
 * the queue run as one operation (a partition's queued appends become one write): the group is
 * taken when its first item's turn comes, so it never runs ahead of anything submitted before it,
 * and anything submitted after it waits for the whole group.
 */
export class MailboxFullError extends Error {
  override readonly name = 'MailboxFullError';
  readonly retriable = true;
}

/** How to run a group of queued items as one operation. */
export interface BatchOp<I, T> {
  /** Most items in one group. */
  readonly maxItems: number;
  /** Most total weight in one group (a single item heavier than this still runs, alone). */
  readonly maxWeight: number;
  /**
   * Runs the items in queue order; returns one result per item, in the same order. An Error in
   * the results rejects that item's promise only; a throw (or a rejection) rejects them all.
   */
  run(items: readonly I[]): Promise<readonly (T | Error)[]>;
}

interface Job {
  readonly kind: 'single';
  run(): Promise<void>;
}

interface BatchItem {
  readonly kind: 'batch';
  readonly op: BatchOp<unknown, unknown>;
  readonly item: unknown;
  readonly weight: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

export class BoundedMailbox {
  readonly capacity: number;
  #queue: (Job | BatchItem)[] = [];
  #running = false;
  #closed = false;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`mailbox capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Operations (or batched items) waiting or running. */
  get depth(): number {
    return this.#queue.length + (this.#running ? 1 : 0);
  }

  /** Queues `op`; its promise settles with op's result once every earlier op has finished. */
  submit<T>(op: () => Promise<T>): Promise<T> {
    const full = this.#refusal();
    if (full !== null) return Promise.reject(full);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        kind: 'single',
        // An op that throws instead of returning a rejected promise must not stop the drain loop.
        run: () => {
          let result: Promise<T>;
          try {
            result = op();
          } catch (err) {
            result = Promise.reject(asError(err));
          }
          return result.then(resolve, reject);
        },
      });
      if (!this.#running) void this.#drain();
    });
  }

  /**
   * Queues `item` for `op`, which may run it together with the items of the same op queued right
   * before or after it (up to op's limits); settles with the item's own result.
   */
  submitBatched<I, T>(op: BatchOp<I, T>, item: I, weight: number): Promise<T> {
    const full = this.#refusal();
    if (full !== null) return Promise.reject(full);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ kind: 'batch', op, item, weight, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#running) void this.#drain();
    });
  }

  /** Stops accepting work; resolves once queued work has finished. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running || this.#queue.length > 0) await new Promise((r) => setImmediate(r));
  }

  #refusal(): MailboxFullError | null {
    if (this.#closed) return new MailboxFullError('partition is closed');
    if (this.#queue.length >= this.capacity) return new MailboxFullError(`partition mailbox is full (${this.capacity} operations queued)`);
    return null;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
        if (job.kind === 'single') await job.run();
        else await this.#runGroup(job);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Runs `first` with the items of the same op queued right behind it. */
  async #runGroup(first: BatchItem): Promise<void> {
    const op = first.op;
    const group = [first];
    let weight = first.weight;
    for (let next = this.#queue[0]; next !== undefined && next.kind === 'batch' && next.op === op; next = this.#queue[0]) {
      if (group.length >= op.maxItems || weight + next.weight > op.maxWeight) break;
      this.#queue.shift();
      group.push(next);
      weight += next.weight;
    }
    let results: readonly unknown[];
    try {
      results = await op.run(group.map((g) => g.item));
      if (results.length !== group.length) throw new Error(`batched operation returned ${results.length} results for ${group.length} items`);
    } catch (err) {
      for (const g of group) g.reject(asError(err));
      return;
    }
    group.forEach((g, i) => {
      const r = results[i];
      if (r instanceof Error) g.reject(r);
      else g.resolve(r);
    });
  }
}
