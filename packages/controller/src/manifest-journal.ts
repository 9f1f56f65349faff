/**
 * The embedded coordinator's manifest journal, `{dataDir}/coordinator/manifests.jsonl`: one JSON
 * line per manifest change, appended and fdatasync'ed before the change is applied, replayed at
 * start. Manifests change several times a second per node (one commit per diskless flush), so
 * they do not go through state.json, which is rewritten whole on every change.
 *
 * Crash safety: only the last line can be incomplete (the write that was never acknowledged); it is
 * cut off at the next open. A bad line anywhere else is corruption. When the file has grown to
 * twice its size after the last compaction (and past 4 MiB), it is rewritten as one snapshot line
 * per partition through a temp file, fsync and rename, like state.json.
 */
import { type FileHandle, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CoordinatorError } from './coordinator-error.js';
import type { ManifestEntry } from './manifest.js';
import { entryFromJson, entryToJson, offsetFromText } from './manifest-state.js';

export type JournalRecord =
  | { readonly op: 'commit'; readonly appends: readonly { readonly topicId: string; readonly partition: number; readonly entry: ManifestEntry }[] }
  | { readonly op: 'replace'; readonly topicId: string; readonly partition: number; readonly from: bigint; readonly to: bigint; readonly entries: readonly ManifestEntry[] }
  | { readonly op: 'advance'; readonly topicId: string; readonly partition: number; readonly start: bigint; readonly keepFrom: bigint }
  | { readonly op: 'drop'; readonly topicId: string }
  /** A whole partition, as compaction writes it. */
  | { readonly op: 'partition'; readonly topicId: string; readonly partition: number; readonly next: bigint; readonly start: bigint; readonly entries: readonly ManifestEntry[] };

const COMPACT_AFTER_BYTES = 4 * 1024 * 1024;

export class ManifestJournal {
  readonly #path: string;
  #handle: FileHandle | undefined;
  /** Bytes of complete, durable lines. */
  #size = 0;
  /** Size right after the last compaction (or open). */
  #baseSize = 0;
  #exists = false;

  constructor(path: string) {
    this.#path = path;
  }

  get path(): string {
    return this.#path;
  }

  /** Reads every record; cuts off an incomplete last line. Missing file = no records. */
  async load(): Promise<JournalRecord[]> {
    await rm(`${this.#path}.tmp`, { force: true });
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw new CoordinatorError('io', `Cannot read manifest journal ${this.#path}: ${describe(error)}`, { cause: error });
    }
    this.#exists = true;
    const lines = text.split('\n');
    const records: JournalRecord[] = [];
    let good = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const complete = i < lines.length - 1;
      if (!complete && line.length === 0) break;
      try {
        if (!complete) throw new Error('incomplete line');
        records.push(decodeRecord(line));
        good += Buffer.byteLength(line, 'utf8') + 1;
      } catch (error) {
        // The last written line may be torn by a crash; anything earlier is corruption.
        const last = complete ? i === lines.length - 2 && lines[lines.length - 1] === '' : true;
        if (!last) {
          throw new CoordinatorError('corrupt-state', `Manifest journal ${this.#path} is corrupt at line ${i + 1}: ${describe(error)}. Restore it from a backup; moving it aside forgets every diskless manifest.`, { cause: error });
        }
        await this.#truncate(good);
        break;
      }
    }
    this.#size = good;
    this.#baseSize = good;
    return records;
  }

  /** Appends one record; durable when it resolves. A failed append leaves the file as it was. */
  async append(record: JournalRecord): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(encodeRecord(record))}\n`, 'utf8');
    try {
      const handle = await this.#open();
      await handle.write(line, 0, line.length, this.#size);
      await handle.datasync();
      this.#size += line.length;
    } catch (error) {
      await this.#truncate(this.#size).catch(() => undefined);
      throw new CoordinatorError('io', `Cannot write manifest journal ${this.#path}: ${describe(error)}`, { cause: error });
    }
  }

  /** True when the journal has grown enough to be worth rewriting. */
  get wantsCompaction(): boolean {
    return this.#size > COMPACT_AFTER_BYTES && this.#size > 2 * this.#baseSize;
  }

  /** Replaces the journal by `records` atomically (temp file, fsync, rename, fsync directory). */
  async rewrite(records: Iterable<JournalRecord>): Promise<void> {
    const temp = `${this.#path}.tmp`;
    try {
      const file = await open(temp, 'w', 0o600);
      let size = 0;
      try {
        let chunk: string[] = [];
        const flush = async (): Promise<void> => {
          const buf = Buffer.from(chunk.join(''), 'utf8');
          chunk = [];
          await file.write(buf);
          size += buf.length;
        };
        for (const record of records) {
          chunk.push(`${JSON.stringify(encodeRecord(record))}\n`);
          if (chunk.length >= 1024) await flush();
        }
        await flush();
        await file.sync();
      } finally {
        await file.close();
      }
      await this.close();
      await rename(temp, this.#path);
      await syncDirectory(dirname(this.#path));
      this.#exists = true;
      this.#size = size;
      this.#baseSize = size;
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new CoordinatorError('io', `Cannot compact manifest journal ${this.#path}: ${describe(error)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle !== undefined) return this.#handle;
    const handle = await open(this.#path, this.#exists ? 'r+' : 'w', 0o600);
    if (!this.#exists) {
      // A new file: its directory entry must be durable too.
      await syncDirectory(dirname(this.#path));
      this.#exists = true;
    }
    this.#handle = handle;
    return handle;
  }

  async #truncate(size: number): Promise<void> {
    const handle = await this.#open();
    await handle.truncate(size);
    await handle.sync();
  }
}

function encodeRecord(r: JournalRecord): Record<string, unknown> {
  const entries = (list: readonly ManifestEntry[]): unknown[] => list.map((e) => entryToJson(e, true));
  switch (r.op) {
    case 'commit':
      return { op: r.op, appends: r.appends.map((a) => ({ t: a.topicId, p: a.partition, e: entryToJson(a.entry, true) })) };
    case 'replace':
      return { op: r.op, t: r.topicId, p: r.partition, from: r.from.toString(), to: r.to.toString(), entries: entries(r.entries) };
    case 'advance':
      return { op: r.op, t: r.topicId, p: r.partition, start: r.start.toString(), keep: r.keepFrom.toString() };
    case 'drop':
      return { op: r.op, t: r.topicId };
    case 'partition':
      return { op: r.op, t: r.topicId, p: r.partition, next: r.next.toString(), start: r.start.toString(), entries: entries(r.entries) };
  }
}

function decodeRecord(line: string): JournalRecord {
  const v: unknown = JSON.parse(line);
  if (typeof v !== 'object' || v === null) throw new Error('not a JSON object');
  const o = v as Record<string, unknown>;
  const topicId = (): string => {
    if (typeof o.t !== 'string') throw new Error('t must be a topic id');
    return o.t;
  };
  const partition = (): number => {
    if (typeof o.p !== 'number' || !Number.isInteger(o.p) || o.p < 0) throw new Error('p must be a partition');
    return o.p;
  };
  const offset = (x: unknown, what: string): bigint => {
    if (typeof x !== 'string') throw new Error(`${what} must be a decimal string`);
    return offsetFromText(x);
  };
  const entries = (x: unknown): ManifestEntry[] => {
    if (!Array.isArray(x)) throw new Error('entries must be an array');
    return x.map((e) => entryFromJson(e));
  };
  switch (o.op) {
    case 'commit': {
      if (!Array.isArray(o.appends)) throw new Error('appends must be an array');
      return {
        op: 'commit',
        appends: o.appends.map((a: unknown) => {
          const { t, p, e } = (a ?? {}) as Record<string, unknown>;
          if (typeof t !== 'string' || typeof p !== 'number' || !Number.isInteger(p)) throw new Error('an append needs t and p');
          return { topicId: t, partition: p, entry: entryFromJson(e) };
        }),
      };
    }
    case 'replace':
      return { op: 'replace', topicId: topicId(), partition: partition(), from: offset(o.from, 'from'), to: offset(o.to, 'to'), entries: entries(o.entries) };
    case 'advance':
      return { op: 'advance', topicId: topicId(), partition: partition(), start: offset(o.start, 'start'), keepFrom: offset(o.keep, 'keep') };
    case 'drop':
      return { op: 'drop', topicId: topicId() };
    case 'partition':
      return { op: 'partition', topicId: topicId(), partition: partition(), next: offset(o.next, 'next'), start: offset(o.start, 'start'), entries: entries(o.entries) };
    default:
      throw new Error(`unknown op ${JSON.stringify(o.op)}`);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
