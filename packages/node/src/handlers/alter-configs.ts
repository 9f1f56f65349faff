import { AlterConfigs } from '@oxbow/protocol';
import { RESOURCE_TYPE, STATIC_BROKER_CONFIG_ERROR } from './config-resources.js';
import { defineHandler } from './handler.js';

/** AlterConfigs (33): replaces a topic's configs (keys not named are reset), validated like Kafka. */
export const alterConfigsHandler = defineHandler({
  api: AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const responses = [];
    for (const r of request.resources) {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType !== RESOURCE_TYPE.TOPIC) {
        responses.push({ ...base, ...STATIC_BROKER_CONFIG_ERROR });
        continue;
      }
      const changes: Record<string, string | null> = {};
      for (const c of r.configs) changes[c.name] = c.value;
      const outcome = await ctx.services.topics.alterTopicConfigs(r.resourceName, changes, true, request.validateOnly);
      responses.push({ ...base, errorCode: outcome.errorCode, errorMessage: 'errorMessage' in outcome ? outcome.errorMessage : null });
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    responses: request.resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode, errorMessage: null })),
  }),
});
