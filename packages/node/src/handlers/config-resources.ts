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
