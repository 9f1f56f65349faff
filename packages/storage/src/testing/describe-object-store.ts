/**
 * The ObjectStore conformance suite (STYLE §8): every engine calls `describeObjectStore(name, make)`
 * once from its tests and must pass all of it. Each test gets a fresh, empty store from `make`
 * (a new directory, or a new prefix in a bucket) and cleans it up afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ObjectStoreError, type ObjectStoreErrorCode } from '../object-store/errors.js';
import type { ObjectInfo, ObjectStore } from '../object-store/types.js';

export interface ObjectStoreHarness {
  /** An empty store. For the large-object test its multipart threshold must be ≤ `largeObjectBytes`. */
  readonly store: ObjectStore;
  cleanup(): Promise<void>;
}

export type MakeObjectStore = () => Promise<ObjectStoreHarness>;

export interface DescribeObjectStoreOptions {
  /** Size of the large (multipart) object. Default 12 MiB. */
  readonly largeObjectBytes?: number;
  /**
   * A known server gap: s3rver lists keys in directory-walk order (`a/b` before `a-c`), not S3's
   * UTF-8 byte order. When set, only that case is compared as a set; every other order is checked.
   */
  readonly listsInDirectoryOrder?: boolean;
}

const MiB = 1024 * 1024;

async function expectCode(promise: Promise<unknown>, code: ObjectStoreErrorCode, keyInMessage?: string): Promise<ObjectStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ObjectStoreError(${code})`).toBeInstanceOf(ObjectStoreError);
  const e = error as ObjectStoreError;
  expect(e.code).toBe(code);
  if (keyInMessage !== undefined) expect(e.message).toContain(keyInMessage);
  return e;
}

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of iterable) out.push(o);
  return out;
}

export function describeObjectStore(name: string, make: MakeObjectStore, options: DescribeObjectStoreOptions = {}): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    let harness: ObjectStoreHarness | undefined;
    const store = (): ObjectStore => {
      if (harness === undefined) throw new Error('describeObjectStore: no store (make() failed?)');
      return harness.store;
    };

    beforeEach(async () => {
      harness = await make();
    });

    afterEach(async () => {
      const done = harness;
      harness = undefined;
      await done?.cleanup();
    });

    it('check() accepts a working store', async () => {
      expect(await store().check()).toEqual({ ok: true });
    });

    it('round-trips bytes of several sizes; head reports size and the etag put returned', async () => {
      for (const size of [0, 1, 1000, 100_000]) {
        const body = randomBytes(size);
        const key = `round-trip/${size}.bin`;
        const { etag } = await store().put(key, body, { contentType: 'application/octet-stream' });
        expect(etag).not.toBe('');
        expect((await store().get(key)).equals(body)).toBe(true);
        const info = await store().head(key);
        expect(info).toMatchObject({ key, size, etag });
      }
    });

    it('missing keys fail get and head with not-found naming the key; delete of a missing key succeeds', async () => {
      await expectCode(store().get('missing/key'), 'not-found', 'missing/key');
      await expectCode(store().get('missing/key', { range: { offset: 0, length: 1 } }), 'not-found', 'missing/key');
      await expectCode(store().head('missing/key'), 'not-found', 'missing/key');
      await store().delete('missing/key');
      await store().delete(['missing/a', 'missing/b']);
    });

    it('reads absolute ranges: first byte, middle, last byte, past the end, open-ended', async () => {
      const body = randomBytes(1000);
      await store().put('ranges', body);
      const get = (offset: number, length?: number): Promise<Buffer> => store().get('ranges', { range: length === undefined ? { offset } : { offset, length } });
      expect((await get(0, 1)).equals(body.subarray(0, 1))).toBe(true);
      expect((await get(100, 50)).equals(body.subarray(100, 150))).toBe(true);
      expect((await get(999, 1)).equals(body.subarray(999))).toBe(true);
      expect((await get(990, 100)).equals(body.subarray(990))).toBe(true);
      expect((await get(500)).equals(body.subarray(500))).toBe(true);
      expect((await get(0)).equals(body)).toBe(true);
      expect((await get(1000, 10)).length).toBe(0);
      expect((await get(5000)).length).toBe(0);
      expect((await get(10, 0)).length).toBe(0);
      await expectCode(get(-1, 1), 'invalid');
      await expectCode(get(1.5, 1), 'invalid');
    });

    it('overwrites replace the whole object and change the etag', async () => {
      const first = await store().put('over', Buffer.from('first version, longer than the second'));
      const second = await store().put('over', Buffer.from('second'));
      expect((await store().get('over')).toString()).toBe('second');
      expect((await store().head('over')).size).toBe(6);
      expect(second.etag).not.toBe(first.etag);
    });

    it('lists a prefix in key order across pages, exactly once each', async () => {
      const keys = Array.from({ length: 25 }, (_, i) => `list/p/${String(i).padStart(3, '0')}`);
      await Promise.all(keys.map((k, i) => store().put(k, Buffer.from(`v${i}`))));
      await store().put('list/other', Buffer.from('x'));
      await store().put('list/p-sibling', Buffer.from('x'));
      await store().put('lisa', Buffer.from('x'));

      const first = await store().listPage('list/p/', { pageSize: 10 });
      expect(first.objects.map((o) => o.key)).toEqual(keys.slice(0, 10));
      expect(first.nextToken).toBeDefined();
      const second = await store().listPage('list/p/', { pageSize: 10, ...(first.nextToken === undefined ? {} : { continuationToken: first.nextToken }) });
      expect(second.objects.map((o) => o.key)).toEqual(keys.slice(10, 20));
      const third = await store().listPage('list/p/', { pageSize: 10, ...(second.nextToken === undefined ? {} : { continuationToken: second.nextToken }) });
      expect(third.objects.map((o) => o.key)).toEqual(keys.slice(20));
      expect(third.nextToken).toBeUndefined();

      const all = await collect(store().list('list/p/', { pageSize: 7 }));
      expect(all.map((o) => o.key)).toEqual(keys);
      expect(all[3]).toMatchObject({ key: keys[3], size: 2 });
      expect((await collect(store().list('list/p/', { startAfter: keys[20] }))).map((o) => o.key)).toEqual(keys.slice(21));
      const mixed = (await collect(store().list('list/'))).map((o) => o.key);
      const expected = [...keys, 'list/other', 'list/p-sibling'].sort(byUtf8);
      expect(options.listsInDirectoryOrder === true ? [...mixed].sort(byUtf8) : mixed).toEqual(expected);
      expect((await collect(store().list('list/p'))).length).toBe(26);
      expect(await collect(store().list('nothing-here/'))).toEqual([]);
      await expectCode(store().listPage('list/', { pageSize: 0 }), 'invalid');
    });

    it('deletes one key or many; deleted keys are gone from gets and listings', async () => {
      for (const k of ['del/a', 'del/b', 'del/c', 'del/d']) await store().put(k, Buffer.from(k));
      await store().delete('del/a');
      await expectCode(store().get('del/a'), 'not-found');
      await store().delete(['del/b', 'del/c', 'del/never-existed']);
      expect((await collect(store().list('del/'))).map((o) => o.key)).toEqual(['del/d']);
      expect((await store().get('del/d')).toString()).toBe('del/d');
    });

    it('conditional create: honoured where supported, refused (never ignored) where not', async () => {
      if (store().capabilities.conditionalCreate) {
        await store().put('cond', Buffer.from('one'), { ifNoneMatch: '*' });
        await expectCode(store().put('cond', Buffer.from('two'), { ifNoneMatch: '*' }), 'already-exists', 'cond');
        expect((await store().get('cond')).toString()).toBe('one');
        // Racing creators: exactly one wins.
        const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store().put('race', Buffer.from(`w${i}`), { ifNoneMatch: '*' })));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect((r.reason as ObjectStoreError).code).toBe('already-exists');
      } else {
        await expectCode(store().put('cond', Buffer.from('one'), { ifNoneMatch: '*' }), 'unsupported');
        await expectCode(store().head('cond'), 'not-found');
      }
    });

    it('stores a large (multipart) object byte for byte', { timeout: 60_000 }, async () => {
      const size = options.largeObjectBytes ?? 12 * MiB;
      const body = randomBytes(size);
      await store().put('large/object.bin', body);
      expect((await store().head('large/object.bin')).size).toBe(size);
      const back = await store().get('large/object.bin');
      expect(back.length).toBe(size);
      expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
      // A range across the 5 MiB boundary (a part boundary for 5 MiB parts).
      const cross = await store().get('large/object.bin', { range: { offset: 5 * MiB - 10, length: 20 } });
      expect(cross.equals(body.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true);
    });

    it('concurrent puts of distinct keys all land; concurrent overwrites leave one whole version', { timeout: 30_000 }, async () => {
      const bodies = Array.from({ length: 24 }, () => randomBytes(10_000));
      await Promise.all(bodies.map((b, i) => store().put(`conc/${i}`, b)));
      const back = await Promise.all(bodies.map((_, i) => store().get(`conc/${i}`)));
      back.forEach((b, i) => expect(b.equals(bodies[i] as Buffer)).toBe(true));

      const versions = Array.from({ length: 10 }, (_, i) => Buffer.alloc(50_000, i));
      await Promise.all(versions.map((v) => store().put('conc/same', v)));
      const final = await store().get('conc/same');
      expect(versions.some((v) => v.equals(final))).toBe(true);
      expect((await collect(store().list('conc/'))).length).toBe(25);
    });

    it('rejects malformed keys with invalid', async () => {
      for (const key of ['', '/abs', 'a//b', '../escape', 'a/./b', 'trailing/', 'nul\0byte']) {
        await expectCode(store().put(key, Buffer.from('x')), 'invalid');
      }
      await expectCode(store().get('a/../../etc/passwd'), 'invalid');
    });

    it('keys with spaces, unicode and URL-special characters round-trip and list', async () => {
      const keys = ['odd/a b', 'odd/é', 'odd/plus+equals=%25', 'odd/z'];
      for (const k of keys) await store().put(k, Buffer.from(k));
      for (const k of keys) expect((await store().get(k)).toString()).toBe(k);
      expect((await collect(store().list('odd/'))).map((o) => o.key)).toEqual([...keys].sort(byUtf8));
    });
  });
}

function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
