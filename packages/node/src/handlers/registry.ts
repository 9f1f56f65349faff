import { alterConfigsHandler } from './alter-configs.js';
import { apiVersionsHandler } from './api-versions.js';
import { createPartitionsHandler } from './create-partitions.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { describeConfigsHandler } from './describe-configs.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { deleteRecordsHandler } from './delete-records.js';
import { describeClusterHandler } from './describe-cluster.js';
import { fetchHandler } from './fetch.js';
import type { AnyHandler } from './handler.js';
import { listOffsetsHandler } from './list-offsets.js';
import { metadataHandler } from './metadata.js';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch.js';
import { produceHandler } from './produce.js';

/**
 * Every API this broker serves. ApiVersions answers from this list, so an API or version is
 * advertised exactly when a handler serves it.
 */
export function createHandlers(): readonly AnyHandler[] {
  const handlers: AnyHandler[] = [
    produceHandler,
    fetchHandler,
    listOffsetsHandler,
    metadataHandler,
    offsetForLeaderEpochHandler,
    deleteRecordsHandler,
    describeClusterHandler,
    createTopicsHandler,
    deleteTopicsHandler,
    createPartitionsHandler,
    describeConfigsHandler,
    alterConfigsHandler,
    incrementalAlterConfigsHandler,
  ];
  handlers.push(apiVersionsHandler(() => handlers));
  return handlers;
}
