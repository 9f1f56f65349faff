import { describe, expect, expectTypeOf, it } from 'vitest';
import { CONFIG_SOURCE, CONFIG_TYPE } from '../../src/config/config-def.js';
import { camelCaseConfigName, resolveTopicConfig, resolveTopicConfigEntry, type TopicConfig } from '../../src/config/effective-config.js';
import { describeTopicConfigs, type DescribeConfigsEntry } from '../../src/config/describe-topic-configs.js';
import { TOPIC_CONFIG_NAMES } from '../../src/config/topic-configs.js';
import { REDACTED, redactConfigs, redactTopicConfig } from '../../src/config/redact.js';
import type { ExternalOffsetMode, StorageMode } from '../../src/config/topic-configs-oxbow.js';

const { DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG } = CONFIG_SOURCE;

function entry(entries: DescribeConfigsEntry[], name: string): DescribeConfigsEntry {
  const found = entries.find((e) => e.name === name);
  if (found === undefined) throw new Error(`no entry ${name}`);
  return found;
}

describe('resolveTopicConfig', () => {
  it('gives Kafka defaults with no topic or broker settings', () => {
    const c = resolveTopicConfig({});
    expect(c.retentionMs).toBe(604800000n);
    expect(c.retentionBytes).toBe(-1n);
    expect(c.segmentBytes).toBe(1073741824);
    expect(c.segmentMs).toBe(604800000n);
    expect(c.maxMessageBytes).toBe(1048588);
    expect(c.cleanupPolicy).toEqual(['delete']);
    expect(c.compressionType).toBe('producer');
    expect(c.minCleanableDirtyRatio).toBe(0.5);
    expect(c.flushMs).toBe(9223372036854775807n);
    expect(c.messageTimestampType).toBe('CreateTime');
    expect(c.storageMode).toBe('standard');
    expect(c.s3Bucket).toBeNull();
    expect(c.disklessFlushIntervalMs).toBe(250);
    expect(c.disklessFlushBytes).toBe(8388608);
    expect(c.externalOffsetMode).toEqual({ kind: 'row' });
    expect(c.localRetentionMs).toBe(604800000n);
    expect(c.localRetentionBytes).toBe(-1n);
  });

  it('has one camelCase field per topic config and nothing else', () => {
    expect(Object.keys(resolveTopicConfig({})).sort()).toEqual(TOPIC_CONFIG_NAMES.map(camelCaseConfigName).sort());
    expect(camelCaseConfigName('s3.secret.access.key')).toBe('s3SecretAccessKey');
  });

  it('types values from the table', () => {
    expectTypeOf<TopicConfig['retentionMs']>().toEqualTypeOf<bigint>();
    expectTypeOf<TopicConfig['segmentBytes']>().toEqualTypeOf<number>();
    expectTypeOf<TopicConfig['preallocate']>().toEqualTypeOf<boolean>();
    expectTypeOf<TopicConfig['storageMode']>().toEqualTypeOf<StorageMode>();
    expectTypeOf<TopicConfig['cleanupPolicy']>().toEqualTypeOf<readonly ('compact' | 'delete')[]>();
    expectTypeOf<TopicConfig['externalSource']>().toEqualTypeOf<'s3' | 'file' | null>();
    expectTypeOf<TopicConfig['s3Bucket']>().toEqualTypeOf<string | null>();
    expectTypeOf<TopicConfig['externalOffsetMode']>().toEqualTypeOf<ExternalOffsetMode>();
  });

  it('parses topic values', () => {
    const c = resolveTopicConfig({ 'cleanup.policy': 'compact,delete', 'storage.mode': 'external', 'external.offset.mode': 'column:id', 'local.retention.ms': '5' });
    expect(c.cleanupPolicy).toEqual(['compact', 'delete']);
    expect(c.storageMode).toBe('external');
    expect(c.externalOffsetMode).toEqual({ kind: 'column', column: 'id' });
    expect(c.localRetentionMs).toBe(5n);
  });

  it('falls back to broker synonyms in order, converting minutes and hours', () => {
    expect(resolveTopicConfig({}, { 'log.retention.hours': '1' }).retentionMs).toBe(3600000n);
    expect(resolveTopicConfig({}, { 'log.retention.hours': '1', 'log.retention.minutes': '5' }).retentionMs).toBe(300000n);
    expect(resolveTopicConfig({}, { 'log.retention.minutes': '5', 'log.retention.ms': '42' }).retentionMs).toBe(42n);
    expect(resolveTopicConfig({}, { 'log.retention.hours': '-1' }).retentionMs).toBe(-1n);
    expect(resolveTopicConfig({}, { 'log.roll.hours': '2' }).segmentMs).toBe(7200000n);
    expect(resolveTopicConfig({}, { 'log.roll.jitter.hours': '1' }).segmentJitterMs).toBe(3600000n);
    expect(resolveTopicConfig({}, { 'log.flush.scheduler.interval.ms': '1000' }).flushMs).toBe(1000n);
    expect(resolveTopicConfig({}, { 'message.max.bytes': '2000' }).maxMessageBytes).toBe(2000);
    expect(resolveTopicConfig({}, { 'diskless.flush.interval.ms': '100' }).disklessFlushIntervalMs).toBe(100);
  });

  it('prefers the topic value to any broker setting', () => {
    expect(resolveTopicConfig({ 'retention.ms': '10' }, { 'log.retention.ms': '42' }).retentionMs).toBe(10n);
  });

  it('fails loudly on a corrupted stored value', () => {
    expect(() => resolveTopicConfig({ 'retention.ms': 'x' })).toThrow(/retention\.ms/);
  });
});

describe('resolveTopicConfigEntry', () => {
  it('lists the topic value, then broker settings, then broker defaults', () => {
    const r = resolveTopicConfigEntry('retention.ms', { 'retention.ms': '10' }, { 'log.retention.minutes': '5' });
    expect(r.value).toBe(10n);
    expect(r.source).toBe(DYNAMIC_TOPIC_CONFIG);
    expect(r.synonyms).toEqual([
      { name: 'retention.ms', value: '10', source: DYNAMIC_TOPIC_CONFIG },
      { name: 'log.retention.minutes', value: '5', source: STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG },
    ]);
  });
});

describe('describeTopicConfigs', () => {
  it('reports a default value with DEFAULT_CONFIG and the broker default synonym', () => {
    const e = entry(describeTopicConfigs({}, {}, { includeSynonyms: true }), 'retention.ms');
    expect(e).toEqual({
      name: 'retention.ms',
      value: '604800000',
      readOnly: false,
      isDefault: true,
      configSource: DEFAULT_CONFIG,
      isSensitive: false,
      synonyms: [{ name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG }],
      configType: CONFIG_TYPE.LONG,
      documentation: null,
    });
  });

  it('reports a broker setting with STATIC_BROKER_CONFIG', () => {
    const e = entry(describeTopicConfigs({}, { 'log.segment.bytes': '1048576' }, { includeSynonyms: true }), 'segment.bytes');
    expect(e).toMatchObject({ value: '1048576', configSource: STATIC_BROKER_CONFIG, isDefault: false, configType: CONFIG_TYPE.INT });
    expect(e.synonyms).toEqual([
      { name: 'log.segment.bytes', value: '1048576', source: STATIC_BROKER_CONFIG },
      { name: 'log.segment.bytes', value: '1073741824', source: DEFAULT_CONFIG },
    ]);
  });

  it('reports a topic value with DYNAMIC_TOPIC_CONFIG first', () => {
    const e = entry(describeTopicConfigs({ 'cleanup.policy': 'compact' }, { 'log.cleanup.policy': 'delete' }, { includeSynonyms: true }), 'cleanup.policy');
    expect(e).toMatchObject({ value: 'compact', configSource: DYNAMIC_TOPIC_CONFIG, configType: CONFIG_TYPE.LIST });
    expect(e.synonyms.map((s) => s.source)).toEqual([DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG]);
  });

  it('reports keys without broker synonyms as the table default', () => {
    const e = entry(describeTopicConfigs({}, {}, { includeSynonyms: true }), 'storage.mode');
    expect(e).toMatchObject({ value: 'standard', configSource: DEFAULT_CONFIG, synonyms: [], readOnly: true });
    expect(entry(describeTopicConfigs({}, {}), 's3.bucket').value).toBeNull();
  });

  it('prints doubles as Kafka does', () => {
    expect(entry(describeTopicConfigs({ 'min.cleanable.dirty.ratio': '1' }, {}), 'min.cleanable.dirty.ratio')).toMatchObject({ value: '1.0', configType: CONFIG_TYPE.DOUBLE });
  });

  it('includes synonyms and documentation only on request', () => {
    const plain = entry(describeTopicConfigs({ 'retention.ms': '1' }, {}), 'retention.ms');
    expect(plain.synonyms).toEqual([]);
    expect(plain.documentation).toBeNull();
    expect(entry(describeTopicConfigs({}, {}, { includeDocumentation: true }), 'retention.ms').documentation).toMatch(/deleted/);
  });

  it('filters by key and skips unknown names', () => {
    expect(describeTopicConfigs({}, {}, { keys: ['segment.ms', 'retention.ms', 'nope'] }).map((e) => e.name)).toEqual(['retention.ms', 'segment.ms']);
    expect(describeTopicConfigs({}, {}, { keys: [] })).toHaveLength(TOPIC_CONFIG_NAMES.length - 2);
  });

  it('lists keys Kafka 4.0 removed only when set or asked for', () => {
    const names = (explicit: Record<string, string>) => describeTopicConfigs(explicit, {}).map((e) => e.name);
    expect(names({})).not.toContain('message.format.version');
    expect(names({})).toContain('message.downconversion.enable');
    expect(names({ 'message.format.version': '2.8' })).toContain('message.format.version');
    expect(describeTopicConfigs({}, {}, { keys: ['message.timestamp.difference.max.ms'] })).toHaveLength(1);
  });

  it('never reveals a secret anywhere in the result', () => {
    const secret = 'SECRET-do-not-leak';
    const result = describeTopicConfigs({ 's3.access.key.id': 'AK', 's3.secret.access.key': secret, 'external.s3.secret.access.key': secret }, {}, {
      includeSynonyms: true,
      includeDocumentation: true,
    });
    expect(JSON.stringify(result)).not.toContain(secret);
    const e = entry(result, 's3.secret.access.key');
    expect(e).toMatchObject({ value: null, isSensitive: true, configSource: DYNAMIC_TOPIC_CONFIG, configType: CONFIG_TYPE.PASSWORD });
    expect(e.synonyms).toEqual([{ name: 's3.secret.access.key', value: null, source: DYNAMIC_TOPIC_CONFIG }]);
  });
});

describe('redaction', () => {
  it('hides secrets in Kafka-named configs and in resolved topic configs', () => {
    const explicit = { 's3.access.key.id': 'AK', 's3.secret.access.key': 'SECRET-1', 'external.s3.secret.access.key': 'SECRET-2' };
    expect(redactConfigs({ ...explicit, 'retention.ms': null, 'unknown.key': 'x' })).toEqual({
      's3.access.key.id': 'AK',
      's3.secret.access.key': REDACTED,
      'external.s3.secret.access.key': REDACTED,
      'retention.ms': null,
      'unknown.key': 'x',
    });
    const redacted = redactTopicConfig(resolveTopicConfig(explicit));
    expect(JSON.stringify(redacted, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).not.toMatch(/SECRET-/);
    expect(redacted['s3AccessKeyId']).toBe('AK');
    expect(redactTopicConfig(resolveTopicConfig({}))['s3SecretAccessKey']).toBeNull();
  });
});
