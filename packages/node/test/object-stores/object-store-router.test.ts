import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicRecord } from '@oxbow/controller';
import { S3ObjectStore } from '@oxbow/storage';
// eslint-disable-next-line no-restricted-imports -- the storage package's public test entry point (its exports map), not its internals
import { S3FaultProxy, startS3Server, type S3ServerHandle } from '@oxbow/storage/testing';
import { ObjectStoreRouter, usesObjectStore } from '../../src/object-stores/object-store-router.js';
import { TopicSecrets } from '../../src/object-stores/topic-secrets.js';

/** s3rver checks only the access key id; the proxy in front verifies signatures against this secret. */
const ACCESS_KEY_ID = 'S3RVER';
const SECRET = 'Oxbow-Router-Secret-9d41c7e2';

let server: S3ServerHandle;
let proxy: S3FaultProxy;
let dir: string;
let secrets: TopicSecrets;
let router: ObjectStoreRouter;
/** Accepts connections and never answers: an endpoint that hangs. */
let silent: Server;
const silentSockets: Socket[] = [];

beforeAll(async () => {
  server = await startS3Server({ buckets: ['alpha', 'beta'] });
  proxy = await S3FaultProxy.start(server.endpoint, { verifySignatures: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } });
  dir = await mkdtemp(join(tmpdir(), 'oxbow-router-'));
  secrets = TopicSecrets.withKey(randomBytes(32));
  router = new ObjectStoreRouter({ clusterStore: `file://${dir}/objects`, secrets, checkTimeoutMs: 1_500 });
  await router.start();
  silent = createServer((socket) => silentSockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
}, 30_000);

afterAll(async () => {
  await router?.close();
  for (const s of silentSockets) s.destroy();
  await new Promise<void>((resolve) => (silent === undefined ? resolve() : silent.close(() => resolve())));
  await proxy?.close();
  await server?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function bucketConfigs(bucket: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    's3.enabled': 'true',
    's3.bucket': bucket,
    's3.endpoint': proxy.endpoint,
    's3.region': 'us-east-1',
    's3.force.path.style': 'true',
    's3.access.key.id': ACCESS_KEY_ID,
    's3.secret.access.key': SECRET,
    ...extra,
  };
}

/** A topic as the coordinator holds it: secrets sealed. */
async function topic(name: string, configs: Record<string, string>): Promise<TopicRecord> {
  return { name, topicId: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', partitions: [], configs: await secrets.seal(configs) };
}

describe('ObjectStoreRouter', () => {
  it('puts a topic with s3.enabled into its own bucket and prefix, through the sealed credentials', async () => {
    const t = await topic('orders', bucketConfigs('alpha', { 's3.prefix': 'tenant-a' }));
    expect(t.configs['s3.secret.access.key']).not.toBe(SECRET);
    const store = router.storeFor(t);
    await store.put('orders/0/object-1', Buffer.from('hello'));
    const direct = new S3ObjectStore(server.settings('alpha'));
    try {
      expect((await direct.get('tenant-a/orders/0/object-1')).toString()).toBe('hello');
    } finally {
      await direct.close();
    }
    expect(store.description).toContain('s3://alpha/tenant-a');
  });

  it('hands out one cached store for topics with identical settings, another for different ones', async () => {
    const a = await topic('a', bucketConfigs('alpha', { 's3.prefix': 'shared' }));
    const b = await topic('b', bucketConfigs('alpha', { 's3.prefix': 'shared' }));
    // Different ciphertexts of the same secret: the key is computed from the plaintext.
    expect(a.configs['s3.secret.access.key']).not.toBe(b.configs['s3.secret.access.key']);
    expect(router.locationKey(a)).toBe(router.locationKey(b));
    expect(router.storeFor(a)).toBe(router.storeFor(b));
    const c = await topic('c', bucketConfigs('beta', { 's3.prefix': 'shared' }));
    const d = await topic('d', bucketConfigs('alpha', { 's3.prefix': 'other' }));
    const e = await topic('e', bucketConfigs('alpha', { 's3.prefix': 'shared', 's3.storage.class': 'STANDARD_IA' }));
    const keys = new Set([a, c, d, e].map((x) => router.locationKey(x)));
    expect(keys.size).toBe(4);
    expect(router.storeFor(c)).not.toBe(router.storeFor(a));
  });

  it('names the store in the location key without the secret, fingerprinting the credentials', async () => {
    const a = await topic('a', bucketConfigs('alpha', { 's3.prefix': 'p' }));
    const key = router.locationKey(a);
    expect(key).toMatch(/^s3:\/\/alpha\/p\?/);
    expect(key).toContain('credentials=static%3A');
    expect(key).not.toContain(SECRET);
    const otherSecret = await topic('b', bucketConfigs('alpha', { 's3.prefix': 'p', 's3.secret.access.key': 'another-secret-value' }));
    expect(router.locationKey(otherSecret)).not.toBe(key);
  });

  it('uses the cluster store for topics without s3.enabled (their s3.* keys are ignored)', async () => {
    const plain = await topic('plain', { 'retention.ms': '1000' });
    const disabled = await topic('disabled', { 's3.enabled': 'false', 's3.bucket': 'alpha' });
    expect(router.locationKey(plain)).toBe(`file://${dir}/objects`);
    expect(router.locationKey(disabled)).toBe(`file://${dir}/objects`);
    expect(router.storeFor(plain)).toBe(router.storeFor(disabled));
    await router.storeFor(plain).put('x', Buffer.from('y'));
  });

  it('inherits the cluster store settings a topic leaves unset', async () => {
    const cluster = new ObjectStoreRouter({ clusterStore: server.url('alpha', 'cluster'), secrets });
    try {
      const t = await topic('t', { 's3.enabled': 'true', 's3.bucket': 'beta' });
      expect(cluster.locationOf(t.configs)).toEqual({ scheme: 's3', settings: { bucket: 'beta', endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, prefix: 'cluster' } });
      expect(cluster.locationKey(await topic('u', {}))).toMatch(/^s3:\/\/alpha\/cluster\?.*credentials=default-chain/);
    } finally {
      await cluster.close();
    }
  });

  it('says which topics keep data in an object store', () => {
    expect(usesObjectStore({})).toBe(false);
    expect(usesObjectStore({ 'storage.mode': 'standard', 's3.bucket': 'x' })).toBe(false);
    expect(usesObjectStore({ 's3.enabled': 'true' })).toBe(true);
    for (const mode of ['tiered', 'hybrid', 'diskless']) expect(usesObjectStore({ 'storage.mode': mode })).toBe(true);
    expect(usesObjectStore({ 'storage.mode': 'external' })).toBe(false);
  });

  describe('check', () => {
    it('passes for a bucket that exists with working credentials (sealed or plaintext configs)', async () => {
      expect(await router.check(bucketConfigs('alpha'))).toEqual({ ok: true });
      expect(await router.check((await topic('t', bucketConfigs('alpha'))).configs)).toEqual({ ok: true });
      expect(await router.check({ 'storage.mode': 'diskless' })).toEqual({ ok: true });
    });

    it('fails a wrong secret as access-denied, naming the bucket and not the secret', async () => {
      const wrong = 'Totally-Wrong-Secret-55aa';
      const result = await router.check(bucketConfigs('alpha', { 's3.secret.access.key': wrong }));
      expect(result).toMatchObject({ ok: false, code: 'access-denied', retriable: false });
      const reason = result.ok ? '' : result.reason;
      expect(reason).toContain('alpha');
      expect(reason).not.toContain(wrong);
      expect(reason).not.toContain(SECRET);
    });

    it('fails a missing bucket', async () => {
      const result = await router.check(bucketConfigs('no-such-bucket'));
      expect(result).toMatchObject({ ok: false, code: 'no-such-bucket' });
      expect(result.ok ? '' : result.reason).toContain('no-such-bucket');
    });

    it('fails settings that do not resolve, naming the key', async () => {
      const result = await router.check(bucketConfigs('alpha', { 's3.region': 'EU_WEST' }));
      expect(result).toMatchObject({ ok: false, code: 'invalid' });
      expect(result.ok ? '' : result.reason).toContain('s3.region');
    });

    it('gives up on an endpoint that never answers within the check deadline', async () => {
      const { port } = silent.address() as { port: number };
      const started = Date.now();
      const result = await router.check(bucketConfigs('alpha', { 's3.endpoint': `http://127.0.0.1:${port}` }));
      const took = Date.now() - started;
      expect(result).toMatchObject({ ok: false, code: 'unavailable', retriable: true });
      expect(took).toBeLessThan(4_000);
    });

    it('fails a refused connection quickly', async () => {
      const started = Date.now();
      const result = await router.check(bucketConfigs('alpha', { 's3.endpoint': 'http://127.0.0.1:1' }));
      expect(result).toMatchObject({ ok: false, code: 'unavailable' });
      expect(Date.now() - started).toBeLessThan(4_000);
    });

    it('reports an unusable cluster store where a store is needed', async () => {
      const memory = new ObjectStoreRouter({ clusterStore: 'memory://', secrets });
      try {
        expect(await memory.check({ 'storage.mode': 'diskless' })).toMatchObject({ ok: false, code: 'invalid' });
        expect(() => memory.storeFor({ name: 't', topicId: 'x', partitions: [], configs: {} })).toThrow(/unsupported URL/);
        // A topic with its own bucket does not need the cluster store.
        expect(await memory.check(bucketConfigs('alpha'))).toEqual({ ok: true });
      } finally {
        await memory.close();
      }
    });
  });
});
