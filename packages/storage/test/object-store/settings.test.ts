import { describe, expect, it } from 'vitest';
import {
  ObjectStoreSettingsError,
  credentialsHash,
  describeObjectStoreLocation,
  objectStoreSettingsFromTopicConfig,
  parseObjectStoreUrl,
  redactUrl,
  resolveObjectStoreLocation,
  s3ClientKey,
  type ObjectStoreLocation,
} from '../../src/index.js';

function settingError(fn: () => unknown): ObjectStoreSettingsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ObjectStoreSettingsError);
    return error as ObjectStoreSettingsError;
  }
  throw new Error('expected an ObjectStoreSettingsError');
}

describe('parseObjectStoreUrl', () => {
  it('parses the s3:// form with every parameter', () => {
    const loc = parseObjectStoreUrl(
      's3://my-bucket/some/prefix/?endpoint=http%3A%2F%2F127.0.0.1%3A4568&region=eu-west-1&forcePathStyle=true&storageClass=STANDARD_IA&encryption=SSE-KMS&kmsKeyId=alias%2Fk&useIamRole=false',
    );
    expect(loc).toEqual({
      scheme: 's3',
      settings: {
        bucket: 'my-bucket',
        prefix: 'some/prefix',
        endpoint: 'http://127.0.0.1:4568',
        region: 'eu-west-1',
        forcePathStyle: true,
        storageClass: 'STANDARD_IA',
        encryption: 'SSE-KMS',
        kmsKeyId: 'alias/k',
        useIamRole: false,
      },
    });
    expect(parseObjectStoreUrl('s3://b1')).toEqual({ scheme: 's3', settings: { bucket: 'b1' } });
    expect(parseObjectStoreUrl('s3://b1?endpoint=http://localhost:9000&forcePathStyle=true')).toMatchObject({ settings: { endpoint: 'http://localhost:9000', forcePathStyle: true } });
  });

  it('parses file:// as absolute or relative to the working directory', () => {
    expect(parseObjectStoreUrl('file:///var/lib/oxbow/objects')).toEqual({ scheme: 'file', root: '/var/lib/oxbow/objects' });
    expect(parseObjectStoreUrl('file://./data/objects', '/home/u/oxbow')).toEqual({ scheme: 'file', root: '/home/u/oxbow/data/objects' });
    expect(parseObjectStoreUrl('file://data', '/x')).toEqual({ scheme: 'file', root: '/x/data' });
  });

  it('names the parameter at fault', () => {
    expect(settingError(() => parseObjectStoreUrl('s3://b1?regoin=x')).setting).toBe('--object-store parameter regoin');
    expect(settingError(() => parseObjectStoreUrl('s3://b1?forcePathStyle=yes')).message).toContain('forcePathStyle');
    expect(settingError(() => parseObjectStoreUrl('s3://b1?encryption=AES')).message).toContain('SSE-KMS');
    expect(settingError(() => parseObjectStoreUrl('s3://b1?endpoint=ftp://x')).setting).toBe('--object-store parameter endpoint');
    expect(settingError(() => parseObjectStoreUrl('s3://b1?accessKeyId=AK')).message).toContain('secretAccessKey');
    expect(settingError(() => parseObjectStoreUrl('gs://b1')).message).toContain('s3://');
    expect(settingError(() => parseObjectStoreUrl('file://')).message).toContain('directory');
  });

  it('never echoes a secret from the URL in errors or descriptions', () => {
    const url = 's3://b1/p?accessKeyId=AKIA1&secretAccessKey=TOPSECRETVALUE&bogus=1';
    const error = settingError(() => parseObjectStoreUrl(url));
    expect(`${error.message} ${error.stack ?? ''}`).not.toContain('TOPSECRETVALUE');
    expect(redactUrl(url)).toBe('s3://b1/p?accessKeyId=***&secretAccessKey=***&bogus=1');
    const ok = parseObjectStoreUrl('s3://b1/p?accessKeyId=AKIA1&secretAccessKey=TOPSECRETVALUE');
    expect(describeObjectStoreLocation(ok)).toBe('s3://b1/p');
    expect(settingError(() => parseObjectStoreUrl('gs://b?secretAccessKey=TOPSECRETVALUE')).message).not.toContain('TOPSECRETVALUE');
  });
});

describe('resolveObjectStoreLocation (the storage router)', () => {
  const cluster: ObjectStoreLocation = {
    scheme: 's3',
    settings: { bucket: 'cluster-bucket', region: 'eu-west-1', prefix: 'oxbow', endpoint: 'http://s3.local:9000', forcePathStyle: true, accessKeyId: 'CLUSTERKEY', secretAccessKey: 'CLUSTERSECRET', encryption: 'SSE-S3' },
  };

  it('a topic with no s3.* keys uses the cluster default as is (file:// too)', () => {
    expect(resolveObjectStoreLocation({ 'retention.ms': '1000' }, cluster)).toBe(cluster);
    const file: ObjectStoreLocation = { scheme: 'file', root: '/data/objects' };
    expect(resolveObjectStoreLocation({}, file)).toBe(file);
  });

  it('topic keys override the default one by one; unset keys inherit', () => {
    const loc = resolveObjectStoreLocation({ 's3.bucket': 'tenant-a', 's3.prefix': '/lake/', 's3.storage.class': 'INTELLIGENT_TIERING', 's3.enabled': 'true' }, cluster);
    expect(loc).toEqual({
      scheme: 's3',
      settings: { ...cluster.settings, bucket: 'tenant-a', prefix: 'lake', storageClass: 'INTELLIGENT_TIERING' },
    });
  });

  it('credentials are inherited or replaced as a unit', () => {
    const own = resolveObjectStoreLocation({ 's3.access.key.id': 'TOPICKEY', 's3.secret.access.key': 'TOPICSECRET' }, cluster);
    expect(own).toMatchObject({ settings: { accessKeyId: 'TOPICKEY', secretAccessKey: 'TOPICSECRET', bucket: 'cluster-bucket' } });
    const iam = resolveObjectStoreLocation({ 's3.use.iam.role': 'true' }, cluster);
    expect(iam.scheme === 's3' && iam.settings.accessKeyId).toBeUndefined();
    expect(iam).toMatchObject({ settings: { useIamRole: true } });
    // A key id without its secret is refused rather than paired with the cluster's secret.
    expect(settingError(() => resolveObjectStoreLocation({ 's3.access.key.id': 'TOPICKEY' }, cluster)).setting).toBe('s3.secret.access.key');
  });

  it('names the topic key at fault', () => {
    expect(settingError(() => resolveObjectStoreLocation({ 's3.encryption': 'rot13' }, cluster)).setting).toBe('s3.encryption');
    expect(settingError(() => resolveObjectStoreLocation({ 's3.force.path.style': 'maybe' }, cluster)).setting).toBe('s3.force.path.style');
    expect(settingError(() => resolveObjectStoreLocation({ 's3.bucket': 'x', 's3.kms.key.id': 'k' }, cluster)).setting).toBe('s3.kms.key.id');
    expect(settingError(() => resolveObjectStoreLocation({ 's3.buckett': 'x' }, cluster)).setting).toBe('s3.buckett');
    expect(settingError(() => resolveObjectStoreLocation({ 's3.region': 'eu-west-2' }, { scheme: 'file', root: '/d' })).setting).toBe('s3.bucket');
    expect(settingError(() => resolveObjectStoreLocation({ 's3.storage.class': 'COLD' }, cluster)).setting).toBe('s3.storage.class');
    const conflict = settingError(() => resolveObjectStoreLocation({ 's3.use.iam.role': 'true', 's3.access.key.id': 'K', 's3.secret.access.key': 'S3CR3TVALUE' }, cluster));
    expect(conflict.setting).toBe('s3.use.iam.role');
    expect(conflict.message).not.toContain('S3CR3TVALUE');
  });

  it('parses only s3.* keys from a topic config', () => {
    expect(objectStoreSettingsFromTopicConfig({ 's3.bucket': 'b', 's3.region': null, 'cleanup.policy': 'compact' })).toEqual({ bucket: 'b' });
  });
});

describe('S3 client pool keys', () => {
  it('hash credentials (never embed them) and tell different credentials apart', () => {
    const base = { bucket: 'b', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'SECRETSECRETSECRET' };
    const key = s3ClientKey(base);
    expect(key).not.toContain('SECRETSECRETSECRET');
    expect(key).not.toContain('AKIAEXAMPLE');
    expect(s3ClientKey({ ...base })).toBe(key);
    expect(s3ClientKey({ ...base, secretAccessKey: 'OTHER' })).not.toBe(key);
    expect(s3ClientKey({ ...base, region: 'eu-west-1' })).not.toBe(key);
    expect(s3ClientKey({ ...base, forcePathStyle: true })).not.toBe(key);
    expect(s3ClientKey({ ...base, endpoint: 'http://x' })).not.toBe(key);
    expect(s3ClientKey({ ...base, prefix: 'p' })).toBe(key);
    expect(credentialsHash({})).toBe('default-chain');
    expect(credentialsHash({ ...base, useIamRole: true })).toBe('default-chain');
  });
});
