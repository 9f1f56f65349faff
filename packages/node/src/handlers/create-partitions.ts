import { CreatePartitions } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** CreatePartitions (37): grows topics, with explicit replica assignments or the coordinator's. */
export const createPartitionsHandler = defineHandler({
  api: CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    const results = [];
    for (const t of request.topics) {
      const assignments = t.assignments === null ? null : t.assignments.map((a) => a.brokerIds);
      const outcome = await ctx.services.topics.createPartitions(t.name, t.count, assignments, request.validateOnly);
      results.push({ name: t.name, errorCode: outcome.errorCode, errorMessage: 'errorMessage' in outcome ? outcome.errorMessage : null });
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    results: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
  }),
});
