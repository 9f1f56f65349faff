// Public surface of @oxbow/node. Explicit named exports only.
export { Broker, type BrokerOptions } from './broker/broker.js';
export { KafkaClient, parseAddress } from './client/kafka-client.js';
export { createHandlers } from './handlers/registry.js';
export type { AnyHandler, Handler, RequestContext } from './handlers/handler.js';
export {
  BROKER_SETTINGS,
  ConfigError,
  TOPIC_CONFIGS,
  describeTopicConfigs,
  parseBrokerConfig,
  resolveTopicConfig,
  validateTopicConfigs,
  type BrokerConfig,
  type DescribeConfigsEntry,
  type TopicConfig,
} from './config/index.js';
