import { AlterConfigs } from '@oxbow/protocol';
import { alterErrorResponse, alterTopicResources } from './config-resources.js';
import { defineHandler } from './handler.js';

/** AlterConfigs (33): replaces a topic's configs (keys not named are reset), validated like Kafka. */
export const alterConfigsHandler = defineHandler({
  api: AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const responses = await alterTopicResources(request.resources, (r) => {
      const changes: Record<string, string | null> = {};
      for (const c of r.configs) changes[c.name] = c.value;
      return ctx.services.topics.alterTopicConfigs(r.resourceName, changes, true, request.validateOnly);
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (request, errorCode) => alterErrorResponse(request.resources, errorCode),
});
