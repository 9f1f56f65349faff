import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_SUFFIX } from './file-names.js';
import { fsyncDir, ioError, isNotFound } from './log-file.js';
import { StorageError } from './types.js';

/*
 * Checkpoint files are small text files: a format version line, then the content lines. They are
 * replaced atomically: write `name.tmp`, fsync it, rename over `name`, fsync the directory. A crash
 * leaves either the old or the new file, never a mix; a stray `.tmp` is removed at recovery.
 */
const VERSION = '0';

/** Atomically replaces `dir/name` with the version line followed by `lines`. */
export async function writeCheckpoint(dir: string, name: string, lines: readonly string[]): Promise<void> {
  const path = join(dir, name);
  const temp = path + TEMP_SUFFIX;
  try {
    await writeFileDurably(temp, [VERSION, ...lines].join('\n') + '\n');
    await rename(temp, path);
    await fsyncDir(dir);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw ioError(`writing checkpoint ${path}`, err);
  }
}

/** Content lines of `dir/name`, or null when the file does not exist. */
export async function readCheckpoint(dir: string, name: string): Promise<string[] | null> {
  const path = join(dir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw ioError(`reading checkpoint ${path}`, err);
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== VERSION) throw new StorageError('corrupt', `checkpoint ${path} has unknown version ${lines[0] ?? '(empty)'}`);
  return lines.slice(1);
}

/** A checkpoint holding one offset. */
export async function writeOffsetCheckpoint(dir: string, name: string, offset: bigint): Promise<void> {
  await writeCheckpoint(dir, name, [offset.toString()]);
}

export async function readOffsetCheckpoint(dir: string, name: string): Promise<bigint | null> {
  const lines = await readCheckpoint(dir, name);
  if (lines === null) return null;
  const [line] = lines;
  if (line === undefined || !/^-?\d+$/.test(line)) throw new StorageError('corrupt', `checkpoint ${join(dir, name)} does not hold an offset`);
  return BigInt(line);
}

/** Writes `data` to a new file and fsyncs it before returning. */
export async function writeFileDurably(path: string, data: string | Buffer): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
