/** Runs async critical sections one at a time, in call order. */
export class AsyncMutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    // The next waiter starts once this one settles, whatever its outcome.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
