import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateTopicConfigs } from '../../src/config/validate-topic-configs.js';
import { TOPIC_CONFIG_NAMES, topicConfigDef } from '../../src/config/topic-configs.js';

const create = (configs: Record<string, string | null>, brokerSettings?: Record<string, string>) =>
  validateTopicConfigs(configs, { operation: 'create', brokerSettings });
const alter = (configs: Record<string, string | null>, current: Record<string, string>) => validateTopicConfigs(configs, { operation: 'alter', current });

/** Topic context each key needs to be valid on its own (external keys need an external topic). */
function contextFor(key: string): Record<string, string> {
  if (key.startsWith('external.s3.')) return { 'storage.mode': 'external', 'external.source': 's3', 'external.s3.bucket': 'lake', 'external.s3.access.key.id': 'AK', 'external.s3.secret.access.key': 'SK' };
  if (key.startsWith('external.')) return { 'storage.mode': 'external', 'external.source': 'file', 'external.path': '/lake', 'external.value.column': 'v' };
  if (key.startsWith('s3.access') || key.startsWith('s3.secret')) return { 's3.access.key.id': 'AK', 's3.secret.access.key': 'SK' };
  if (key === 's3.kms.key.id') return { 's3.encryption': 'SSE-KMS' };
  if (key === 's3.enabled') return { 's3.bucket': 'my-bucket' };
  if (key === 'remote.storage.enable') return { 'storage.mode': 'tiered' };
  return {};
}

// One good and one bad value for every key, by key or by type.
const GOOD: Record<string, string> = {
  'cleanup.policy': 'compact,delete', 'compression.type': 'zstd', 'compression.gzip.level': '9', 'compression.lz4.level': '12', 'compression.zstd.level': '-5', 'follower.replication.throttled.replicas': '0:1,1:2',
  'leader.replication.throttled.replicas': '*', 'message.format.version': '2.8', 'message.timestamp.type': 'LogAppendTime', 'min.cleanable.dirty.ratio': '0.75',
  'tiered.cold.age.ms': '7200000', 'storage.mode': 'diskless', 's3.bucket': 'my-bucket', 's3.region': 'eu-west-1', 's3.prefix': 'tenants/a/', 's3.endpoint': 'http://127.0.0.1:9000',
  's3.access.key.id': 'AK', 's3.secret.access.key': 'SK', 's3.storage.class': 'STANDARD_IA', 's3.encryption': 'SSE-KMS', 's3.kms.key.id': 'alias/k',
  'diskless.format': 'segment', 'diskless.compression': 'snappy', 'diskless.ack.mode': 'buffered', 'external.source': 'file', 'external.path': '/lake',
  'external.s3.bucket': 'lake', 'external.s3.region': 'us-east-1', 'external.s3.prefix': 'p', 'external.s3.endpoint': 'https://s3.example.com',
  'external.s3.access.key.id': 'AK', 'external.s3.secret.access.key': 'SK', 'external.parquet.pattern': 'partition={partition}/*.parquet',
  'external.offset.mode': 'timestamp:ts', 'external.key.column': 'k', 'external.value.column': 'v', 'external.value.mode': 'column',
  'external.value.columns': '', 'external.timestamp.column': 'ts',
};
const BAD: Record<string, string> = {
  'cleanup.policy': 'compact,forever', 'compression.type': 'brotli', 'compression.gzip.level': '0', 'compression.lz4.level': '18',
  'compression.zstd.level': '23', 'follower.replication.throttled.replicas': '0-1', 'leader.replication.throttled.replicas': 'all',
  'message.format.version': 'latest', 'message.timestamp.type': 'createtime', 'min.cleanable.dirty.ratio': '1.5', 'storage.mode': 'cloud',
  's3.bucket': 'My_Bucket', 's3.region': 'eu west', 's3.prefix': '/abs', 's3.endpoint': 'ftp://x', 's3.access.key.id': '',
  's3.storage.class': 'GLACIER', 's3.encryption': 'sse-s3', 's3.kms.key.id': '', 'diskless.format': 'avro', 'diskless.compression': 'lz4',
  'diskless.ack.mode': 'fast', 'external.source': 'hdfs', 'external.path': '', 'external.s3.bucket': 'x', 'external.s3.region': 'a/b',
  'external.s3.prefix': '../up', 'external.s3.endpoint': 'not a url', 'external.s3.access.key.id': '', 'external.parquet.pattern': '{partition}/{partition}',
  'external.offset.mode': 'rows', 'external.key.column': '', 'external.value.column': '', 'external.value.mode': 'avro',
  'external.value.columns': 'a,,b', 'external.timestamp.column': '', 'segment.bytes': '13', 'retention.ms': '-2',
};
const BY_TYPE = { int: ['42', 'forty'], long: ['1000', '1.5'], double: ['0.5', 'x'], boolean: ['true', 'yes'], list: ['a', ''], string: ['x', ''], password: ['x', ''] } as const;

describe('validateTopicConfigs: every key', () => {
  for (const key of TOPIC_CONFIG_NAMES) {
    const def = topicConfigDef(key);
    const good = GOOD[key] ?? BY_TYPE[def.type][0];
    const bad = BAD[key] ?? (def.type === 'string' || def.type === 'list' || def.type === 'password' ? undefined : BY_TYPE[def.type][1]);
    it(`${key}: accepts ${JSON.stringify(good)}${bad === undefined ? '' : `, rejects ${JSON.stringify(bad)}`}`, () => {
      const ok = create({ ...contextFor(key), [key]: good });
      expect(ok).toMatchObject({ ok: true });
      if (bad === undefined) return;
      const result = create({ ...contextFor(key), [key]: bad });
      expect(result).toMatchObject({ ok: false, key });
      if (!result.ok) expect(result.message).toContain(key);
    });
  }
});

describe('validateTopicConfigs: Kafka behaviour', () => {
  it("rejects bad values with Kafka's message", () => {
    expect(create({ 'retention.ms': '-5' })).toEqual({ ok: false, key: 'retention.ms', message: 'Invalid value -5 for configuration retention.ms: Value must be at least -1' });
    expect(create({ 'segment.bytes': 'big' })).toEqual({ ok: false, key: 'segment.bytes', message: 'Invalid value big for configuration segment.bytes: Not a number of type INT' });
  });

  it('rejects unknown keys before anything else', () => {
    expect(create({ 'retention.ms': '-5', 'not.a.config': '1' })).toEqual({ ok: false, key: 'not.a.config', message: 'Unknown topic config name: not.a.config' });
  });

  it('rejects null values on create, listing them', () => {
    expect(create({ 'retention.ms': null, 'retention.bytes': null })).toEqual({
      ok: false,
      key: 'retention.ms',
      message: 'Null value not supported for topic configs: retention.ms,retention.bytes',
    });
  });

  it('bounds segment.bytes between Kafka minimum 14 and 1 GiB', () => {
    expect(create({ 'segment.bytes': '13' })).toMatchObject({ ok: false, message: expect.stringContaining('Value must be at least 14') });
    expect(create({ 'segment.bytes': '14' })).toMatchObject({ ok: true });
    expect(create({ 'segment.bytes': '1073741825' })).toMatchObject({ ok: false, message: expect.stringContaining('no more than 1073741824') });
  });

  it('accepts deprecated and 4.0-removed keys from older tools', () => {
    expect(create({ 'message.format.version': '3.0-IV1', 'message.timestamp.difference.max.ms': '1000', 'message.downconversion.enable': 'false' })).toMatchObject({ ok: true });
  });

  it('returns canonical text', () => {
    expect(create({ 'retention.ms': ' 1000 ', preallocate: 'TRUE', 'cleanup.policy': 'compact , delete', 'min.cleanable.dirty.ratio': '1' })).toEqual({
      ok: true,
      configs: { 'retention.ms': '1000', preallocate: 'true', 'cleanup.policy': 'compact,delete', 'min.cleanable.dirty.ratio': '1.0' },
    });
  });
});

describe('validateTopicConfigs: alter', () => {
  it('merges changes into the current set and removes null keys', () => {
    expect(alter({ 'retention.ms': '5000', 'segment.ms': null }, { 'segment.ms': '1000', 'cleanup.policy': 'compact' })).toEqual({
      ok: true,
      configs: { 'retention.ms': '5000', 'cleanup.policy': 'compact' },
    });
  });

  it('keeps storage.mode immutable', () => {
    expect(alter({ 'storage.mode': 'tiered' }, { 'storage.mode': 'diskless' })).toEqual({
      ok: false,
      key: 'storage.mode',
      message: 'Invalid value tiered for configuration storage.mode: storage.mode cannot be changed after the topic is created (it is diskless)',
    });
    expect(alter({ 'storage.mode': null }, { 'storage.mode': 'diskless' })).toMatchObject({ ok: false, key: 'storage.mode' });
    expect(alter({ 'storage.mode': 'tiered' }, {})).toMatchObject({ ok: false, key: 'storage.mode', message: expect.stringContaining('(it is standard)') });
    expect(alter({ 'storage.mode': 'diskless', 'retention.ms': '1' }, { 'storage.mode': 'diskless' })).toMatchObject({ ok: true });
    expect(alter({ 'storage.mode': 'standard' }, {})).toMatchObject({ ok: true });
    expect(alter({ 'storage.mode': null }, {})).toMatchObject({ ok: true });
  });

  it('checks cross-field rules against the merged set', () => {
    expect(alter({ 'min.compaction.lag.ms': '10' }, { 'max.compaction.lag.ms': '5' })).toEqual({
      ok: false,
      key: 'min.compaction.lag.ms',
      message: 'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)',
    });
  });
});

describe('validateTopicConfigs: cross-field rules', () => {
  const failsOn = (key: string, configs: Record<string, string>, brokerSettings?: Record<string, string>) =>
    expect(create(configs, brokerSettings), JSON.stringify(configs)).toMatchObject({ ok: false, key, message: expect.stringContaining(key) });

  it('keeps local retention within total retention on tiered topics and where set', () => {
    failsOn('local.retention.ms', { 'storage.mode': 'tiered', 'retention.ms': '1000', 'local.retention.ms': '2000' });
    failsOn('local.retention.ms', { 'retention.ms': '1000', 'local.retention.ms': '-1' });
    failsOn('local.retention.bytes', { 'retention.bytes': '100', 'local.retention.bytes': '200' });
    failsOn('local.retention.ms', { 'storage.mode': 'tiered', 'local.retention.ms': '2000' }, { 'log.retention.minutes': '0' });
    expect(create({ 'storage.mode': 'tiered', 'retention.ms': '-1', 'local.retention.ms': '2000' })).toMatchObject({ ok: true });
    expect(create({ 'retention.ms': '1000' }, { 'log.local.retention.ms': '5000' })).toMatchObject({ ok: true });
  });

  it('needs a source and a location for external topics', () => {
    failsOn('external.source', { 'storage.mode': 'external' });
    failsOn('external.path', { 'storage.mode': 'external', 'external.source': 'file' });
    failsOn('external.s3.bucket', { 'storage.mode': 'external', 'external.source': 's3' });
    expect(create({ 'storage.mode': 'external', 'external.source': 's3', 'external.s3.bucket': 'lake' })).toMatchObject({ ok: true });
    expect(create({ 'storage.mode': 'hybrid' })).toMatchObject({ ok: true });
    failsOn('external.source', { 'storage.mode': 'hybrid', 'external.path': '/lake' });
  });

  it('allows external.* only on external and hybrid topics', () => {
    failsOn('external.path', { 'external.path': '/lake' });
    failsOn('external.key.column', { 'storage.mode': 'diskless', 'external.key.column': 'k' });
  });

  it('maps values consistently', () => {
    const base = { 'storage.mode': 'external', 'external.source': 'file', 'external.path': '/lake' };
    failsOn('external.value.column', { ...base, 'external.value.mode': 'column' });
    failsOn('external.value.columns', { ...base, 'external.value.mode': 'column', 'external.value.column': 'v', 'external.value.columns': 'a' });
    expect(create({ ...base, 'external.value.columns': 'a,b' })).toMatchObject({ ok: true });
  });

  it('checks per-topic bucket settings', () => {
    failsOn('s3.bucket', { 's3.enabled': 'true' });
    failsOn('s3.secret.access.key', { 's3.access.key.id': 'AK' });
    failsOn('s3.access.key.id', { 's3.secret.access.key': 'SK' });
    failsOn('s3.use.iam.role', { 's3.use.iam.role': 'true', 's3.access.key.id': 'AK', 's3.secret.access.key': 'SK' });
    failsOn('s3.kms.key.id', { 's3.kms.key.id': 'alias/k' });
    failsOn('external.s3.secret.access.key', { 'storage.mode': 'external', 'external.source': 's3', 'external.s3.bucket': 'lake', 'external.s3.access.key.id': 'AK' });
    expect(create({ 's3.enabled': 'true', 's3.bucket': 'bkt', 's3.use.iam.role': 'true', 's3.encryption': 'SSE-KMS', 's3.kms.key.id': 'k' })).toMatchObject({ ok: true });
  });

  it('orders tiered ages and ties remote storage to tiered topics', () => {
    failsOn('tiered.cold.age.ms', { 'tiered.warm.age.ms': '2000', 'tiered.cold.age.ms': '1000' });
    failsOn('remote.storage.enable', { 'remote.storage.enable': 'true' });
    failsOn('cleanup.policy', { 'storage.mode': 'tiered', 'cleanup.policy': 'compact' });
    expect(create({ 'storage.mode': 'tiered', 'remote.storage.enable': 'true' })).toMatchObject({ ok: true });
  });
});

describe('validateTopicConfigs: secrets', () => {
  it('never puts a secret into a message', () => {
    const secret = fc.string({ minLength: 1 }).map((s) => `SECRET-${s.replace(/\s/g, '')}-END`);
    fc.assert(
      fc.property(secret, (value) => {
        const cases = [
          create({ 's3.secret.access.key': value }),
          create({ 'external.s3.secret.access.key': value }),
          create({ 'storage.mode': 'external', 'external.source': 's3', 'external.s3.bucket': 'lake', 'external.s3.secret.access.key': value }),
          create({ 's3.secret.access.key': value, 's3.access.key.id': 'AK', 's3.use.iam.role': 'true' }),
          create({ 's3.secret.access.key': value, 'retention.ms': 'x' }),
        ];
        return cases.every((r) => !r.ok && !r.message.includes(value));
      }),
      { numRuns: 50 },
    );
  });

  it('keeps the secret itself in the validated configs', () => {
    expect(create({ 's3.access.key.id': 'AK', 's3.secret.access.key': ' p@ss ' })).toEqual({ ok: true, configs: { 's3.access.key.id': 'AK', 's3.secret.access.key': 'p@ss' } });
  });
});
