// `@oxbow/controller/testing`: the Coordinator conformance suite, for tests only (it needs vitest).
export { describeCoordinator } from './describe-coordinator.js';
export { type CoordinatorHarness, type MakeCoordinator } from './suite-context.js';
