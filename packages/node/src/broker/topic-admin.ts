import {
  checkPartitionCount,
  checkReplicationFactor,
  topicCollisionKey,
  validateAssignments,
  validateTopicName,
  type Coordinator,
  type TopicRecord,
} from '@oxbow/controller';
import { KafkaApiError, KafkaErrorCode } from '@oxbow/protocol';
import {
  BROKER_SETTING_NAMES,
  CONFIG_SOURCE,
  CONFIG_TYPE_OF,
  BROKER_SETTINGS,
  describeTopicConfigs,
  isSensitive,
  isTopicConfigName,
  topicConfigDef,
  validateTopicConfigs,
  type BrokerConfig,
  type SettingDef,
  type DescribeConfigsEntry,
  type DescribeTopicConfigsOptions,
} from '../config/index.js';
import { usesObjectStore, type ObjectStoreRouter } from '../object-stores/object-store-router.js';
import { isSecretTopicConfig, TopicSecretsError } from '../object-stores/topic-secrets.js';

/** A per-resource outcome: Kafka error code 0 with a value, or an error with its message. */
export type Outcome<T> = { readonly errorCode: 0; readonly value: T } | { readonly errorCode: number; readonly errorMessage: string };

export interface CreateTopicInput {
  readonly name: string;
  /** -1 = the broker's num.partitions. */
  readonly numPartitions: number;
  /** -1 = the broker's default.replication.factor. */
  readonly replicationFactor: number;
  /** Explicit replica lists by partition index (CreateTopics assignments). */
  readonly assignments: readonly { readonly partitionIndex: number; readonly brokerIds: readonly number[] }[];
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

export interface CreatedTopic {
  readonly topicId: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configs: readonly DescribeConfigsEntry[];
}

/** IncrementalAlterConfigs operations, as Kafka numbers them. */
export const CONFIG_OPERATION = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

function failure(err: unknown): { errorCode: number; errorMessage: string } {
  if (err instanceof KafkaApiError) return { errorCode: err.code, errorMessage: err.message };
  if (err instanceof TopicSecretsError) {
    // The key could not be fetched (coordinator outage: retriable) or a stored secret does not open.
    if (err.code !== 'undecryptable') return { errorCode: err.cause instanceof KafkaApiError ? err.cause.code : KafkaErrorCode.REQUEST_TIMED_OUT, errorMessage: err.message };
    return { errorCode: KafkaErrorCode.INVALID_CONFIG, errorMessage: err.message };
  }
  throw err;
}

/**
 * Topic administration with Kafka's validation rules, shared by CreateTopics, DeleteTopics,
 * CreatePartitions, the config APIs and Metadata's auto-creation. Writes go to the coordinator;
 * partitions appear on the brokers through its events.
 *
 * Secret configs are sealed (encrypted) before every coordinator write and opened only to validate;
 * a topic whose configs put it on an object store (its own bucket, or a tiered/hybrid/diskless
 * mode) has that store checked before it is created or moved to another location.
 */
export class TopicAdmin {
  readonly #coordinator: Coordinator;
  readonly #config: BrokerConfig;
  readonly #objectStores: ObjectStoreRouter;
  readonly #settled: () => Promise<void>;

  /**
   * `settled` resolves once this node has applied every coordinator change so far (opened or
   * removed its partitions), so a client told "created" can produce at once.
   */
  constructor(coordinator: Coordinator, config: BrokerConfig, objectStores: ObjectStoreRouter, settled: () => Promise<void> = () => Promise.resolve()) {
    this.#coordinator = coordinator;
    this.#config = config;
    this.#objectStores = objectStores;
    this.#settled = settled;
  }

  /** Validates and (unless validateOnly) creates one topic. */
  async createTopic(input: CreateTopicInput, validateOnly: boolean): Promise<Outcome<CreatedTopic>> {
    try {
      this.#checkName(input.name);
      if (this.#coordinator.topic(input.name) !== undefined) {
        return { errorCode: KafkaErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${input.name}' already exists.` };
      }
      const sorted = [...input.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
      let assignments: (readonly number[])[] | undefined;
      let numPartitions: number;
      let replicationFactor: number;
      if (sorted.length > 0) {
        if (input.numPartitions !== -1 || input.replicationFactor !== -1) {
          return { errorCode: KafkaErrorCode.INVALID_REQUEST, errorMessage: 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.' };
        }
        if (sorted.some((a, i) => a.partitionIndex !== i)) {
          return { errorCode: KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'Partitions in the assignment must be numbered 0 to N-1, each once.' };
        }
        assignments = sorted.map((a) => a.brokerIds);
        validateAssignments(assignments, new Set(this.#coordinator.brokers().map((b) => b.nodeId)));
        numPartitions = assignments.length;
        replicationFactor = assignments[0]?.length ?? 0;
      } else {
        numPartitions = input.numPartitions === -1 ? this.#config.broker['num.partitions'] : input.numPartitions;
        replicationFactor = input.replicationFactor === -1 ? this.#config.broker['default.replication.factor'] : input.replicationFactor;
        checkPartitionCount(numPartitions);
        checkReplicationFactor(replicationFactor, this.#coordinator.brokers().length);
      }
      const requested: Record<string, string | null> = {};
      for (const c of input.configs) requested[c.name] = c.value;
      const checked = validateTopicConfigs(requested, { operation: 'create', brokerSettings: this.#config.settings });
      if (!checked.ok) return { errorCode: KafkaErrorCode.INVALID_CONFIG, errorMessage: checked.message };
      const describe = (configs: Readonly<Record<string, string>>): DescribeConfigsEntry[] => describeTopicConfigs(configs, this.#config.settings);
      const unusable = await this.#checkObjectStore(checked.configs, null);
      if (unusable !== null) return unusable;
      if (validateOnly) {
        return { errorCode: 0, value: { topicId: ZERO_UUID, numPartitions, replicationFactor, configs: describe(checked.configs) } };
      }
      const created = await this.#coordinator.createTopic({
        name: input.name,
        partitions: numPartitions,
        replicationFactor,
        configs: await this.#objectStores.secrets.seal(checked.configs),
        ...(assignments === undefined ? {} : { assignments }),
      });
      await this.#settled();
      return { errorCode: 0, value: { topicId: created.topicId, numPartitions, replicationFactor, configs: describe(created.configs) } };
    } catch (err) {
      return failure(err);
    }
  }

  /**
   * Metadata's auto-creation (`auto.create.topics.enable`): the topic with the broker's defaults,
   * or the error to report for it. A concurrent creation of the same name is not an error.
   */
  async autoCreate(name: string): Promise<{ topic: TopicRecord } | { errorCode: number }> {
    if (!this.#config.broker['auto.create.topics.enable']) return { errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    const outcome = await this.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }, false);
    const topic = this.#coordinator.topic(name);
    if (topic !== undefined) return { topic };
    return { errorCode: outcome.errorCode === 0 ? KafkaErrorCode.LEADER_NOT_AVAILABLE : outcome.errorCode };
  }

  async deleteTopic(name: string): Promise<Outcome<TopicRecord>> {
    try {
      const deleted = await this.#coordinator.deleteTopic(name);
      await this.#settled();
      return { errorCode: 0, value: deleted };
    } catch (err) {
      return failure(err);
    }
  }

  async createPartitions(name: string, count: number, assignments: readonly (readonly number[])[] | null, validateOnly: boolean): Promise<Outcome<TopicRecord>> {
    const topic = this.#coordinator.topic(name);
    if (topic === undefined) return { errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${name}' does not exist.` };
    const current = topic.partitions.length;
    if (count <= current) {
      return { errorCode: KafkaErrorCode.INVALID_PARTITIONS, errorMessage: `Topic currently has ${current} partitions, ${count} would not be an increase.` };
    }
    if (assignments !== null && assignments.length !== count - current) {
      return { errorCode: KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Increasing the number of partitions by ${count - current} but ${assignments.length} assignments provided.` };
    }
    if (validateOnly) return { errorCode: 0, value: topic };
    try {
      const grown = await this.#coordinator.createPartitions(name, count, assignments ?? undefined);
      await this.#settled();
      return { errorCode: 0, value: grown };
    } catch (err) {
      return failure(err);
    }
  }

  /** delete.topic.enable */
  get deletionEnabled(): boolean {
    return this.#config.broker['delete.topic.enable'];
  }

  /**
   * This broker's settings as DescribeConfigs reports a BROKER resource: all static (set at
   * start-up), read-only, secrets hidden. `resourceName` is a node id, or "" for the cluster default.
   */
  describeBrokerConfigs(resourceName: string, nodeId: number, options: DescribeTopicConfigsOptions): Outcome<readonly DescribeConfigsEntry[]> {
    if (resourceName !== '' && resourceName !== String(nodeId)) {
      return { errorCode: KafkaErrorCode.INVALID_REQUEST, errorMessage: `Broker ${resourceName} is not this broker (${nodeId}); ask it directly` };
    }
    const keys = options.keys === null || options.keys === undefined || options.keys.length === 0 ? null : new Set(options.keys);
    const entries = BROKER_SETTING_NAMES.filter((name) => keys === null || keys.has(name)).map((name): DescribeConfigsEntry => {
      const def: SettingDef = BROKER_SETTINGS[name];
      const explicit = this.#config.settings[name];
      const sensitive = isSensitive(def);
      const source = explicit === undefined ? CONFIG_SOURCE.DEFAULT_CONFIG : CONFIG_SOURCE.STATIC_BROKER_CONFIG;
      const value = sensitive ? null : (explicit ?? def.default);
      return {
        name,
        value,
        readOnly: true,
        isDefault: explicit === undefined,
        configSource: source,
        isSensitive: sensitive,
        synonyms: options.includeSynonyms === true ? [{ name, value, source }] : [],
        configType: CONFIG_TYPE_OF[def.type],
        documentation: options.includeDocumentation === true ? def.doc : null,
      };
    });
    return { errorCode: 0, value: entries };
  }

  describeTopicConfigs(name: string, options: DescribeTopicConfigsOptions): Outcome<readonly DescribeConfigsEntry[]> {
    const topic = this.#coordinator.topic(name);
    if (topic === undefined) return { errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${name}' does not exist.` };
    return { errorCode: 0, value: describeTopicConfigs(topic.configs, this.#config.settings, options) };
  }

  /**
   * Alters a topic's own configs. `changes` maps keys to new values (null removes the key);
   * `replaceAll` is the legacy AlterConfigs, where keys not mentioned are removed.
   */
  async alterTopicConfigs(name: string, changes: Readonly<Record<string, string | null>>, replaceAll: boolean, validateOnly: boolean): Promise<Outcome<null>> {
    const topic = this.#coordinator.topic(name);
    if (topic === undefined) return { errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${name}' does not exist.` };
    const effective: Record<string, string | null> = { ...changes };
    if (replaceAll) for (const key of Object.keys(topic.configs)) if (!(key in effective)) effective[key] = null;
    try {
      // Validate in plaintext: stored secrets are opened, except those this request replaces (so a
      // secret that no longer opens can still be set again).
      const stored: Record<string, string> = {};
      for (const [key, value] of Object.entries(topic.configs)) if (!(isSecretTopicConfig(key) && Object.hasOwn(effective, key))) stored[key] = value;
      const current = await this.#objectStores.secrets.open(stored);
      const checked = validateTopicConfigs(effective, { operation: 'alter', current, brokerSettings: this.#config.settings });
      if (!checked.ok) return { errorCode: KafkaErrorCode.INVALID_CONFIG, errorMessage: checked.message };
      const unusable = await this.#checkObjectStore(checked.configs, topic.configs);
      if (unusable !== null) return unusable;
      if (validateOnly) return { errorCode: 0, value: null };
      // Unchanged secrets keep their stored ciphertext; new ones are sealed.
      await this.#coordinator.setTopicConfigs(name, await this.#objectStores.secrets.seal(checked.configs, topic.configs));
      await this.#settled();
      return { errorCode: 0, value: null };
    } catch (err) {
      return failure(err);
    }
  }

  /** IncrementalAlterConfigs for one topic: SET, DELETE, APPEND and SUBTRACT on list values. */
  async incrementalAlterTopicConfigs(
    name: string,
    ops: readonly { readonly name: string; readonly configOperation: number; readonly value: string | null }[],
    validateOnly: boolean,
  ): Promise<Outcome<null>> {
    const topic = this.#coordinator.topic(name);
    if (topic === undefined) return { errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${name}' does not exist.` };
    const changes: Record<string, string | null> = {};
    const seen = new Set<string>();
    for (const op of ops) {
      if (seen.has(op.name)) return { errorCode: KafkaErrorCode.INVALID_REQUEST, errorMessage: `Config ${op.name} appears more than once in the request.` };
      seen.add(op.name);
      const listOp = op.configOperation === CONFIG_OPERATION.APPEND || op.configOperation === CONFIG_OPERATION.SUBTRACT;
      if (listOp && isTopicConfigName(op.name) && topicConfigDef(op.name).type !== 'list') {
        // As Kafka: only LIST values take APPEND/SUBTRACT (and a sealed secret must never be spliced).
        const verb = op.configOperation === CONFIG_OPERATION.APPEND ? 'append' : 'subtract';
        return { errorCode: KafkaErrorCode.INVALID_CONFIG, errorMessage: `Config value ${verb} is not allowed for config key ${op.name} since it does not have type LIST.` };
      }
      const current = changes[op.name] ?? topic.configs[op.name] ?? null;
      const list = (current ?? '').split(',').filter((s) => s !== '');
      const items = (op.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      switch (op.configOperation) {
        case CONFIG_OPERATION.SET:
          changes[op.name] = op.value;
          break;
        case CONFIG_OPERATION.DELETE:
          changes[op.name] = null;
          break;
        case CONFIG_OPERATION.APPEND:
          changes[op.name] = [...list, ...items.filter((i) => !list.includes(i))].join(',');
          break;
        case CONFIG_OPERATION.SUBTRACT:
          changes[op.name] = list.filter((i) => !items.includes(i)).join(',');
          break;
        default:
          return { errorCode: KafkaErrorCode.INVALID_REQUEST, errorMessage: `Unknown config operation ${op.configOperation} for ${op.name}.` };
      }
    }
    return this.alterTopicConfigs(name, changes, false, validateOnly);
  }

  /**
   * INVALID_CONFIG when a topic with these (plaintext, validated) configs keeps data in an object
   * store that does not work: missing bucket, failing credentials, unreachable endpoint (within the
   * router's check deadline). On an alter (`previous` = the stored configs) the store is checked
   * only if the location changes, so an S3 outage does not block unrelated config changes.
   */
  async #checkObjectStore(configs: Readonly<Record<string, string>>, previous: Readonly<Record<string, string>> | null): Promise<{ errorCode: number; errorMessage: string } | null> {
    if (!usesObjectStore(configs)) return null;
    if (previous !== null) {
      const before = await this.#objectStores.locationKeyOf(previous).catch(() => undefined);
      const after = await this.#objectStores.locationKeyOf(configs).catch(() => undefined);
      if (before !== undefined && before === after) return null;
    }
    const result = await this.#objectStores.check(configs);
    if (result.ok) return null;
    if (result.code === 'key-unavailable') return { errorCode: KafkaErrorCode.REQUEST_TIMED_OUT, errorMessage: result.reason };
    const own = configs['s3.enabled'] === 'true';
    const which = own
      ? "the topic's bucket (check s3.bucket, s3.endpoint, s3.region and the credentials s3.access.key.id/s3.secret.access.key)"
      : 'the cluster object store (--object-store)';
    return { errorCode: KafkaErrorCode.INVALID_CONFIG, errorMessage: `Object store check failed for ${which}: ${result.reason}` };
  }

  /** Kafka's name rules and the '.'/'_' collision rule (throws INVALID_TOPIC_EXCEPTION). */
  #checkName(name: string): void {
    validateTopicName(name);
    const key = topicCollisionKey(name);
    const other = this.#coordinator.topics().find((t) => t.name !== name && topicCollisionKey(t.name) === key);
    if (other !== undefined) throw new KafkaApiError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${other.name}`);
  }
}
