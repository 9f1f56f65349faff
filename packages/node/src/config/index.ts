// Public surface of the configuration layer; re-exported by the package index.
export {
  CONFIG_SOURCE,
  CONFIG_TYPE,
  CONFIG_TYPE_OF,
  describeValidator,
  formatConfigValue,
  isSensitive,
  parseConfigValue,
  type BrokerSynonym,
  type ConfigKeyDef,
  type ConfigSourceId,
  type ConfigTypeId,
  type ConfigValidator,
  type ConfigValueType,
  type ParsedConfigValue,
  type ParseOutcome,
  type SettingDef,
} from './config-def.js';
export { KAFKA_TOPIC_CONFIGS } from './topic-configs-kafka.js';
export { OXBOW_TOPIC_CONFIGS, STORAGE_MODES, parseExternalOffsetMode, type ExternalOffsetMode, type StorageMode } from './topic-configs-oxbow.js';
export { TOPIC_CONFIGS, TOPIC_CONFIG_NAMES, isTopicConfigName, topicConfigDef, type TopicConfigName } from './topic-configs.js';
export { validateTopicConfigs, type TopicConfigValidation, type ValidateTopicConfigsOptions } from './validate-topic-configs.js';
export {
  camelCaseConfigName,
  resolveTopicConfig,
  resolveTopicConfigEntry,
  type ConfigSynonym,
  type ResolvedTopicConfig,
  type TopicConfig,
} from './effective-config.js';
export { REDACTED, redactConfigs, redactTopicConfig } from './redact.js';
export { describeTopicConfigs, type DescribeConfigsEntry, type DescribeTopicConfigsOptions } from './describe-topic-configs.js';
export {
  BROKER_SETTINGS,
  BROKER_SETTING_NAMES,
  brokerSettingDef,
  isBrokerSettingName,
  type BrokerSettingName,
  type BrokerSettings,
  type ValueOfDef,
} from './broker-settings.js';
export { BROKER_FLAGS, LOG_LEVELS, SECRET_KEY_BYTES, formatHostPort, parseHostPort, parseSecretKey, type BrokerFlag, type HostPort, type LogLevel } from './broker-flags.js';
export {
  ConfigError,
  brokerHelpText,
  parseBrokerConfig,
  settingEnvName,
  wantsHelp,
  type BrokerConfig,
  type ConfigOrigin,
} from './broker-config.js';
