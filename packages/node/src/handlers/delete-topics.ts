import { DeleteTopics, KafkaErrorCode } from '@oxbow/protocol';
import { defineHandler } from './handler.js';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** DeleteTopics (20), by name (v0-5) or by name or topic id (v6+). */
export const deleteTopicsHandler = defineHandler({
  api: DeleteTopics,
  minVersion: 1,
  maxVersion: 6,
  async handle(request, ctx) {
    const { services } = ctx;
    const wanted = ctx.apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const enabled = ctx.services.topics.deletionEnabled;
    const responses = [];
    for (const w of wanted) {
      const byId = w.name === null || w.name === '';
      const topic = byId ? services.coordinator.topicById(w.topicId) : services.coordinator.topic(w.name ?? '');
      const name = w.name ?? topic?.name ?? null;
      if (!enabled) {
        responses.push({ name, topicId: w.topicId, errorCode: KafkaErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'delete.topic.enable is false on this broker' });
        continue;
      }
      if (topic === undefined) {
        const errorCode = byId ? KafkaErrorCode.UNKNOWN_TOPIC_ID : KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        responses.push({ name, topicId: w.topicId, errorCode, errorMessage: null });
        continue;
      }
      const outcome = await services.topics.deleteTopic(topic.name);
      responses.push({
        name: topic.name,
        topicId: topic.topicId,
        errorCode: outcome.errorCode,
        errorMessage: 'errorMessage' in outcome ? outcome.errorMessage : null,
      });
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse: (request, errorCode) => ({
    responses: [...request.topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode })), ...request.topicNames.map((name) => ({ name, errorCode }))],
  }),
});
