import { vi } from 'vitest';
import { EtcdCoordinator, type CoordinatorLogger, type EtcdCoordinatorOptions } from '../../src/index.js';

export const quietLogger: CoordinatorLogger = { warn: () => undefined, info: () => undefined };

let clusters = 0;
/** A cluster name no other test in this process uses. */
export function uniqueCluster(label: string): string {
  return `${label}-${process.pid}-${++clusters}`;
}

/** Starts coordinators and remembers them so `closeAll` can clean up after a test. */
export class Coordinators {
  readonly #open: EtcdCoordinator[] = [];

  constructor(readonly endpoints: readonly string[]) {}

  async start(options: Partial<EtcdCoordinatorOptions> & { clusterName: string; nodeId: number }): Promise<EtcdCoordinator> {
    const c = new EtcdCoordinator({ endpoints: this.endpoints, leaseTtlSeconds: 2, requestTimeoutMs: 2000, logger: quietLogger, ...options });
    this.#open.push(c);
    await c.start();
    return c;
  }

  async closeAll(): Promise<void> {
    for (const c of this.#open.splice(0)) await c.close();
  }
}

/** Waits (bounded) until `check` holds; returns the time it took in ms. */
export async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  await vi.waitFor(
    () => {
      if (!check()) throw new Error(`still waiting for: ${what}`);
    },
    { timeout: timeoutMs, interval: 20 },
  );
  return Date.now() - started;
}
