// A topic's effective configuration: its own value for a key, else the first broker-level synonym
// set on the node (converted from minutes/hours), else the first synonym with a default, else the
// table default. The same walk yields the DescribeConfigs source and synonym list.
import {
  CONFIG_SOURCE,
  formatConfigValue,
  isSensitive,
  parseConfigValue,
  type BrokerSynonym,
  type ConfigSourceId,
  type ConfigValueType,
  type ParsedConfigValue,
  type SettingDef,
} from './config-def.js';
import { brokerSettingDef, type ValueOfDef } from './broker-settings.js';
import { TOPIC_CONFIG_NAMES, topicConfigDef, type TOPIC_CONFIGS, type TopicConfigName } from './topic-configs.js';
import { parseExternalOffsetMode, type ExternalOffsetMode } from './topic-configs-oxbow.js';

/** One entry of a DescribeConfigs synonym list: where a value could come from, most specific first. */
export interface ConfigSynonym {
  readonly name: string;
  /** Canonical text of the value; null for sensitive keys. */
  readonly value: string | null;
  readonly source: ConfigSourceId;
}

/** A topic config resolved against the topic's own configs and the node's broker settings. */
export interface ResolvedTopicConfig {
  readonly name: TopicConfigName;
  /** The typed effective value (may be a secret for sensitive keys: never log it). */
  readonly value: ParsedConfigValue;
  /** Where the effective value came from: DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG or DEFAULT_CONFIG. */
  readonly source: ConfigSourceId;
  /** The topic value (if set), then each broker synonym set on the node, then each broker default. */
  readonly synonyms: readonly ConfigSynonym[];
}

const MS_PER_UNIT = { minutes: 60_000n, hours: 3_600_000n } as const;

function parseOrThrow(name: string, def: SettingDef, raw: string, what: string): ParsedConfigValue {
  const parsed = parseConfigValue(name, def, raw);
  if (!parsed.ok) throw new Error(`${what}: ${parsed.message}`);
  return parsed.value;
}

/** Converts a broker synonym's value to the topic key's type and unit (hours → ms, int ↔ long). */
function convertSynonymValue(topicName: string, topicType: ConfigValueType, synonym: BrokerSynonym, value: ParsedConfigValue): ParsedConfigValue {
  let out = value;
  if (synonym.unit !== undefined && (typeof out === 'number' || typeof out === 'bigint')) out = BigInt(out) * MS_PER_UNIT[synonym.unit];
  if (topicType === 'long' && typeof out === 'number') out = BigInt(out);
  if (topicType === 'int' && typeof out === 'bigint') out = Number(out);
  // Kafka treats any negative broker retention (ms, minutes or hours) as "forever".
  if (topicName === 'retention.ms' && typeof out === 'bigint' && out < 0n) out = -1n;
  return out;
}

/**
 * Resolves one topic config. `explicit` holds the topic's own configs and `brokerSettings` the
 * broker-level settings set on the node (BrokerConfig.settings), both as text. Throws if a stored
 * value no longer parses (they are validated on the way in, so that means corruption).
 */
export function resolveTopicConfigEntry(
  name: TopicConfigName,
  explicit: Readonly<Record<string, string>>,
  brokerSettings: Readonly<Record<string, string>> = {},
): ResolvedTopicConfig {
  const def = topicConfigDef(name);
  const hidden = isSensitive(def);
  const synonyms: ConfigSynonym[] = [];
  let value: ParsedConfigValue | undefined;

  const own = Object.hasOwn(explicit, name) ? explicit[name] : undefined;
  if (own !== undefined) {
    value = parseOrThrow(name, def, own, 'Stored topic config is invalid');
    synonyms.push({ name, value: hidden ? null : formatConfigValue(def.type, value), source: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG });
  }
  const staticAndDefault = [
    { source: CONFIG_SOURCE.STATIC_BROKER_CONFIG, text: (syn: BrokerSynonym) => (Object.hasOwn(brokerSettings, syn.name) ? brokerSettings[syn.name] : undefined) },
    { source: CONFIG_SOURCE.DEFAULT_CONFIG, text: (syn: BrokerSynonym) => brokerSettingDef(syn.name)?.default ?? undefined },
  ] as const;
  for (const { source, text } of staticAndDefault) {
    for (const synonym of def.brokerSynonyms) {
      const synonymDef = brokerSettingDef(synonym.name);
      const raw = text(synonym);
      if (synonymDef === undefined || raw === undefined) continue;
      const parsed = parseOrThrow(synonym.name, synonymDef, raw, 'Broker setting is invalid');
      synonyms.push({ name: synonym.name, value: hidden ? null : formatConfigValue(synonymDef.type, parsed), source });
      value ??= convertSynonymValue(name, def.type, synonym, parsed);
    }
  }
  value ??= def.default === null ? null : parseOrThrow(name, def, def.default, 'Topic config default is invalid');
  return { name, value, source: synonyms[0]?.source ?? CONFIG_SOURCE.DEFAULT_CONFIG, synonyms };
}

type CamelCase<S extends string> = S extends `${infer Head}.${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

type DerivedTopicConfig = { readonly [K in TopicConfigName as CamelCase<K>]: ValueOfDef<(typeof TOPIC_CONFIGS)[K]> };

/**
 * Every topic config as typed values under camelCase names (`retention.ms` → `retentionMs`):
 * int/double → number, long → bigint, booleans, string unions for enumerated keys, string arrays
 * for lists, null for unset keys without a default. Two fields are post-processed:
 * `externalOffsetMode` is parsed, and `localRetentionMs`/`localRetentionBytes` of -2 are replaced
 * by the topic's retention. Carries secrets (`s3SecretAccessKey`, ...): never log it whole. Resolved
 * from a topic's stored configs, secrets are in their sealed form (`oxbow-enc:v1:...`): open the
 * configs with TopicSecrets (src/object-stores/) first when the secret itself is needed.
 */
export interface TopicConfig extends Omit<DerivedTopicConfig, 'externalOffsetMode'> {
  readonly externalOffsetMode: ExternalOffsetMode;
}

/** `retention.ms` → `retentionMs`. */
export function camelCaseConfigName(name: string): string {
  return name
    .split('.')
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}

/** Resolves every topic config into a typed {@link TopicConfig}. */
export function resolveTopicConfig(explicit: Readonly<Record<string, string>>, brokerSettings: Readonly<Record<string, string>> = {}): TopicConfig {
  const values: Record<string, unknown> = {};
  for (const name of TOPIC_CONFIG_NAMES) values[camelCaseConfigName(name)] = resolveTopicConfigEntry(name, explicit, brokerSettings).value;
  const offsetMode = values['externalOffsetMode'];
  values['externalOffsetMode'] = parseExternalOffsetMode(typeof offsetMode === 'string' ? offsetMode : 'row') ?? { kind: 'row' };
  if (values['localRetentionMs'] === -2n) values['localRetentionMs'] = values['retentionMs'];
  if (values['localRetentionBytes'] === -2n) values['localRetentionBytes'] = values['retentionBytes'];
  // The loop above fills exactly the fields of DerivedTopicConfig from the same table (tested).
  return values as unknown as TopicConfig;
}
