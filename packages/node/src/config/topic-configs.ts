// The one table of topic-level configs: Kafka's keys and Oxbow's, typed so that the names, value
// types and string unions flow into TopicConfig and the validators. Split over two files only to
// keep each readable; nothing else defines a topic config.
import type { ConfigKeyDef } from './config-def.js';
import { KAFKA_TOPIC_CONFIGS } from './topic-configs-kafka.js';
import { OXBOW_TOPIC_CONFIGS } from './topic-configs-oxbow.js';

/** Every topic-level config Oxbow accepts, by name. */
export const TOPIC_CONFIGS = { ...KAFKA_TOPIC_CONFIGS, ...OXBOW_TOPIC_CONFIGS } as const satisfies Record<string, ConfigKeyDef>;

/** A topic config name. */
export type TopicConfigName = keyof typeof TOPIC_CONFIGS;

/** Every topic config name, sorted. */
export const TOPIC_CONFIG_NAMES: readonly TopicConfigName[] = (Object.keys(TOPIC_CONFIGS) as TopicConfigName[]).sort();

/** True when `name` is a topic config Oxbow accepts. */
export function isTopicConfigName(name: string): name is TopicConfigName {
  return Object.hasOwn(TOPIC_CONFIGS, name);
}

/** The definition of a topic config, widened to the common shape. */
export function topicConfigDef(name: TopicConfigName): ConfigKeyDef {
  return TOPIC_CONFIGS[name];
}
