/**
 * `file://DIR`: objects as files under a directory, for development and single-node use.
 *
 * - Writes are atomic: the body goes to a temp file in the target directory, is fsynced, then
 *   renamed over the key (or hard-linked for a conditional create, which fails if the key exists);
 *   the directory is fsynced so the name survives a crash.
 * - The etag is derived from inode, size and mtime (cheap, changes on every put).
 * - Listing walks the directory of the prefix and sorts keys by UTF-8 bytes, as S3 does.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ObjectStoreError, isObjectStoreError, type ObjectStoreErrorCode } from './errors.js';
import { checkRange, compareKeys, pageSizeOf, validateKey } from './keys.js';
import { listAll } from './list-all.js';
import { ObjectStoreTelemetry, type CallScope } from './telemetry.js';
import type { GetOptions, ListOptions, ListPage, ListPageOptions, ObjectInfo, ObjectStore, ObjectStoreCapabilities, ObjectStoreCheck, PutOptions, PutResult } from './types.js';

/** Temp files start with this; keys whose segments do too are refused so listings can skip them. */
const TEMP_PREFIX = '.oxbow-tmp-';

export interface FileObjectStoreOptions {
  /** fsync files and directories on put (default true; tests of throughput may turn it off). */
  readonly fsync?: boolean;
}

export class FileObjectStore implements ObjectStore {
  readonly description: string;
  readonly capabilities: ObjectStoreCapabilities = { conditionalCreate: true, multipart: false };
  readonly root: string;
  readonly #fsync: boolean;
  readonly #telemetry: ObjectStoreTelemetry;
  #closed = false;

  constructor(root: string, options: FileObjectStoreOptions = {}) {
    this.root = resolve(root);
    this.description = `file://${this.root}`;
    this.#fsync = options.fsync ?? true;
    this.#telemetry = new ObjectStoreTelemetry('file', this.root);
  }

  put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    return this.#call('put', key, body.byteLength, async () => {
      if (options.ifNoneMatch !== undefined && options.ifNoneMatch !== '*') {
        throw this.#error('invalid', `ifNoneMatch must be '*'`, 'put', key);
      }
      const path = this.#path(key, 'put');
      const dir = dirname(path);
      const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
      // A concurrent delete may remove an emptied parent directory between mkdir and open: retry.
      for (let attempt = 0; ; attempt++) {
        await mkdir(dir, { recursive: true });
        try {
          await this.#writeFile(temp, body);
          break;
        } catch (error) {
          if (errnoOf(error) !== 'ENOENT' || attempt >= 3) throw error;
        }
      }
      try {
        if (options.ifNoneMatch === '*') {
          // link() fails with EEXIST when the key exists: an atomic create-if-absent.
          await link(temp, path).catch((error: unknown) => {
            if (errnoOf(error) === 'EEXIST') throw this.#error('already-exists', 'the key exists (ifNoneMatch: *)', 'put', key);
            throw error;
          });
          await unlink(temp);
        } else {
          await rename(temp, path);
        }
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      if (this.#fsync) await fsyncDir(dir);
      return { etag: etagOf(await stat(path, { bigint: true })) };
    });
  }

  get(key: string, options: GetOptions = {}): Promise<Buffer> {
    return this.#call('get', key, undefined, async (scope) => {
      const path = this.#path(key, 'get');
      const [start, end] = options.range === undefined ? [0, undefined] : checkRange(options.range, 'get', this.description, key);
      const handle = await open(path, 'r');
      try {
        const size = (await handle.stat()).size;
        const from = Math.min(start, size);
        const to = Math.min(end ?? size, size);
        const out = Buffer.allocUnsafe(Math.max(0, to - from));
        let done = 0;
        while (done < out.length) {
          const { bytesRead } = await handle.read(out, done, out.length - done, from + done);
          if (bytesRead === 0) break; // truncated underneath us: return what was there
          done += bytesRead;
        }
        scope.setBytes(done);
        return done === out.length ? out : out.subarray(0, done);
      } finally {
        await handle.close();
      }
    });
  }

  head(key: string): Promise<ObjectInfo> {
    return this.#call('head', key, undefined, async () => {
      const s = await stat(this.#path(key, 'head'), { bigint: true });
      if (!s.isFile()) throw this.#error('not-found', 'no such object', 'head', key);
      return { key, size: Number(s.size), etag: etagOf(s), lastModified: new Date(Number(s.mtimeMs)) };
    });
  }

  listPage(prefix: string, options: ListPageOptions = {}): Promise<ListPage> {
    return this.#call('list', prefix, undefined, async () => {
      const pageSize = pageSizeOf(options.pageSize, 'list', this.description);
      const after = [options.startAfter, options.continuationToken].filter((k): k is string => k !== undefined).sort(compareKeys).pop();
      const keys = (await this.#keysWithPrefix(prefix)).filter((k) => after === undefined || compareKeys(k, after) > 0);
      const pageKeys = keys.slice(0, pageSize);
      const objects: ObjectInfo[] = [];
      for (const key of pageKeys) {
        const s = await stat(join(this.root, key), { bigint: true }).catch(() => undefined);
        if (s?.isFile() === true) objects.push({ key, size: Number(s.size), etag: etagOf(s), lastModified: new Date(Number(s.mtimeMs)) });
      }
      const last = pageKeys[pageKeys.length - 1];
      return keys.length > pageSize && last !== undefined ? { objects, nextToken: last } : { objects };
    });
  }

  list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    return listAll(this, prefix, options);
  }

  delete(keys: string | readonly string[]): Promise<void> {
    const list = typeof keys === 'string' ? [keys] : keys;
    return this.#call('delete', typeof keys === 'string' ? keys : undefined, undefined, async () => {
      const paths = list.map((k) => this.#path(k, 'delete'));
      for (const path of paths) {
        await unlink(path).catch((error: unknown) => {
          if (errnoOf(error) !== 'ENOENT') throw error;
        });
        await this.#pruneEmptyDirs(dirname(path));
      }
    });
  }

  async check(): Promise<ObjectStoreCheck> {
    try {
      await this.#call('check', undefined, undefined, async () => {
        await mkdir(this.root, { recursive: true });
        const s = await stat(this.root);
        if (!s.isDirectory()) throw this.#error('no-such-bucket', 'the path is not a directory', 'check');
        // Proves we can create files here (permissions, read-only mounts).
        const probe = join(this.root, `${TEMP_PREFIX}check-${randomBytes(4).toString('hex')}`);
        await (await open(probe, 'wx')).close();
        await unlink(probe);
      });
      return { ok: true };
    } catch (error) {
      const e = isObjectStoreError(error) ? error : this.#wrap(error, 'check', undefined);
      return { ok: false, code: e.code, reason: e.message, retriable: e.retriable };
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  async #writeFile(path: string, body: Uint8Array): Promise<void> {
    let handle: FileHandle | undefined = await open(path, 'wx');
    try {
      let done = 0;
      while (done < body.byteLength) {
        const { bytesWritten } = await handle.write(body, done, body.byteLength - done, done);
        done += bytesWritten;
      }
      if (this.#fsync) await handle.sync();
      await handle.close();
      handle = undefined;
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw error;
    }
  }

  async #keysWithPrefix(prefix: string): Promise<string[]> {
    // Walk only the directory the prefix's complete segments name; filter the rest by string prefix.
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash + 1);
    if (base.split('/').some((s) => s === '.' || s === '..')) throw this.#error('invalid', 'the prefix has a "." or ".." segment', 'list', prefix);
    const keys: string[] = [];
    const walk = async (dirKey: string): Promise<void> => {
      const entries = await readdir(join(this.root, dirKey), { withFileTypes: true }).catch((error: unknown) => {
        if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return [];
        throw error;
      });
      for (const entry of entries) {
        if (entry.name.startsWith(TEMP_PREFIX)) continue;
        const key = dirKey + entry.name;
        if (entry.isDirectory()) {
          if (prefix.startsWith(key + '/') || (key + '/').startsWith(prefix)) await walk(key + '/');
        } else if (entry.isFile() && key.startsWith(prefix)) {
          keys.push(key);
        }
      }
    };
    await walk(base);
    return keys.sort(compareKeys);
  }

  /** Removes directories emptied by a delete, up to (not including) the root. */
  async #pruneEmptyDirs(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root + sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or gone): stop
      }
      current = dirname(current);
    }
  }

  #path(key: string, operation: string): string {
    if (this.#closed) throw this.#error('closed', 'the store is closed', operation, key);
    validateKey(key, operation, this.description);
    if (key.split('/').some((s) => s.startsWith(TEMP_PREFIX))) {
      throw this.#error('invalid', `key segments must not start with ${TEMP_PREFIX}`, operation, key);
    }
    return join(this.root, key);
  }

  #call<T>(operation: string, key: string | undefined, bytes: number | undefined, fn: (scope: CallScope) => Promise<T>): Promise<T> {
    const attributes = { ...(key === undefined ? {} : { key }), ...(bytes === undefined ? {} : { bytes }) };
    return this.#telemetry.run(operation, attributes, async (scope) => {
      try {
        return await fn(scope);
      } catch (error) {
        throw this.#wrap(error, operation, key);
      }
    });
  }

  #wrap(error: unknown, operation: string, key: string | undefined): ObjectStoreError {
    if (isObjectStoreError(error)) return error;
    const errno = errnoOf(error);
    if (operation === 'put' && (errno === 'EISDIR' || errno === 'ENOTDIR' || errno === 'EEXIST')) {
      // file:// cannot hold both `a` and `a/b` (S3 can): a limitation of this engine.
      return this.#error('invalid', `a file or directory in the way of this key (${errno})`, operation, key);
    }
    const code: ObjectStoreErrorCode =
      errno === 'ENOENT' || errno === 'ENOTDIR' || errno === 'EISDIR'
        ? 'not-found'
        : errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS'
          ? 'access-denied'
          : errno === 'EINVAL' || errno === 'ENAMETOOLONG'
            ? 'invalid'
            : 'unavailable'; // EIO, ENOSPC, EMFILE...: may succeed later
    const detail = error instanceof Error ? error.message : String(error);
    return new ObjectStoreError(code, detail, { operation, store: this.description, ...(key === undefined ? {} : { key }), cause: error });
  }

  #error(code: ObjectStoreErrorCode, detail: string, operation: string, key?: string): ObjectStoreError {
    return new ObjectStoreError(code, detail, { operation, store: this.description, ...(key === undefined ? {} : { key }) });
  }
}

function etagOf(s: { ino: bigint; size: bigint; mtimeNs: bigint }): string {
  return `"${s.ino.toString(16)}-${s.size.toString(16)}-${s.mtimeNs.toString(16)}"`;
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
