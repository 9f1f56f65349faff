import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileObjectStore, ObjectStoreError, openObjectStore } from '../../src/index.js';
import { describeObjectStore } from '../../src/testing/index.js';

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'oxbow-objects-'));
}

describeObjectStore('file', async () => {
  const root = await tempRoot();
  const store = new FileObjectStore(join(root, 'objects'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await walk(join(dir, e.name))).map((p) => `${e.name}/${p}`));
    else out.push(e.name);
  }
  return out;
}

describe('FileObjectStore', () => {
  it('leaves no temp files behind, and removes directories emptied by deletes', async () => {
    const root = await tempRoot();
    try {
      const store = new FileObjectStore(root);
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`t/p=${i % 3}/obj-${i}`, Buffer.alloc(100, i))));
      await store.put('t/p=0/obj-0', Buffer.from('x'), {}).catch(() => undefined);
      await store.put('t/p=0/obj-0', Buffer.from('y'), { ifNoneMatch: '*' }).catch(() => undefined);
      const files = await walk(root);
      expect(files.filter((f) => f.includes('.oxbow-tmp-'))).toEqual([]);
      expect(files).toHaveLength(20);
      await store.delete(Array.from({ length: 20 }, (_, i) => `t/p=${i % 3}/obj-${i}`));
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('does not list foreign temp files and refuses keys that look like them', async () => {
    const root = await tempRoot();
    try {
      const store = new FileObjectStore(root);
      await store.put('a/b', Buffer.from('1'));
      await writeFile(join(root, 'a', '.oxbow-tmp-deadbeef'), 'partial write of a crashed put');
      const keys: string[] = [];
      for await (const o of store.list('')) keys.push(o.key);
      expect(keys).toEqual(['a/b']);
      await expect(store.put('a/.oxbow-tmp-x', Buffer.from('1'))).rejects.toMatchObject({ code: 'invalid' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('lists in UTF-8 byte order, not directory-walk order', async () => {
    const root = await tempRoot();
    try {
      const store = new FileObjectStore(root);
      // Walking `k/a/` before `k/a-c` would be wrong: '-' (0x2d) sorts before '/' (0x2f).
      for (const k of ['k/a/b', 'k/a-c', 'k/\u{1F600}', 'k/\uFFFD']) await store.put(k, Buffer.from(k));
      const keys: string[] = [];
      for await (const o of store.list('k/')) keys.push(o.key);
      expect(keys).toEqual(['k/a-c', 'k/a/b', 'k/\uFFFD', 'k/\u{1F600}']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('check() fails with a reason when the root is a file; errors name the store and key', async () => {
    const root = await tempRoot();
    try {
      await writeFile(join(root, 'not-a-dir'), 'x');
      const store = new FileObjectStore(join(root, 'not-a-dir'));
      const check = await store.check();
      expect(check.ok).toBe(false);
      if (!check.ok) expect(check.reason).toContain('not-a-dir');
      const error = await store.get('some/key').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ObjectStoreError);
      expect(String(error)).toContain(join(root, 'not-a-dir'));
      expect(String(error)).toContain('some/key');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('opens from a file:// URL relative to the working directory', () => {
    const store = openObjectStore('file://./data/objects');
    expect(store).toBeInstanceOf(FileObjectStore);
    expect(store.description).toBe(`file://${join(process.cwd(), 'data/objects')}`);
  });
});
