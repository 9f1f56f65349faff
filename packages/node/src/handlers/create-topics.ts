import { CreateTopics } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

/** CreateTopics (19), v2+: validated like Kafka (names, partitions, replication, configs), validate-only supported. */
export const createTopicsHandler = defineHandler({
  api: CreateTopics,
  minVersion: 2,
  maxVersion: 7,
  async handle(request, ctx) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics = [];
    // One at a time: later topics in the request see earlier ones (collisions, balance).
    for (const t of request.topics) {
      if ((counts.get(t.name) ?? 0) > 1) {
        topics.push({ name: t.name, errorCode: 42, errorMessage: `Create topics request from client contains multiple entries for the same topic ${t.name}.` });
        continue;
      }
      const outcome = await ctx.services.topics.createTopic(
        { name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, assignments: t.assignments, configs: t.configs },
        request.validateOnly,
      );
      if (outcome.errorCode !== 0 || !('value' in outcome)) {
        topics.push({ name: t.name, errorCode: outcome.errorCode, errorMessage: 'errorMessage' in outcome ? outcome.errorMessage : null, numPartitions: -1, replicationFactor: -1 });
        continue;
      }
      const v = outcome.value;
      topics.push({
        name: t.name,
        topicId: v.topicId,
        errorCode: 0,
        errorMessage: null,
        numPartitions: v.numPartitions,
        replicationFactor: v.replicationFactor,
        configs: v.configs.map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.configSource, isSensitive: c.isSensitive })),
      });
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse: (request, errorCode) => ({
    topics: request.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
  }),
});
