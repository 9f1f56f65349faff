import { readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from './checkpoint.js';
import { DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, segmentFileName, TEMP_SUFFIX, TIME_INDEX_SUFFIX } from './file-names.js';
import { fsyncDir, isNotFound } from './log-file.js';
import type { OffsetIndex } from './offset-index.js';
import type { TimeIndex } from './time-index.js';

/** File-level operations on a segment's three files, by base offset. */

export function indexPath(dir: string, base: bigint): string {
  return join(dir, segmentFileName(base, INDEX_SUFFIX));
}

export function timeIndexPath(dir: string, base: bigint): string {
  return join(dir, segmentFileName(base, TIME_INDEX_SUFFIX));
}

/** Replaces both index files atomically (temp file, fsync, rename) and fsyncs the directory. */
export async function writeIndexFiles(dir: string, base: bigint, offsetIndex: OffsetIndex, timeIndex: TimeIndex): Promise<void> {
  for (const [path, bytes] of [
    [indexPath(dir, base), offsetIndex.encode()],
    [timeIndexPath(dir, base), timeIndex.encode()],
  ] as const) {
    await writeFileDurably(path + TEMP_SUFFIX, bytes);
    await rename(path + TEMP_SUFFIX, path);
  }
  await fsyncDir(dir);
}

/** Renames `{base}.log/.index/.timeindex` to `….deleted` (missing index files are fine). */
export async function renameToDeleted(dir: string, base: bigint, logName: string): Promise<string> {
  await rename(join(dir, logName), join(dir, segmentFileName(base, LOG_SUFFIX + DELETED_SUFFIX)));
  for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
    await rename(join(dir, segmentFileName(base, suffix)), join(dir, segmentFileName(base, suffix + DELETED_SUFFIX))).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
  return segmentFileName(base, LOG_SUFFIX + DELETED_SUFFIX);
}

/** Unlinks the `.deleted` files of a segment; returns the names that could not be removed. */
export async function unlinkDeleted(dir: string, base: bigint): Promise<{ name: string; err: unknown }[]> {
  const failed: { name: string; err: unknown }[] = [];
  for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
    const name = segmentFileName(base, suffix + DELETED_SUFFIX);
    await unlink(join(dir, name)).catch((err: unknown) => {
      if (!isNotFound(err)) failed.push({ name, err });
    });
  }
  return failed;
}

/** The file's bytes, or null when it does not exist. */
export async function readOptional(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}
