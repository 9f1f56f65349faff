// Validation of topic configs at CreateTopics and AlterConfigs/IncrementalAlterConfigs: names,
// values, immutability and the cross-field rules, reporting the first problem with Kafka's wording
// (the handler maps a failure to INVALID_CONFIG with this message). Sensitive values are never
// echoed in a message.
import { formatConfigValue, isSensitive, parseConfigValue, type ParsedConfigValue } from './config-def.js';
import { resolveTopicConfigEntry } from './effective-config.js';
import { isTopicConfigName, TOPIC_CONFIG_NAMES, topicConfigDef, type TopicConfigName } from './topic-configs.js';

/** The validated, complete set of the topic's own configs (canonical text), or the first problem. */
export type TopicConfigValidation =
  | { readonly ok: true; readonly configs: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly key: string; readonly message: string };

/** How to validate. */
export interface ValidateTopicConfigsOptions {
  /**
   * create: `configs` is the new topic's whole set and null values are rejected. alter: `configs`
   * are changes applied to `current` (null removes a key); a legacy AlterConfigs that replaces
   * everything passes null for every current key it omits.
   */
  readonly operation: 'create' | 'alter';
  /** The topic's own configs before the alter. */
  readonly current?: Readonly<Record<string, string>>;
  /** Broker settings set on the node, so cross-field rules see inherited values. */
  readonly brokerSettings?: Readonly<Record<string, string>>;
}

/** Internal: the first problem found, unwound to validateTopicConfigs. */
class Invalid extends Error {
  readonly key: string;

  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}

/** Validates topic configs; see {@link ValidateTopicConfigsOptions} for create vs alter. */
export function validateTopicConfigs(configs: Readonly<Record<string, string | null>>, options: ValidateTopicConfigsOptions): TopicConfigValidation {
  try {
    return { ok: true, configs: validateOrThrow(configs, options) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, key: e.key, message: e.message };
    throw e;
  }
}

function validateOrThrow(configs: Readonly<Record<string, string | null>>, options: ValidateTopicConfigsOptions): Record<string, string> {
  const changes = Object.entries(configs);
  for (const [key] of changes) if (!isTopicConfigName(key)) throw new Invalid(key, `Unknown topic config name: ${key}`);
  const nullKeys = changes.filter(([, value]) => value === null).map(([key]) => key);
  const firstNull = nullKeys[0];
  if (options.operation === 'create' && firstNull !== undefined) {
    throw new Invalid(firstNull, `Null value not supported for topic configs: ${nullKeys.join(',')}`);
  }
  const current = options.operation === 'alter' ? (options.current ?? {}) : {};
  const merged: Record<string, string> = {};
  // Changed keys first, so their problems are reported before those of untouched stored keys.
  for (const [key, value] of changes) if (value !== null) merged[key] = canonical(key, value);
  for (const [key, value] of Object.entries(current)) {
    if (Object.hasOwn(configs, key)) continue;
    if (!isTopicConfigName(key)) throw new Invalid(key, `Unknown topic config name: ${key}`);
    merged[key] = canonical(key, value);
  }
  if (options.operation === 'alter') checkImmutable(current, merged);
  checkCrossField(merged, options.brokerSettings ?? {});
  return merged;
}

function canonical(key: string, value: string): string {
  if (!isTopicConfigName(key)) throw new Invalid(key, `Unknown topic config name: ${key}`);
  const def = topicConfigDef(key);
  const parsed = parseConfigValue(key, def, value);
  if (!parsed.ok) throw new Invalid(key, parsed.message);
  return isSensitive(def) ? value.trim() : (formatConfigValue(def.type, parsed.value) ?? '');
}

function checkImmutable(current: Readonly<Record<string, string>>, merged: Readonly<Record<string, string>>): void {
  for (const name of TOPIC_CONFIG_NAMES) {
    const def = topicConfigDef(name);
    if (def.immutable !== true) continue;
    const before = Object.hasOwn(current, name) ? canonical(name, current[name] ?? '') : def.default;
    const after = Object.hasOwn(merged, name) ? merged[name] : def.default;
    if (before !== after) {
      throw new Invalid(name, `Invalid value ${after ?? 'null'} for configuration ${name}: ${name} cannot be changed after the topic is created (it is ${before ?? 'null'})`);
    }
  }
}

/** Effective values of the merged configs (topic value, else broker setting, else default). */
class Effective {
  readonly #explicit: Readonly<Record<string, string>>;
  readonly #broker: Readonly<Record<string, string>>;

  constructor(explicit: Readonly<Record<string, string>>, broker: Readonly<Record<string, string>>) {
    this.#explicit = explicit;
    this.#broker = broker;
  }

  isSet(name: TopicConfigName): boolean {
    return Object.hasOwn(this.#explicit, name);
  }

  value(name: TopicConfigName): ParsedConfigValue {
    return resolveTopicConfigEntry(name, this.#explicit, this.#broker).value;
  }

  long(name: TopicConfigName): bigint {
    const v = this.value(name);
    return typeof v === 'bigint' ? v : BigInt(typeof v === 'number' ? v : 0);
  }

  text(name: TopicConfigName): string | null {
    const v = this.value(name);
    return typeof v === 'string' ? v : null;
  }

  bool(name: TopicConfigName): boolean {
    return this.value(name) === true;
  }
}

function invalid(key: string, shown: string, why: string): Invalid {
  return new Invalid(key, `Invalid value ${shown} for configuration ${key}: ${why}`);
}

function checkCrossField(merged: Readonly<Record<string, string>>, brokerSettings: Readonly<Record<string, string>>): void {
  const e = new Effective(merged, brokerSettings);
  const mode = e.text('storage.mode') ?? 'standard';

  const minLag = e.long('min.compaction.lag.ms');
  const maxLag = e.long('max.compaction.lag.ms');
  if (minLag > maxLag) {
    throw new Invalid('min.compaction.lag.ms', `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`);
  }

  // local.retention.* only matter once data is in the object store: check them on tiered topics
  // and whenever the topic sets them, so an unrelated broker default cannot break other topics.
  for (const [local, total] of [['local.retention.ms', 'retention.ms'], ['local.retention.bytes', 'retention.bytes']] as const) {
    if (mode !== 'tiered' && !e.isSet(local)) continue;
    const localValue = e.long(local);
    const totalValue = e.long(total);
    if (totalValue === -1n || localValue === -2n) continue;
    if (localValue === -1n) throw invalid(local, '-1', `Value must not be -1 as ${total} value is set as ${totalValue}.`);
    if (localValue > totalValue) throw invalid(local, String(localValue), `Value must not be more than ${total} property value: ${totalValue}`);
  }

  if (e.bool('remote.storage.enable') && mode !== 'tiered') {
    throw invalid('remote.storage.enable', 'true', `Remote storage is Oxbow's tiered mode: set storage.mode=tiered (this topic is ${mode})`);
  }
  const policy = e.value('cleanup.policy');
  if (mode === 'tiered' && Array.isArray(policy) && policy.includes('compact')) {
    throw invalid('cleanup.policy', (policy as readonly string[]).join(','), 'Remote log storage is unsupported for the compacted topics (storage.mode=tiered)');
  }
  if (mode === 'diskless' && Array.isArray(policy) && policy.includes('compact')) {
    throw invalid('cleanup.policy', (policy as readonly string[]).join(','), 'Compacted topics are not supported with storage.mode=diskless');
  }
  const warm = e.long('tiered.warm.age.ms');
  const cold = e.long('tiered.cold.age.ms');
  if (warm > cold) throw invalid('tiered.cold.age.ms', String(cold), `Value must not be less than tiered.warm.age.ms (${warm})`);

  checkS3(e, 's3', e.bool('s3.enabled'));
  checkExternal(e, mode);
}

/** Bucket and credential rules shared by the topic bucket (s3.*) and external sources (external.s3.*). */
function checkS3(e: Effective, prefix: 's3' | 'external.s3', bucketRequired: boolean): void {
  const bucket: TopicConfigName = `${prefix}.bucket`;
  const keyId: TopicConfigName = `${prefix}.access.key.id`;
  const secret: TopicConfigName = `${prefix}.secret.access.key`;
  if (bucketRequired && e.text(bucket) === null) {
    throw invalid(bucket, 'null', prefix === 's3' ? 's3.enabled=true needs s3.bucket' : 'external.source=s3 needs external.s3.bucket');
  }
  if (e.isSet(keyId) !== e.isSet(secret)) {
    const missing = e.isSet(keyId) ? secret : keyId;
    throw invalid(missing, 'null', `${keyId} and ${secret} must be set together`);
  }
  if (prefix === 's3') {
    if (e.bool('s3.use.iam.role') && e.isSet('s3.access.key.id')) {
      throw invalid('s3.use.iam.role', 'true', 's3.use.iam.role=true conflicts with static keys in s3.access.key.id/s3.secret.access.key');
    }
    if (e.isSet('s3.kms.key.id') && e.text('s3.encryption') !== 'SSE-KMS') {
      throw invalid('s3.kms.key.id', e.text('s3.kms.key.id') ?? '', 's3.kms.key.id applies only with s3.encryption=SSE-KMS');
    }
  }
}

function checkExternal(e: Effective, mode: string): void {
  const external = TOPIC_CONFIG_NAMES.filter((name) => name.startsWith('external.'));
  if (mode !== 'external' && mode !== 'hybrid') {
    const stray = external.find((name) => e.isSet(name));
    if (stray !== undefined) {
      throw invalid(stray, shownValue(e, stray), `external.* configs apply only to storage.mode=external or hybrid topics (this topic is ${mode})`);
    }
    return;
  }
  const source = e.text('external.source');
  if (source === null) {
    if (mode === 'external') throw invalid('external.source', 'null', 'storage.mode=external needs external.source (s3 or file)');
    const stray = external.find((name) => e.isSet(name));
    if (stray !== undefined) throw invalid('external.source', 'null', `${stray} needs external.source (s3 or file)`);
    return;
  }
  if (source === 'file' && e.text('external.path') === null) throw invalid('external.path', 'null', 'external.source=file needs external.path');
  checkS3(e, 'external.s3', source === 's3');
  const valueMode = e.text('external.value.mode');
  if (valueMode === 'column' && e.text('external.value.column') === null) {
    throw invalid('external.value.column', 'null', 'external.value.mode=column needs external.value.column');
  }
  if (valueMode === 'column' && e.isSet('external.value.columns')) {
    throw invalid('external.value.columns', shownValue(e, 'external.value.columns'), 'external.value.columns applies only with external.value.mode=json');
  }
}

/** The value as a message may show it: canonical text, or [hidden] for secrets. */
function shownValue(e: Effective, name: TopicConfigName): string {
  const def = topicConfigDef(name);
  return isSensitive(def) ? '[hidden]' : (formatConfigValue(def.type, e.value(name)) ?? 'null');
}
