import type { PartitionActorConfig } from '../src/partition-actor.js';

/** A permissive actor configuration for tests: 1 MiB batches, CreateTime with no window, not compacted. */
export const TEST_ACTOR_CONFIG: PartitionActorConfig = {
  maxMessageBytes: 1024 * 1024,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
  compacted: false,
  minInsyncReplicas: 1,
};
