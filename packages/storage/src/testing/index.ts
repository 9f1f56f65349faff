// `@oxbow/storage/testing`: the ObjectStore conformance suite and S3 test harnesses (real s3rver,
// fault proxy), for tests only (the suite needs vitest; the harness spawns s3rver).
export { describeObjectStore, type DescribeObjectStoreOptions, type MakeObjectStore, type ObjectStoreHarness } from './describe-object-store.js';
export { startS3Server, S3RVER_CREDENTIALS, type S3ServerHandle, type StartS3ServerOptions } from './s3-server.js';
export { S3FaultProxy, type S3FaultCounters, type S3FaultProxyOptions, type S3Faults, type S3ProxyLogEntry } from './s3-fault-proxy.js';
export { seededRandom } from './seeded-random.js';
export { verifySigV4, type SigV4Credentials, type SigV4Result } from './sigv4-verify.js';
