/**
 * The Coordinator conformance suite (STYLE §8): every Coordinator implementation calls
 * `describeCoordinator(name, make)` once from its tests and must pass all of it. Each test gets a
 * fresh harness from `make` and cleans it up afterwards; restart tests run only when the harness
 * offers `restart`.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Coordinator } from '../coordinator.js';
import { describeAssignmentTests } from './assignment-tests.js';
import { describeManifestTests } from './manifest-tests.js';
import { describePartitionStateTests } from './partition-state-tests.js';
import { describePersistenceTests } from './persistence-tests.js';
import { describeProducerIdTests } from './producer-id-tests.js';
import type { CoordinatorHarness, MakeCoordinator, SuiteContext } from './suite-context.js';
import { describeTopicTests } from './topic-tests.js';
import { describeWatchTests } from './watch-tests.js';

export function describeCoordinator(name: string, make: MakeCoordinator): void {
  describe(`Coordinator conformance: ${name}`, () => {
    let harness: CoordinatorHarness | undefined;
    let current: Coordinator | undefined;

    const ctx: SuiteContext = {
      get coordinator(): Coordinator {
        if (current === undefined) throw new Error('describeCoordinator: no coordinator (make() failed?)');
        return current;
      },
      get canRestart(): boolean {
        return harness?.restart !== undefined;
      },
      async restart(): Promise<Coordinator> {
        const restart = harness?.restart;
        if (restart === undefined) throw new Error(`describeCoordinator(${name}): the harness cannot restart`);
        current = await restart();
        return current;
      },
      async peer(): Promise<Coordinator> {
        const open = harness?.peer;
        return open === undefined ? ctx.coordinator : open();
      },
    };

    beforeEach(async () => {
      harness = await make();
      current = harness.coordinator;
    });

    afterEach(async () => {
      const done = harness;
      harness = undefined;
      current = undefined;
      await done?.cleanup();
    });

    describeTopicTests(ctx);
    describeAssignmentTests(ctx);
    describePartitionStateTests(ctx);
    describeWatchTests(ctx);
    describePersistenceTests(ctx);
    describeProducerIdTests(ctx);
    describeManifestTests(ctx);
  });
}
