/**
 * A bounded single-consumer queue of operations, run one at a time in submission order (NATS
 * JetStream's per-stream loop, in miniature). `submit` never waits for room: when the queue is full
 * it fails at once with MailboxFullError, which callers map to a retriable Kafka error.
 */
export class MailboxFullError extends Error {
  override readonly name = 'MailboxFullError';
  readonly retriable = true;
}

interface Job {
  run(): Promise<void>;
}

export class BoundedMailbox {
  readonly capacity: number;
  #queue: Job[] = [];
  #running = false;
  #closed = false;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`mailbox capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Operations waiting or running. */
  get depth(): number {
    return this.#queue.length + (this.#running ? 1 : 0);
  }

  /** Queues `op`; its promise settles with op's result once every earlier op has finished. */
  submit<T>(op: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new MailboxFullError('partition is closed'));
    if (this.#queue.length >= this.capacity) {
      return Promise.reject(new MailboxFullError(`partition mailbox is full (${this.capacity} operations queued)`));
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        // An op that throws instead of returning a rejected promise must not stop the drain loop.
        run: () => {
          let result: Promise<T>;
          try {
            result = op();
          } catch (err) {
            result = Promise.reject(err instanceof Error ? err : new Error(String(err)));
          }
          return result.then(resolve, reject);
        },
      });
      if (!this.#running) void this.#drain();
    });
  }

  /** Stops accepting work; resolves once queued work has finished. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running || this.#queue.length > 0) await new Promise((r) => setImmediate(r));
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
        await job.run();
      }
    } finally {
      this.#running = false;
    }
  }
}
