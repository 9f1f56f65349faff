// `@oxbow/controller/testing`: the Coordinator conformance suite (needs vitest) and a real etcd
// server for tests.
export { describeCoordinator } from './describe-coordinator.js';
export { type CoordinatorHarness, type MakeCoordinator } from './suite-context.js';
export { startEtcd, type EtcdServer, type StartEtcdOptions } from './etcd-server.js';
