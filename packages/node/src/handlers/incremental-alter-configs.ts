import { IncrementalAlterConfigs } from '@oxbow/protocol';
import { alterErrorResponse, alterTopicResources } from './config-resources.js';
import { defineHandler } from './handler.js';

/** IncrementalAlterConfigs (44): SET, DELETE, APPEND and SUBTRACT on a topic's configs. */
export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const responses = await alterTopicResources(request.resources, (r) =>
      ctx.services.topics.incrementalAlterTopicConfigs(r.resourceName, r.configs, request.validateOnly),
    );
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (request, errorCode) => alterErrorResponse(request.resources, errorCode),
});
