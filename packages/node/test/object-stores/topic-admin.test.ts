// TopicAdmin with a real embedded coordinator and a real S3 server: secrets are sealed before every
// coordinator write, stores are checked before a topic is created or moved, and a refused change
// leaves the stored configs as they were.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCoordinator } from '@oxbow/controller';
import { KafkaErrorCode } from '@oxbow/protocol';
// eslint-disable-next-line no-restricted-imports -- the storage package's public test entry point (its exports map), not its internals
import { S3FaultProxy, startS3Server, type S3ServerHandle } from '@oxbow/storage/testing';
import { TopicAdmin, CONFIG_OPERATION, type CreateTopicInput } from '../../src/broker/topic-admin.js';
import { parseBrokerConfig } from '../../src/config/index.js';
import { ObjectStoreRouter } from '../../src/object-stores/object-store-router.js';
import { isSealed, TopicSecrets } from '../../src/object-stores/topic-secrets.js';

const ACCESS_KEY_ID = 'S3RVER';
const SECRET = 'Oxbow-Admin-Secret-3b8e51f0';
const WRONG = 'Oxbow-Wrong-Secret-0c2d77a4';

let server: S3ServerHandle;
let proxy: S3FaultProxy;
let dir: string;
let coordinator: EmbeddedCoordinator;
let router: ObjectStoreRouter;
let admin: TopicAdmin;

beforeAll(async () => {
  server = await startS3Server({ buckets: ['tenant-a', 'tenant-b'] });
  proxy = await S3FaultProxy.start(server.endpoint, { verifySignatures: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } });
  dir = await mkdtemp(join(tmpdir(), 'oxbow-admin-'));
  coordinator = new EmbeddedCoordinator({ dataDir: dir, nodeId: 0 });
  await coordinator.start();
  await coordinator.registerBroker({ nodeId: 0, host: '127.0.0.1', port: 9092, rack: null });
  const config = parseBrokerConfig(['--data-dir', dir], {});
  router = new ObjectStoreRouter({ clusterStore: config.objectStore, secrets: TopicSecrets.withKey(randomBytes(32)), checkTimeoutMs: 2_000 });
  await router.start();
  admin = new TopicAdmin(coordinator, config, router);
}, 30_000);

afterAll(async () => {
  await router?.close();
  await coordinator?.close();
  await proxy?.close();
  await server?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function bucket(name: string, secret = SECRET): Record<string, string> {
  return {
    's3.enabled': 'true',
    's3.bucket': name,
    's3.endpoint': proxy.endpoint,
    's3.force.path.style': 'true',
    's3.access.key.id': ACCESS_KEY_ID,
    's3.secret.access.key': secret,
  };
}

function input(name: string, configs: Record<string, string>): CreateTopicInput {
  return { name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([k, value]) => ({ name: k, value })) };
}

describe('TopicAdmin with object stores', () => {
  it('stores the secret sealed, reports it as sensitive, and routes the topic to its bucket', async () => {
    const created = await admin.createTopic(input('sealed', bucket('tenant-a')), false);
    expect(created.errorCode).toBe(0);
    const stored = coordinator.topic('sealed')?.configs ?? {};
    expect(isSealed(stored['s3.secret.access.key'] ?? '')).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(SECRET);
    expect(stored['s3.bucket']).toBe('tenant-a');
    if (created.errorCode === 0 && 'value' in created) {
      expect(created.value.configs.find((c) => c.name === 's3.secret.access.key')).toMatchObject({ value: null, isSensitive: true });
    }
    const topic = coordinator.topic('sealed');
    if (topic === undefined) throw new Error('not created');
    await router.storeFor(topic).put('probe', Buffer.from('ok'));
    expect(router.locationKey(topic)).toMatch(/^s3:\/\/tenant-a\?/);
  });

  it('refuses a wrong secret with INVALID_CONFIG naming the bucket, never the secret', async () => {
    const out = await admin.createTopic(input('wrong-secret', bucket('tenant-a', WRONG)), false);
    expect(out.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    const message = 'errorMessage' in out ? out.errorMessage : '';
    expect(message).toContain('tenant-a');
    expect(message).toContain('access-denied');
    expect(message).not.toContain(WRONG);
    expect(coordinator.topic('wrong-secret')).toBeUndefined();
  });

  it('refuses a missing bucket', async () => {
    const out = await admin.createTopic(input('missing', bucket('not-there')), false);
    expect(out).toMatchObject({ errorCode: KafkaErrorCode.INVALID_CONFIG });
    expect('errorMessage' in out ? out.errorMessage : '').toMatch(/not-there.*no-such-bucket/);
  });

  it('checks with validateOnly too, and creates nothing', async () => {
    expect((await admin.createTopic(input('dry', bucket('not-there')), true)).errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect((await admin.createTopic(input('dry', bucket('tenant-a')), true)).errorCode).toBe(0);
    expect(coordinator.topic('dry')).toBeUndefined();
  });

  it('checks the cluster store for diskless topics, not for standard ones', async () => {
    expect((await admin.createTopic(input('diskless-cluster', { 'storage.mode': 'diskless' }), true)).errorCode).toBe(0);
    expect((await admin.createTopic(input('standard-bucket-off', { 's3.bucket': 'not-there' }), true)).errorCode).toBe(0);
  });

  it('keeps an unchanged secret valid across alters, and re-seals a changed one', async () => {
    await admin.createTopic(input('altered', bucket('tenant-a')), false);
    const before = coordinator.topic('altered')?.configs['s3.secret.access.key'];
    expect((await admin.incrementalAlterTopicConfigs('altered', [{ name: 'retention.ms', configOperation: CONFIG_OPERATION.SET, value: '60000' }], false)).errorCode).toBe(0);
    const after = coordinator.topic('altered')?.configs ?? {};
    expect(after['retention.ms']).toBe('60000');
    expect(after['s3.secret.access.key']).toBe(before);
    // Moving to the other bucket with the same (unchanged, sealed) credentials is checked and works.
    expect((await admin.incrementalAlterTopicConfigs('altered', [{ name: 's3.bucket', configOperation: CONFIG_OPERATION.SET, value: 'tenant-b' }], false)).errorCode).toBe(0);
    expect(coordinator.topic('altered')?.configs['s3.secret.access.key']).toBe(before);
    // Setting the same secret again keeps the ciphertext; a new secret is sealed afresh (and checked).
    expect((await admin.incrementalAlterTopicConfigs('altered', [{ name: 's3.secret.access.key', configOperation: CONFIG_OPERATION.SET, value: SECRET }], false)).errorCode).toBe(0);
    expect(coordinator.topic('altered')?.configs['s3.secret.access.key']).toBe(before);
    const wrong = await admin.incrementalAlterTopicConfigs('altered', [{ name: 's3.secret.access.key', configOperation: CONFIG_OPERATION.SET, value: WRONG }], false);
    expect(wrong.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect('errorMessage' in wrong ? wrong.errorMessage : '').not.toContain(WRONG);
    expect(coordinator.topic('altered')?.configs['s3.secret.access.key']).toBe(before);
  });

  it('refuses an alter to a bad bucket and keeps the old configs', async () => {
    await admin.createTopic(input('stays', bucket('tenant-a')), false);
    const old = coordinator.topic('stays')?.configs;
    const out = await admin.incrementalAlterTopicConfigs('stays', [{ name: 's3.bucket', configOperation: CONFIG_OPERATION.SET, value: 'gone-bucket' }], false);
    expect(out.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect('errorMessage' in out ? out.errorMessage : '').toContain('gone-bucket');
    expect(coordinator.topic('stays')?.configs).toEqual(old);
    // The legacy AlterConfigs (replace all) is checked the same way.
    const legacy = await admin.alterTopicConfigs('stays', { ...bucket('gone-bucket') }, true, false);
    expect(legacy.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect(coordinator.topic('stays')?.configs).toEqual(old);
    // Turning the own bucket off puts a standard topic back on the cluster store: no check needed.
    expect((await admin.incrementalAlterTopicConfigs('stays', [{ name: 's3.enabled', configOperation: CONFIG_OPERATION.SET, value: 'false' }], false)).errorCode).toBe(0);
  });

  it('refuses APPEND and SUBTRACT on values that are not lists, as Kafka does', async () => {
    const out = await admin.incrementalAlterTopicConfigs('sealed', [{ name: 's3.secret.access.key', configOperation: CONFIG_OPERATION.APPEND, value: 'x' }], false);
    expect(out).toMatchObject({ errorCode: KafkaErrorCode.INVALID_CONFIG });
    expect('errorMessage' in out ? out.errorMessage : '').toMatch(/append is not allowed for config key s3.secret.access.key/);
  });
});
