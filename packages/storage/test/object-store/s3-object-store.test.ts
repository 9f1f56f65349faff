import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreError, S3ClientPool, S3ObjectStore, openObjectStore, parseObjectStoreUrl, type ObjectStore } from '../../src/index.js';
import { S3FaultProxy, describeObjectStore, startS3Server, type S3ServerHandle } from '../../src/testing/index.js';

const MiB = 1024 * 1024;
const BUCKET = 'conformance';
let server: S3ServerHandle;
let pool: S3ClientPool;
/** Checks SigV4 signatures (s3rver does not) with s3rver's credentials. */
let verifying: S3FaultProxy;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET, 'other'] });
  pool = new S3ClientPool({ maxAttempts: 3, requestTimeoutMs: 10_000 });
  verifying = await S3FaultProxy.start(server.endpoint, { verifySignatures: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } });
}, 30_000);

afterAll(async () => {
  await pool?.close();
  await verifying?.close();
  await server?.stop();
});

describeObjectStore('s3 (s3rver)', () => {
  const store = new S3ObjectStore(server.settings(BUCKET, { prefix: `suite/${randomUUID()}` }), {
    pool,
    multipartThresholdBytes: 5 * MiB,
    partSizeBytes: 5 * MiB,
  });
  return Promise.resolve({ store, cleanup: () => store.close() });
}, { listsInDirectoryOrder: true });

// The same suite through the signature-checking proxy: every request the store signs must verify.
describeObjectStore('s3 (s3rver behind a SigV4-verifying proxy)', () => {
  const store = new S3ObjectStore(server.settings(BUCKET, { endpoint: verifying.endpoint, prefix: `signed/${randomUUID()}` }), {
    pool,
    multipartThresholdBytes: 5 * MiB,
    partSizeBytes: 5 * MiB,
  });
  return Promise.resolve({
    store,
    cleanup: async () => {
      await store.close();
      expect(verifying.counters.rejected).toBe(0);
    },
  });
}, { listsInDirectoryOrder: true });

describe('S3ObjectStore on s3rver', () => {
  it('uploads bodies above the threshold in parts of the configured size', { timeout: 30_000 }, async () => {
    const proxy = await S3FaultProxy.start(server.endpoint);
    const store = new S3ObjectStore(server.settings(BUCKET, { endpoint: proxy.endpoint, prefix: 'multipart' }), { pool, multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB });
    try {
      const body = Buffer.alloc(12 * MiB, 7);
      await store.put('twelve', body);
      const parts = proxy.log.filter((e) => e.method === 'PUT' && e.url.includes('partNumber='));
      expect(parts.map((e) => /partNumber=(\d+)/.exec(e.url)?.[1]).sort()).toEqual(['1', '2', '3']);
      expect(proxy.log.filter((e) => e.method === 'POST' && e.url.includes('uploadId=')).length).toBe(1); // complete
      proxy.resetCounters();
      await store.put('small', Buffer.alloc(5 * MiB, 1)); // at the threshold: one PUT
      expect(proxy.log.map((e) => e.method)).toEqual(['PUT']);
      expect((await store.get('twelve')).equals(body)).toBe(true);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('keeps keys under the prefix and strips it from listings', async () => {
    const a = new S3ObjectStore(server.settings(BUCKET, { prefix: 'tenant-a/' }), { pool });
    const b = new S3ObjectStore(server.settings(BUCKET, { prefix: 'tenant-b' }), { pool });
    await a.put('k', Buffer.from('a'));
    await b.put('k', Buffer.from('b'));
    expect((await a.get('k')).toString()).toBe('a');
    expect((await b.get('k')).toString()).toBe('b');
    const keys: string[] = [];
    for await (const o of a.list('')) keys.push(o.key);
    expect(keys).toEqual(['k']);
    expect(a.description).toContain('s3://conformance/tenant-a');
  });

  it('check() names a missing bucket; operations on it fail with no-such-bucket', async () => {
    const store = new S3ObjectStore(server.settings('no-such-bucket-here'), { pool });
    const check = await store.check();
    expect(check).toMatchObject({ ok: false, code: 'no-such-bucket', retriable: false });
    if (!check.ok) expect(check.reason).toContain('no-such-bucket-here');
    await expect(store.get('x')).rejects.toMatchObject({ code: 'no-such-bucket' });
  });

  it.each([
    ['a wrong secret (SigV4 checked by the proxy)', 'S3RVER', true],
    ['an unknown access key id (checked by s3rver)', 'AKIAWRONGWRONGWRONG', false],
  ])('%s fails with access-denied and the secret appears in no message, stack or JSON', async (_what, accessKeyId, viaProxy) => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSUPERSECRET';
    const rejectedBefore = verifying.counters.rejected;
    const store = new S3ObjectStore(server.settings(BUCKET, { accessKeyId, secretAccessKey: secret, ...(viaProxy ? { endpoint: verifying.endpoint } : {}) }), { pool });
    const check = await store.check();
    expect(check).toMatchObject({ ok: false, code: 'access-denied' });
    expect(JSON.stringify(check)).not.toContain(secret);
    for (const op of [() => store.put('k', Buffer.from('x')), () => store.get('k'), () => store.head('k'), () => store.listPage('')]) {
      const error = await op().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObjectStoreError);
      const e = error as ObjectStoreError;
      expect(e.code).toBe('access-denied');
      expect(e.message).toMatch(/conformance/);
      for (const text of [String(e), e.stack ?? '', JSON.stringify(e), String(e.cause), (e.cause as Error).stack ?? '']) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain('SUPERSECRET');
      }
    }
    // Nor in the store's description.
    expect(store.description).not.toContain(secret);
    if (viaProxy) expect(verifying.counters.rejected).toBeGreaterThanOrEqual(rejectedBefore + 5);
  });

  it('refuses a conditional create on an endpoint that ignores If-None-Match, unless told it is enforced', async () => {
    const store = new S3ObjectStore(server.settings(BUCKET, { prefix: 'cond' }), { pool });
    expect(store.capabilities.conditionalCreate).toBe(false);
    await expect(store.put('k', Buffer.from('x'), { ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'unsupported' });
    const aws = new S3ObjectStore({ bucket: 'b', region: 'eu-west-1' }, { pool });
    expect(aws.capabilities.conditionalCreate).toBe(true);
  });

  it('sends storage class and SSE headers (s3rver accepts and ignores them)', async () => {
    for (const extra of [{ storageClass: 'STANDARD_IA' }, { encryption: 'SSE-S3' as const }, { encryption: 'SSE-KMS' as const, kmsKeyId: 'alias/oxbow' }]) {
      const store = new S3ObjectStore(server.settings(BUCKET, { prefix: 'sse', ...extra }), { pool });
      await store.put('k', Buffer.from('v'));
      expect((await store.get('k')).toString()).toBe('v');
    }
  });

  it('the pool reuses one client per (bucket, region, endpoint, path style, credentials)', () => {
    const local = new S3ClientPool();
    try {
      const s1 = new S3ObjectStore(server.settings(BUCKET, { prefix: 'x' }), { pool: local });
      new S3ObjectStore(server.settings(BUCKET, { prefix: 'y' }), { pool: local }); // same client: prefix is not part of the key
      expect(local.size).toBe(1);
      new S3ObjectStore(server.settings('other'), { pool: local });
      new S3ObjectStore(server.settings(BUCKET, { region: 'eu-west-1' }), { pool: local });
      new S3ObjectStore(server.settings(BUCKET, { accessKeyId: 'S3RVER', secretAccessKey: 'different' }), { pool: local });
      expect(local.size).toBe(4);
      expect(s1.settings.prefix).toBe('x');
    } finally {
      void local.close();
    }
  });

  it('opens from the --object-store URL form', async () => {
    const loc = parseObjectStoreUrl(`${server.url(BUCKET, 'from-url')}&accessKeyId=S3RVER&secretAccessKey=S3RVER`);
    const store: ObjectStore = openObjectStore(loc, { pool });
    await store.put('k', Buffer.from('url'));
    expect((await store.get('k')).toString()).toBe('url');
    expect(store.description).toBe(`s3://${BUCKET}/from-url (endpoint ${server.endpoint})`);
  });
});
