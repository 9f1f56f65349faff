/**
 * Producer-state snapshots: the table as of an offset (every batch below it included), so a
 * restart replays only the batch headers after it. The file is `{offset:020}.snapshot` in the
 * partition directory (the storage layer's recovery leaves such names alone); it is written to a
 * `.tmp` file, fsynced and renamed, and older snapshots are then removed. A snapshot that does not
 * parse is ignored (the table is rebuilt from the log instead), so a damaged file costs time only.
 */
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProducerEntry, ProducerStateTable, RetainedBatch } from './producer-state.js';
import type { AbortedTransaction, OpenTransaction, TransactionIndex } from './transaction-index.js';

export const SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_NAME = /^(\d{20})\.snapshot$/;
/** Version 2 added the transaction index (open and aborted transactions); version 1 had none. */
const FORMAT_VERSION = 2;

export interface ProducerSnapshot {
  /** The table holds every batch below this offset. */
  readonly offset: bigint;
  readonly entries: readonly ProducerEntry[];
  readonly openTransactions: readonly OpenTransaction[];
  readonly abortedTransactions: readonly AbortedTransaction[];
}

type BatchTuple = [number, number, string, number, string];

export function encodeProducerSnapshot(offset: bigint, table: ProducerStateTable, txns: TransactionIndex): Buffer {
  const producers = [...table.entries()].map((e) => ({
    id: e.producerId.toString(),
    epoch: e.epoch,
    lastTimestamp: e.lastTimestamp.toString(),
    batches: e.batches.map((b): BatchTuple => [b.firstSeq, b.lastSeq, b.firstOffset.toString(), b.lastOffsetDelta, b.timestamp.toString()]),
  }));
  const open = [...txns.open()].map((t) => [t.producerId.toString(), t.producerEpoch, t.firstOffset.toString()]);
  const aborted = txns.aborted().map((a) => [a.producerId.toString(), a.firstOffset.toString(), a.lastOffset.toString()]);
  return Buffer.from(JSON.stringify({ version: FORMAT_VERSION, offset: offset.toString(), producers, open, aborted }));
}

/** Parses a snapshot; throws on anything malformed. */
export function decodeProducerSnapshot(data: Buffer): ProducerSnapshot {
  const json = JSON.parse(data.toString('utf8')) as { version?: unknown; offset?: unknown; producers?: unknown; open?: unknown; aborted?: unknown };
  if ((json.version !== 1 && json.version !== FORMAT_VERSION) || typeof json.offset !== 'string' || !Array.isArray(json.producers)) throw new Error('not a producer snapshot');
  const entries = json.producers.map((raw: unknown): ProducerEntry => {
    const p = raw as { id: string; epoch: number; lastTimestamp: string; batches: BatchTuple[] };
    if (!Number.isInteger(p.epoch) || !Array.isArray(p.batches)) throw new Error('malformed producer entry');
    const batches = p.batches.map(([firstSeq, lastSeq, firstOffset, lastOffsetDelta, timestamp]): RetainedBatch => {
      if (![firstSeq, lastSeq, lastOffsetDelta].every((n) => Number.isInteger(n))) throw new Error('malformed batch entry');
      return { firstSeq, lastSeq, firstOffset: BigInt(firstOffset), lastOffsetDelta, timestamp: BigInt(timestamp) };
    });
    return { producerId: BigInt(p.id), epoch: p.epoch, lastTimestamp: BigInt(p.lastTimestamp), batches };
  });
  const open = (Array.isArray(json.open) ? json.open : []).map((raw: unknown): OpenTransaction => {
    const [id, epoch, first] = raw as [string, number, string];
    if (!Number.isInteger(epoch)) throw new Error('malformed open transaction');
    return { producerId: BigInt(id), producerEpoch: epoch, firstOffset: BigInt(first) };
  });
  const aborted = (Array.isArray(json.aborted) ? json.aborted : []).map((raw: unknown): AbortedTransaction => {
    const [id, first, last] = raw as [string, string, string];
    return { producerId: BigInt(id), firstOffset: BigInt(first), lastOffset: BigInt(last) };
  });
  return { offset: BigInt(json.offset), entries, openTransactions: open, abortedTransactions: aborted };
}

function snapshotName(offset: bigint): string {
  return offset.toString().padStart(20, '0') + SNAPSHOT_SUFFIX;
}

async function snapshotOffsets(dir: string): Promise<bigint[]> {
  const names = await readdir(dir).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  });
  return names
    .map((n) => SNAPSHOT_NAME.exec(n)?.[1])
    .filter((d): d is string => d !== undefined)
    .map((d) => BigInt(d))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The newest snapshot file's bytes, or null when there is none. */
export async function readLatestSnapshot(dir: string): Promise<Buffer | null> {
  const offsets = await snapshotOffsets(dir);
  const latest = offsets[offsets.length - 1];
  if (latest === undefined) return null;
  return readFile(join(dir, snapshotName(latest)));
}

/** Writes `data` as the snapshot at `offset` durably, then removes older snapshots. */
export async function writeSnapshotFile(dir: string, offset: bigint, data: Buffer): Promise<void> {
  const path = join(dir, snapshotName(offset));
  const temp = `${path}.tmp`;
  const file = await open(temp, 'w');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  for (const older of await snapshotOffsets(dir)) {
    if (older !== offset) await unlink(join(dir, snapshotName(older))).catch(() => undefined);
  }
}
