import { KafkaApiError, KafkaErrorCode, Metadata } from '@oxbow/protocol';
import { validateTopicName, type TopicRecord } from '@oxbow/controller';
import type { BrokerServices } from '../broker/services.js';
import { defineHandler } from './handler.js';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

type TopicResult = {
  errorCode: number;
  name: string | null;
  topicId: string;
  isInternal: boolean;
  partitions: {
    errorCode: number;
    partitionIndex: number;
    leaderId: number;
    leaderEpoch: number;
    replicaNodes: number[];
    isrNodes: number[];
    offlineReplicas: number[];
  }[];
  topicAuthorizedOperations: number;
};

function describeTopic(topic: TopicRecord, services: BrokerServices): TopicResult {
  const live = new Set(services.coordinator.brokers().map((b) => b.nodeId));
  // With local routing this node answers for every partition that has a leader (and forwards), and
  // always for diskless partitions: any node serves them, forwarding to the one sequencing it (BRIEF §5).
  const self = services.identity.nodeId;
  const local = services.clientRouting === 'local' || topic.configs['storage.mode'] === 'diskless';
  const leaderFor = (leader: number): number => (local && leader >= 0 ? self : leader);
  return {
    errorCode: 0,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.name.startsWith('__'),
    partitions: topic.partitions.map((p) => ({
      errorCode: p.leader === -1 ? KafkaErrorCode.LEADER_NOT_AVAILABLE : 0,
      partitionIndex: p.partition,
      leaderId: leaderFor(p.leader),
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: p.replicas.filter((r) => !live.has(r)),
    })),
    topicAuthorizedOperations: -2147483648,
  };
}

/** Kafka reports an illegal name as such whether or not the topic could be auto-created. */
function isLegalTopicName(name: string): boolean {
  try {
    validateTopicName(name);
    return true;
  } catch (err) {
    if (err instanceof KafkaApiError) return false;
    throw err;
  }
}

const unknownTopic = (name: string | null, topicId: string, errorCode: number): TopicResult => ({
  errorCode,
  name,
  topicId,
  isInternal: false,
  partitions: [],
  topicAuthorizedOperations: -2147483648,
});

/**
 * Metadata (3): every live broker, the controller, and the requested topics (all of them for a
 * null list). Unknown topics are created when auto-creation is on and the client allows it (v4+),
 * as Kafka's `auto.create.topics.enable`; names that are not valid topic names are reported with
 * INVALID_TOPIC_EXCEPTION instead.
 */
export const metadataHandler = defineHandler({
  api: Metadata,
  minVersion: 0,
  maxVersion: 12,
  async handle(request, ctx) {
    const { services } = ctx;
    const coordinator = services.coordinator;
    let topics: TopicResult[];
    if (request.topics === null) {
      topics = coordinator.topics().map((t) => describeTopic(t, services));
    } else {
      topics = await Promise.all(
        request.topics.map(async (wanted): Promise<TopicResult> => {
          if (wanted.name === null || wanted.name === '') {
            const byId = coordinator.topicById(wanted.topicId);
            // Topic names are nullable in responses from v12 only.
            return byId === undefined ? unknownTopic(ctx.apiVersion >= 12 ? null : '', wanted.topicId, KafkaErrorCode.UNKNOWN_TOPIC_ID) : describeTopic(byId, services);
          }
          const existing = coordinator.topic(wanted.name);
          if (existing !== undefined) return describeTopic(existing, services);
          if (!isLegalTopicName(wanted.name)) return unknownTopic(wanted.name, ZERO_UUID, KafkaErrorCode.INVALID_TOPIC_EXCEPTION);
          const allowed = ctx.apiVersion < 4 || request.allowAutoTopicCreation;
          const created = allowed ? await services.topics.autoCreate(wanted.name) : { errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          if ('topic' in created) return describeTopic(created.topic, services);
          return unknownTopic(wanted.name, ZERO_UUID, created.errorCode);
        }),
      );
    }
    return {
      throttleTimeMs: 0,
      brokers: coordinator.brokers().map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterId: coordinator.clusterId,
      controllerId: coordinator.controllerId(),
      topics,
      clusterAuthorizedOperations: -2147483648,
    };
  },
  errorResponse: (request, errorCode) => ({
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (request.topics ?? []).map((t) => unknownTopic(t.name, t.topicId, errorCode)),
  }),
});
