import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LeaderEpochCache, PartitionLog } from '../../src/index.js';
import { appendRecords, recordsOf, tempDir, TEST_CONFIG } from './helpers.js';

async function cache(leo = 100n): Promise<{ dir: string; epochs: LeaderEpochCache }> {
  const dir = await tempDir();
  await mkdir(dir, { recursive: true });
  return { dir, epochs: await LeaderEpochCache.load(dir, () => leo) };
}

describe('LeaderEpochCache', () => {
  it('answers OffsetForLeaderEpoch like Kafka', async () => {
    const { epochs } = await cache(100n);
    expect(epochs.endOffsetForEpoch(0)).toEqual({ epoch: -1, endOffset: -1n });
    await epochs.assignEpochStartOffset(2, 10n);
    await epochs.assignEpochStartOffset(4, 30n);
    await epochs.assignEpochStartOffset(7, 60n);
    expect(epochs.latestEpoch).toBe(7);
    expect(epochs.endOffsetForEpoch(7)).toEqual({ epoch: 7, endOffset: 100n });
    expect(epochs.endOffsetForEpoch(4)).toEqual({ epoch: 4, endOffset: 60n });
    // Unknown epoch between two known ones: the one below and where the next starts.
    expect(epochs.endOffsetForEpoch(5)).toEqual({ epoch: 4, endOffset: 60n });
    // Below the first known epoch: the requested epoch and the first start offset.
    expect(epochs.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 10n });
    expect(epochs.endOffsetForEpoch(8)).toEqual({ epoch: -1, endOffset: -1n });
    expect(epochs.endOffsetForEpoch(-1)).toEqual({ epoch: -1, endOffset: -1n });
  });

  it('keeps the history monotonic and persists every change', async () => {
    const { dir, epochs } = await cache();
    await epochs.assignEpochStartOffset(1, 0n);
    await epochs.assignEpochStartOffset(1, 5n); // same epoch, later start: no change
    await epochs.assignEpochStartOffset(3, 20n);
    await epochs.assignEpochStartOffset(2, 15n); // lower epoch: later entries go
    expect(epochs.entries()).toEqual([
      { epoch: 1, startOffset: 0n },
      { epoch: 2, startOffset: 15n },
    ]);
    await epochs.assignEpochStartOffset(5, 10n); // earlier start: conflicting entries go
    expect(epochs.entries()).toEqual([
      { epoch: 1, startOffset: 0n },
      { epoch: 5, startOffset: 10n },
    ]);
    expect(await readFile(join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n1 0\n5 10\n');
    const reloaded = await LeaderEpochCache.load(dir, () => 0n);
    expect(reloaded.entries()).toEqual(epochs.entries());
    await expect(epochs.assignEpochStartOffset(-1, 0n)).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('truncates from the end and from the start', async () => {
    const { epochs } = await cache();
    await epochs.assignEpochStartOffset(1, 0n);
    await epochs.assignEpochStartOffset(2, 10n);
    await epochs.assignEpochStartOffset(3, 20n);
    await epochs.truncateFromStart(12n);
    expect(epochs.entries()).toEqual([
      { epoch: 2, startOffset: 12n },
      { epoch: 3, startOffset: 20n },
    ]);
    await epochs.truncateFromEnd(20n);
    expect(epochs.entries()).toEqual([{ epoch: 2, startOffset: 12n }]);
  });

  it('follows the log through truncation and record deletion', async () => {
    const log = await PartitionLog.open(await tempDir(), TEST_CONFIG);
    await log.epochs.assignEpochStartOffset(0, 0n);
    for (let i = 0; i < 4; i++) await appendRecords(log, recordsOf(2, 1n));
    await log.epochs.assignEpochStartOffset(1, 8n);
    for (let i = 0; i < 4; i++) await appendRecords(log, recordsOf(2, 1n));
    expect(log.epochs.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 8n });
    expect(log.epochs.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 16n });
    await log.truncateTo(8n);
    expect(log.epochs.entries()).toEqual([{ epoch: 0, startOffset: 0n }]);
    expect(log.epochs.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 8n });
    await log.deleteRecordsBefore(4n);
    expect(log.epochs.entries()).toEqual([{ epoch: 0, startOffset: 4n }]);
    await log.close();
  });
});
