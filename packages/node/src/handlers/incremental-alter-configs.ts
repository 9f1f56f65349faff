import { IncrementalAlterConfigs } from '@oxbow/protocol';
import { RESOURCE_TYPE, STATIC_BROKER_CONFIG_ERROR } from './config-resources.js';
import { defineHandler } from './handler.js';

/** IncrementalAlterConfigs (44): SET, DELETE, APPEND and SUBTRACT on a topic's configs. */
export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const responses = [];
    for (const r of request.resources) {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType !== RESOURCE_TYPE.TOPIC) {
        responses.push({ ...base, ...STATIC_BROKER_CONFIG_ERROR });
        continue;
      }
      const outcome = await ctx.services.topics.incrementalAlterTopicConfigs(r.resourceName, r.configs, request.validateOnly);
      responses.push({ ...base, errorCode: outcome.errorCode, errorMessage: 'errorMessage' in outcome ? outcome.errorMessage : null });
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    responses: request.resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode, errorMessage: null })),
  }),
});
