/** Kafka's ConfigResource types, as the config APIs number them. */
export const RESOURCE_TYPE = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;
