// DescribeConfigs entries for a TOPIC resource, shaped like the protocol's response `configs`.
// Follows Kafka's rules: the value is the effective one, sensitive values (and their synonyms) are
// null, the source is that of the first synonym, synonyms list the topic value then broker
// settings then broker defaults. One deliberate difference: Kafka drops every synonym when the
// primary broker key (log.retention.ms, log.roll.ms) is unset, even if log.retention.hours is set;
// we keep them, so such a value is reported as STATIC_BROKER_CONFIG rather than DEFAULT_CONFIG.
import { CONFIG_SOURCE, CONFIG_TYPE_OF, formatConfigValue, isSensitive, type ConfigSourceId, type ConfigTypeId } from './config-def.js';
import { resolveTopicConfigEntry, type ConfigSynonym } from './effective-config.js';
import { TOPIC_CONFIG_NAMES, topicConfigDef, type TopicConfigName } from './topic-configs.js';

/** One config of a DescribeConfigs result, field names as in the protocol's response. */
export interface DescribeConfigsEntry {
  readonly name: string;
  /** Effective value as text; null for sensitive keys and for unset keys without a default. */
  readonly value: string | null;
  /** True only for keys that can never be altered (storage.mode). */
  readonly readOnly: boolean;
  /** DescribeConfigs v0's flag: the value is a default (source DEFAULT_CONFIG). */
  readonly isDefault: boolean;
  readonly configSource: ConfigSourceId;
  readonly isSensitive: boolean;
  /** Empty unless synonyms were requested. */
  readonly synonyms: readonly ConfigSynonym[];
  readonly configType: ConfigTypeId;
  /** Null unless documentation was requested. */
  readonly documentation: string | null;
}

/** What to include, as in the DescribeConfigs request. */
export interface DescribeTopicConfigsOptions {
  readonly includeSynonyms?: boolean;
  readonly includeDocumentation?: boolean;
  /** Keys to describe; null, undefined or empty means all. Unknown names are skipped, as Kafka does. */
  readonly keys?: readonly string[] | null;
}

function selectedNames(explicit: Readonly<Record<string, string>>, keys: readonly string[] | null | undefined): TopicConfigName[] {
  if (keys === null || keys === undefined || keys.length === 0) {
    // Keys Kafka 4.0 removed are listed only when the topic still sets them.
    return TOPIC_CONFIG_NAMES.filter((name) => topicConfigDef(name).removedIn === undefined || Object.hasOwn(explicit, name));
  }
  return TOPIC_CONFIG_NAMES.filter((name) => keys.includes(name));
}

/**
 * Describes a topic's configs. `explicit` are the topic's own configs, `brokerSettings` the broker
 * settings set on this node (BrokerConfig.settings). Entries are sorted by name. Secrets never
 * appear anywhere in the result.
 */
export function describeTopicConfigs(
  explicit: Readonly<Record<string, string>>,
  brokerSettings: Readonly<Record<string, string>>,
  options: DescribeTopicConfigsOptions = {},
): DescribeConfigsEntry[] {
  return selectedNames(explicit, options.keys).map((name) => {
    const def = topicConfigDef(name);
    const sensitive = isSensitive(def);
    const resolved = resolveTopicConfigEntry(name, explicit, brokerSettings);
    return {
      name,
      value: sensitive ? null : formatConfigValue(def.type, resolved.value),
      readOnly: def.immutable === true,
      isDefault: resolved.source === CONFIG_SOURCE.DEFAULT_CONFIG,
      configSource: resolved.source,
      isSensitive: sensitive,
      synonyms: options.includeSynonyms === true ? resolved.synonyms : [],
      configType: CONFIG_TYPE_OF[def.type],
      documentation: options.includeDocumentation === true ? def.doc : null,
    };
  });
}
