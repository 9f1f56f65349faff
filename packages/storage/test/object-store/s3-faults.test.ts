import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreError, S3ClientPool, S3ObjectStore } from '../../src/index.js';
import { S3FaultProxy, startS3Server, type S3Faults, type S3ServerHandle } from '../../src/testing/index.js';

const MiB = 1024 * 1024;
let server: S3ServerHandle;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startS3Server({ buckets: ['faults'] });
}, 30_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await server?.stop();
});

async function proxied(seed: number, faults: S3Faults): Promise<{ proxy: S3FaultProxy; store: S3ObjectStore }> {
  const proxy = await S3FaultProxy.start(server.endpoint, { seed, ...faults });
  const pool = new S3ClientPool({ maxAttempts: 6, requestTimeoutMs: 10_000, maxConcurrencyPerBucket: 8 });
  const store = new S3ObjectStore(server.settings('faults', { endpoint: proxy.endpoint, prefix: `seed-${seed}` }), {
    pool,
    multipartThresholdBytes: 5 * MiB,
    partSizeBytes: 5 * MiB,
  });
  cleanups.push(
    () => pool.close(),
    () => proxy.close(),
  );
  return { proxy, store };
}

/** The longest run of consecutive truncated responses to one URL. */
function maxTruncatedInARow(proxy: S3FaultProxy): number {
  const run = new Map<string, number>();
  let longest = 0;
  for (const e of proxy.log) {
    const n = e.outcome === 'truncated' ? (run.get(e.url) ?? 0) + 1 : 0;
    run.set(e.url, n);
    longest = Math.max(longest, n);
  }
  return longest;
}

/** A mixed workload; every result is checked against what was written. */
async function workload(store: S3ObjectStore): Promise<void> {
  const bodies = Array.from({ length: 30 }, (_, i) => randomBytes(1000 + i * 37));
  await Promise.all(bodies.map((b, i) => store.put(`w/${String(i).padStart(2, '0')}`, b)));
  const back = await Promise.all(bodies.map((_, i) => store.get(`w/${String(i).padStart(2, '0')}`)));
  back.forEach((b, i) => expect(b.equals(bodies[i] as Buffer), `object ${i}`).toBe(true));
  const ranges = await Promise.all(bodies.map((_, i) => store.get(`w/${String(i).padStart(2, '0')}`, { range: { offset: 10, length: 100 } })));
  ranges.forEach((r, i) => expect(r.equals((bodies[i] as Buffer).subarray(10, 110))).toBe(true));
  const heads = await Promise.all(bodies.map((_, i) => store.head(`w/${String(i).padStart(2, '0')}`)));
  heads.forEach((h, i) => expect(h.size).toBe((bodies[i] as Buffer).length));
  const listed: string[] = [];
  for await (const o of store.list('w/', { pageSize: 7 })) listed.push(o.key);
  expect(listed).toEqual(bodies.map((_, i) => `w/${String(i).padStart(2, '0')}`));
  const large = randomBytes(11 * MiB);
  await store.put('large', large);
  expect((await store.get('large')).equals(large)).toBe(true);
  await store.delete(listed.slice(0, 15));
  await Promise.all(listed.slice(15).map((k) => store.delete(k)));
  const left: string[] = [];
  for await (const o of store.list('w/')) left.push(o.key);
  expect(left).toEqual([]);
}

describe('S3ObjectStore behind a fault-injecting proxy', () => {
  it('completes every operation with 10% 503 SlowDown and 200 ms latency; the retries show in the counters', { timeout: 60_000 }, async () => {
    const { proxy, store } = await proxied(42, { errorRate: 0.1, latencyMs: 200 });
    await workload(store);
    const c = proxy.counters;
    expect(c.throttled).toBeGreaterThan(0);
    expect(c.requests).toBe(c.forwarded + c.throttled);
    expect(c.delayed).toBe(c.requests);
  });

  it('completes every operation with 10% connection resets', { timeout: 60_000 }, async () => {
    const { proxy, store } = await proxied(7, { resetRate: 0.1 });
    await workload(store);
    expect(proxy.counters.resets).toBeGreaterThan(0);
  });

  it('GETs whose body is cut off mid-stream are retried and return whole objects', { timeout: 30_000 }, async () => {
    const { proxy, store } = await proxied(13, {});
    const bodies = Array.from({ length: 12 }, () => randomBytes(64 * 1024));
    await Promise.all(bodies.map((b, i) => store.put(`t/${i}`, b)));
    proxy.setFaults({ truncateRate: 0.3 });
    // One GET at a time: the request order is fixed, so the seed alone decides which bodies break.
    for (const [i, body] of bodies.entries()) {
      expect((await store.get(`t/${i}`)).equals(body), `object ${i}`).toBe(true);
      expect((await store.get(`t/${i}`, { range: { offset: 1000, length: 20_000 } })).equals(body.subarray(1000, 21_000)), `range of object ${i}`).toBe(true);
    }
    expect(proxy.counters.truncated).toBeGreaterThan(0);
    // With seed 13 one GET meets five broken bodies in a row: body retries follow the pool's maxAttempts (6), not a fixed 3.
    expect(maxTruncatedInARow(proxy)).toBe(5);
  });

  it('a GET whose body always breaks stops retrying at the operation deadline, not after maxAttempts', { timeout: 20_000 }, async () => {
    const proxy = await S3FaultProxy.start(server.endpoint, { seed: 5 });
    const pool = new S3ClientPool({ maxAttempts: 50 });
    cleanups.push(
      () => pool.close(),
      () => proxy.close(),
    );
    const store = new S3ObjectStore(server.settings('faults', { endpoint: proxy.endpoint, prefix: 'broken-bodies' }), { pool, operationTimeoutMs: 1_000 });
    await store.put('k', randomBytes(64 * 1024));
    proxy.setFaults({ truncateRate: 1 });
    const started = performance.now();
    const error = await store.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect(error).toMatchObject({ code: 'unavailable', retriable: true, operation: 'get' });
    expect(String((error as Error).message)).toContain('timed out after 1000 ms');
    expect(performance.now() - started).toBeLessThan(3_000); // the backoff ends at the deadline too
    expect(proxy.counters.truncated).toBeGreaterThanOrEqual(2);
    expect(proxy.counters.truncated).toBeLessThan(50);
  });

  it('a request slower than the request timeout fails within the operation deadline as retriable unavailable', { timeout: 20_000 }, async () => {
    const proxy = await S3FaultProxy.start(server.endpoint, { latencyMs: 5_000 });
    const pool = new S3ClientPool({ requestTimeoutMs: 400, maxAttempts: 10 });
    cleanups.push(
      () => pool.close(),
      () => proxy.close(),
    );
    const store = new S3ObjectStore(server.settings('faults', { endpoint: proxy.endpoint }), { pool, operationTimeoutMs: 1_500 });
    const started = performance.now();
    const error = await store.put('slow', Buffer.from('x')).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect(error).toMatchObject({ code: 'unavailable', retriable: true, operation: 'put' });
    expect(elapsed).toBeLessThan(3_000);
    expect(proxy.counters.requests).toBeGreaterThanOrEqual(2); // timed-out attempts were retried
  });

  it('with the server stopped, operations fail within the configured timeout with a retriable error', { timeout: 30_000 }, async () => {
    const lone = await startS3Server({ buckets: ['gone'] });
    const pool = new S3ClientPool({ connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 3 });
    cleanups.push(() => pool.close());
    const store = new S3ObjectStore(lone.settings('gone'), { pool, operationTimeoutMs: 3_000 });
    await store.put('k', Buffer.from('before'));
    await lone.stop();
    for (const op of [() => store.put('k', Buffer.from('x')), () => store.get('k'), () => store.head('k'), () => store.listPage(''), () => store.delete('k')]) {
      const started = performance.now();
      const error = await op().catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(3_500);
      expect(error).toBeInstanceOf(ObjectStoreError);
      expect(error).toMatchObject({ code: 'unavailable', retriable: true });
      expect(String(error)).toContain('gone');
    }
    expect(await store.check()).toMatchObject({ ok: false, code: 'unavailable', retriable: true });
  });

  it('the same seed injects the same faults', async () => {
    const runs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const proxy = await S3FaultProxy.start(server.endpoint, { seed: 99, errorRate: 0.25 });
      cleanups.push(() => proxy.close());
      const pool = new S3ClientPool({ maxAttempts: 10 });
      cleanups.push(() => pool.close());
      const store = new S3ObjectStore(server.settings('faults', { endpoint: proxy.endpoint, prefix: `det-${i}` }), { pool });
      for (let k = 0; k < 8; k++) await store.put(`k${k}`, Buffer.from('x')); // sequential: a fixed request order
      runs.push(proxy.log.map((e) => e.outcome));
    }
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0]).toContain('throttled');
  });
});
