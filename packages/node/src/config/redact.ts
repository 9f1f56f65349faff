// Secrets out of anything that may be logged: topic configs by Kafka name (requests, stored sets)
// and resolved TopicConfig objects. The logger's redact paths are only a second line of defence.
import { isSensitive } from './config-def.js';
import { brokerSettingDef } from './broker-settings.js';
import { camelCaseConfigName, type TopicConfig } from './effective-config.js';
import { isTopicConfigName, TOPIC_CONFIG_NAMES, topicConfigDef } from './topic-configs.js';

/** What replaces a secret. */
export const REDACTED = '[hidden]';

function sensitiveName(name: string): boolean {
  if (isTopicConfigName(name)) return isSensitive(topicConfigDef(name));
  const broker = brokerSettingDef(name);
  return broker !== undefined && isSensitive(broker);
}

/** A copy of Kafka-named configs (topic or broker) with every sensitive value that is set replaced by {@link REDACTED}. */
export function redactConfigs<V extends string | null>(configs: Readonly<Record<string, V>>): Record<string, V | typeof REDACTED> {
  const out: Record<string, V | typeof REDACTED> = {};
  for (const [name, value] of Object.entries(configs)) out[name] = value !== null && sensitiveName(name) ? REDACTED : value;
  return out;
}

const SECRET_FIELDS = TOPIC_CONFIG_NAMES.filter((name) => isSensitive(topicConfigDef(name))).map(camelCaseConfigName);

/** A loggable copy of a resolved topic config: secret fields that are set become {@link REDACTED}. */
export function redactTopicConfig(config: TopicConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const field of SECRET_FIELDS) if (out[field] !== null && out[field] !== undefined) out[field] = REDACTED;
  return out;
}
