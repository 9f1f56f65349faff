// Integrity of the definition tables: every default obeys its own validator, every broker synonym
// exists, docs are one line, secrets are password-typed, the keys the brief names are all present.
import { describe, expect, it } from 'vitest';
import { formatConfigValue, parseConfigValue } from '../../src/config/config-def.js';
import { BROKER_SETTING_NAMES, BROKER_SETTINGS, brokerSettingDef } from '../../src/config/broker-settings.js';
import { settingEnvName } from '../../src/config/broker-config.js';
import { TOPIC_CONFIG_NAMES, topicConfigDef } from '../../src/config/topic-configs.js';
import { parseExternalOffsetMode } from '../../src/config/topic-configs-oxbow.js';

const KAFKA_KEYS = [
  'cleanup.policy', 'compression.type', 'compression.gzip.level', 'compression.lz4.level', 'compression.zstd.level',
  'delete.retention.ms', 'file.delete.delay.ms', 'flush.messages', 'flush.ms', 'follower.replication.throttled.replicas',
  'leader.replication.throttled.replicas', 'index.interval.bytes', 'local.retention.bytes', 'local.retention.ms',
  'max.compaction.lag.ms', 'max.message.bytes', 'message.downconversion.enable', 'message.format.version',
  'message.timestamp.after.max.ms', 'message.timestamp.before.max.ms', 'message.timestamp.difference.max.ms',
  'message.timestamp.type', 'min.cleanable.dirty.ratio', 'min.compaction.lag.ms', 'min.insync.replicas', 'preallocate',
  'remote.storage.enable', 'remote.log.copy.disable', 'remote.log.delete.on.disable', 'retention.bytes', 'retention.ms',
  'segment.bytes', 'segment.index.bytes', 'segment.jitter.ms', 'segment.ms', 'unclean.leader.election.enable',
];
const OXBOW_KEYS = [
  'storage.mode', 's3.enabled', 's3.bucket', 's3.region', 's3.prefix', 's3.endpoint', 's3.force.path.style', 's3.access.key.id',
  's3.secret.access.key', 's3.use.iam.role', 's3.storage.class', 's3.encryption', 's3.kms.key.id', 'diskless.flush.interval.ms',
  'diskless.flush.bytes', 'diskless.flush.records', 'diskless.format', 'diskless.compression', 'diskless.ack.mode',
  'diskless.read.cache.bytes', 'tiered.warm.age.ms', 'tiered.cold.age.ms', 'tiered.archive.interval.ms', 'external.source',
  'external.path', 'external.s3.bucket', 'external.s3.region', 'external.s3.prefix', 'external.s3.endpoint',
  'external.s3.access.key.id', 'external.s3.secret.access.key', 'external.parquet.pattern', 'external.offset.mode',
  'external.key.column', 'external.value.column', 'external.value.mode', 'external.value.columns', 'external.timestamp.column',
  'external.refresh.interval.ms',
];

describe('topic config table', () => {
  it('holds every Kafka 3.x/4.0 topic config and every Oxbow key of the brief', () => {
    for (const key of [...KAFKA_KEYS, ...OXBOW_KEYS]) expect(TOPIC_CONFIG_NAMES).toContain(key);
  });

  it('has defaults that pass their own validator and are written canonically', () => {
    for (const name of TOPIC_CONFIG_NAMES) {
      const def = topicConfigDef(name);
      if (def.default === null) continue;
      const parsed = parseConfigValue(name, def, def.default);
      expect(parsed, name).toMatchObject({ ok: true });
      if (parsed.ok) expect(formatConfigValue(def.type, parsed.value), name).toBe(def.default);
    }
  });

  it('has one-line docs in our words', () => {
    for (const name of TOPIC_CONFIG_NAMES) {
      const { doc } = topicConfigDef(name);
      expect(doc.length, name).toBeGreaterThan(10);
      expect(doc, name).not.toMatch(/\n/);
    }
  });

  it('marks exactly the secret keys sensitive, as passwords without defaults', () => {
    const sensitive = TOPIC_CONFIG_NAMES.filter((n) => topicConfigDef(n).sensitive === true || topicConfigDef(n).type === 'password');
    expect(sensitive).toEqual(['external.s3.secret.access.key', 's3.secret.access.key']);
    for (const name of sensitive) {
      expect(topicConfigDef(name).type).toBe('password');
      expect(topicConfigDef(name).default).toBeNull();
    }
  });

  it('makes storage.mode the one immutable key, standard by default', () => {
    expect(TOPIC_CONFIG_NAMES.filter((n) => topicConfigDef(n).immutable === true)).toEqual(['storage.mode']);
    expect(topicConfigDef('storage.mode').default).toBe('standard');
  });

  it('keeps the documented Oxbow defaults', () => {
    expect(topicConfigDef('diskless.flush.interval.ms').default).toBe('250');
    expect(topicConfigDef('diskless.flush.bytes').default).toBe(String(8 * 1024 * 1024));
    expect(topicConfigDef('s3.encryption').validator).toMatchObject({ values: ['none', 'SSE-S3', 'SSE-KMS'] });
  });

  it('flags the keys Kafka deprecated or removed', () => {
    expect(topicConfigDef('message.format.version')).toMatchObject({ deprecated: true, removedIn: '4.0' });
    expect(topicConfigDef('message.timestamp.difference.max.ms')).toMatchObject({ deprecated: true, removedIn: '4.0' });
    expect(topicConfigDef('message.downconversion.enable')).toMatchObject({ deprecated: true });
  });

  it('orders retention synonyms ms, minutes, hours with their units', () => {
    expect(topicConfigDef('retention.ms').brokerSynonyms).toEqual([
      { name: 'log.retention.ms' },
      { name: 'log.retention.minutes', unit: 'minutes' },
      { name: 'log.retention.hours', unit: 'hours' },
    ]);
    expect(topicConfigDef('segment.bytes').brokerSynonyms).toEqual([{ name: 'log.segment.bytes' }]);
    expect(topicConfigDef('max.message.bytes').brokerSynonyms).toEqual([{ name: 'message.max.bytes' }]);
    expect(topicConfigDef('cleanup.policy').brokerSynonyms).toEqual([{ name: 'log.cleanup.policy' }]);
  });

  it('has every broker synonym in the broker settings table', () => {
    for (const name of TOPIC_CONFIG_NAMES) {
      for (const synonym of topicConfigDef(name).brokerSynonyms) expect(brokerSettingDef(synonym.name), `${name} ← ${synonym.name}`).toBeDefined();
    }
  });

  it('parses external offset modes', () => {
    expect(parseExternalOffsetMode('row')).toEqual({ kind: 'row' });
    expect(parseExternalOffsetMode('timestamp:ts')).toEqual({ kind: 'timestamp', column: 'ts' });
    expect(parseExternalOffsetMode('column:id')).toEqual({ kind: 'column', column: 'id' });
    for (const bad of ['rows', 'timestamp:', 'column: ', 'offset:x']) expect(parseExternalOffsetMode(bad)).toBeNull();
  });
});

describe('broker settings table', () => {
  it('has defaults that pass their own validator', () => {
    for (const name of BROKER_SETTING_NAMES) {
      const def = BROKER_SETTINGS[name];
      if (def.default === null) continue;
      expect(parseConfigValue(name, def, def.default), name).toMatchObject({ ok: true });
    }
  });

  it('keeps the Kafka defaults the broker relies on', () => {
    const expected: Record<string, string | null> = {
      'auto.create.topics.enable': 'true',
      'num.partitions': '1',
      'default.replication.factor': '1',
      'message.max.bytes': '1048588',
      'socket.request.max.bytes': '104857600',
      'queued.max.request.bytes': String(256 * 1024 * 1024),
      'connections.max.idle.ms': '600000',
      'group.initial.rebalance.delay.ms': '3000',
      'offsets.retention.minutes': '10080',
      'offsets.topic.num.partitions': '50',
      'log.retention.hours': '168',
      'log.retention.ms': null,
      'log.segment.bytes': '1073741824',
    };
    for (const [name, value] of Object.entries(expected)) expect(brokerSettingDef(name)?.default, name).toBe(value);
  });

  it('maps every setting to a distinct OXBOW_SET_ variable', () => {
    const names = BROKER_SETTING_NAMES.map(settingEnvName);
    expect(new Set(names).size).toBe(names.length);
    expect(settingEnvName('log.retention.ms')).toBe('OXBOW_SET_LOG_RETENTION_MS');
  });
});
