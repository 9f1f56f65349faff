import { KafkaErrorCode } from '@oxbow/protocol';

/** Kafka's ConfigResource types, as the config APIs number them. */
export const RESOURCE_TYPE = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

/**
 * The answer to altering anything but a topic: Oxbow's broker settings are fixed at start-up
 * (Kafka would accept dynamic broker configs; we say plainly how to set them instead).
 */
export const STATIC_BROKER_CONFIG_ERROR = {
  errorCode: KafkaErrorCode.INVALID_REQUEST,
  errorMessage: 'Oxbow broker settings are static: set them at start-up (--set, OXBOW_SET_*, or the config file)',
} as const;

interface ConfigResource {
  readonly resourceType: number;
  readonly resourceName: string;
}

interface AlterResult {
  resourceType: number;
  resourceName: string;
  errorCode: number;
  errorMessage: string | null;
}

/**
 * The shared shape of AlterConfigs and IncrementalAlterConfigs: each TOPIC resource is altered in
 * turn by `alter` (so later resources see earlier changes); any other resource type is refused.
 */
export async function alterTopicResources<R extends ConfigResource>(
  resources: readonly R[],
  alter: (resource: R) => Promise<{ readonly errorCode: number; readonly errorMessage?: string }>,
): Promise<AlterResult[]> {
  const responses: AlterResult[] = [];
  for (const r of resources) {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    if (r.resourceType !== RESOURCE_TYPE.TOPIC) {
      responses.push({ ...base, ...STATIC_BROKER_CONFIG_ERROR });
      continue;
    }
    const outcome = await alter(r);
    responses.push({ ...base, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage ?? null });
  }
  return responses;
}

/** One error for every resource (the alter handlers' errorResponse). */
export function alterErrorResponse(resources: readonly ConfigResource[], errorCode: number): { throttleTimeMs: number; responses: AlterResult[] } {
  return { throttleTimeMs: 0, responses: resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode, errorMessage: null })) };
}
