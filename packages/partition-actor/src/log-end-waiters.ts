/**
 * Replica fetches waiting for the leader's log end to move (their long poll). Each waiter
 * rechecks its condition whenever the log end moves, and gives up after its wait.
 */
export class LogEndWaiters {
  readonly #checks = new Set<() => void>();

  /** The log end moved: every waiter rechecks. */
  notify(): void {
    for (const check of [...this.#checks]) check();
  }

  /** Resolves once `done()` holds (checked now and on every notify), or after `maxWaitMs`. */
  wait(done: () => boolean, maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.#checks.delete(check);
        resolve();
      };
      const check = (): void => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, maxWaitMs);
      this.#checks.add(check);
      check();
    });
  }
}
