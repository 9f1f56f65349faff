import { access, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PartitionLog, type LogConfig } from '../../src/index.js';
import { appendRecords, eventually, readAll, recordsOf, tempDir, TEST_CONFIG } from './helpers.js';

const DAY = 24 * 3600 * 1000;

/** A log with `segments` segments of `perSegment` two-record batches; batch i has timestamp times(i). */
async function segmentedLog(config: LogConfig, segments: number, perSegment: number, times: (i: number) => number): Promise<PartitionLog> {
  const log = await PartitionLog.open(await tempDir(), { ...config, segmentBytes: 1 << 20 });
  let i = 0;
  for (let s = 0; s < segments; s++) {
    for (let b = 0; b < perSegment; b++) await appendRecords(log, recordsOf(2, BigInt(times(i++))));
    if (s < segments - 1) await log.roll();
  }
  log.updateConfig(config);
  return log;
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

describe('retention', () => {
  it('deletes segments older than retention.ms, oldest first, and moves the log start', async () => {
    const now = 10 * DAY;
    const config = { ...TEST_CONFIG, retentionMs: DAY, fileDeleteDelayMs: 5 };
    // Segments' newest records: 1, 2, 3 days... ago at `now`; the newest segment is fresh.
    const log = await segmentedLog(config, 4, 3, (i) => now - (4 - Math.floor(i / 3)) * DAY + (i === 11 ? DAY : 0));
    const before = log.segments();
    const { segmentsDeleted } = await log.applyRetention(now);
    expect(segmentsDeleted).toBe(3);
    expect(log.segments().map((s) => s.baseOffset)).toEqual([18n]);
    expect(log.logStartOffset).toBe(18n);
    await expect(log.read(0n, { maxBytes: 100, minOneBatch: true })).rejects.toMatchObject({ code: 'offset-out-of-range' });
    expect((await readAll(log)).map((r) => r.offset)).toEqual([18n, 19n, 20n, 21n, 22n, 23n]);
    // Renamed at once, unlinked after file.delete.delay.ms.
    for (const s of before.slice(0, 3)) expect(await exists(s.path)).toBe(false);
    await eventually(async () => (await readdir(log.dir)).every((n) => !n.endsWith('.deleted')), 'deleted files removed');
    await log.close();
  });

  it('rolls and deletes the active segment when everything has expired', async () => {
    const log = await segmentedLog({ ...TEST_CONFIG, retentionMs: 1000 }, 2, 2, () => 100);
    expect(await log.applyRetention(1_000_000)).toEqual({ segmentsDeleted: 2 });
    expect(log.logStartOffset).toBe(8n);
    expect(log.logEndOffset).toBe(8n);
    expect(log.segments()).toEqual([expect.objectContaining({ baseOffset: 8n, sizeBytes: 0 })]);
    expect((await log.read(8n, { maxBytes: 100, minOneBatch: true })).records.length).toBe(0);
    expect(await log.applyRetention(2_000_000)).toEqual({ segmentsDeleted: 0 });
    await appendRecords(log, recordsOf(1, 2_000_000n));
    expect(log.logEndOffset).toBe(9n);
    await log.close();
  });

  it('deletes oldest segments while the rest stays at or above retention.bytes', async () => {
    const log = await segmentedLog({ ...TEST_CONFIG, retentionBytes: 0 }, 5, 2, () => 1);
    const sizes = log.segments().map((s) => s.sizeBytes);
    const total = sizes.reduce((a, b) => a + b, 0);
    const segSize = sizes[0] ?? 0;
    log.updateConfig({ ...TEST_CONFIG, retentionBytes: total - segSize - 1 });
    expect(await log.applyRetention()).toEqual({ segmentsDeleted: 1 });
    expect(log.size).toBeGreaterThanOrEqual(total - segSize - 1);
    log.updateConfig({ ...TEST_CONFIG, retentionBytes: 2 * segSize });
    expect(await log.applyRetention()).toEqual({ segmentsDeleted: 2 });
    expect(log.size).toBe(2 * segSize);
    expect(log.logStartOffset).toBe(12n);
    log.updateConfig({ ...TEST_CONFIG, retentionBytes: segSize });
    expect(await log.applyRetention()).toEqual({ segmentsDeleted: 1 });
    await log.close();
  });

  it('leaves everything alone without the delete policy, except segments below the log start', async () => {
    const log = await segmentedLog({ ...TEST_CONFIG, retentionMs: 1, retentionBytes: 0, cleanupPolicy: ['compact'] }, 3, 2, () => 1);
    expect(await log.applyRetention(1e12)).toEqual({ segmentsDeleted: 0 });
    await log.deleteRecordsBefore(5n);
    expect(log.segments().map((s) => s.baseOffset)).toEqual([4n, 8n]);
    await log.close();
  });

  it('lets a read that started before the deletion finish', async () => {
    const log = await segmentedLog({ ...TEST_CONFIG, retentionMs: 10, fileDeleteDelayMs: 0 }, 3, 20, (i) => (i < 40 ? 1 : 1e12));
    const reading = log.read(0n, { maxBytes: 1 << 20, minOneBatch: true });
    expect(await log.applyRetention(1e9)).toEqual({ segmentsDeleted: 2 });
    expect((await reading).records.length).toBeGreaterThan(0);
    await eventually(async () => (await readdir(log.dir)).filter((n) => n.endsWith('.log')).length === 1, 'old segments unlinked');
    await log.close();
  });
});

describe('deleteRecordsBefore', () => {
  it('moves the log start, deletes whole segments below it and persists it', async () => {
    const log = await segmentedLog(TEST_CONFIG, 3, 2, () => 1);
    await log.deleteRecordsBefore(5n);
    expect(log.logStartOffset).toBe(5n);
    expect(log.segments().map((s) => s.baseOffset)).toEqual([4n, 8n]);
    await expect(log.read(4n, { maxBytes: 100, minOneBatch: true })).rejects.toMatchObject({ code: 'offset-out-of-range' });
    // The batch holding offset 5 also holds 4: fetches start there, as in Kafka.
    expect((await readAll(log)).map((r) => r.offset)).toEqual([5n, 6n, 7n, 8n, 9n, 10n, 11n]);
    await log.deleteRecordsBefore(3n);
    expect(log.logStartOffset).toBe(5n);
    await expect(log.deleteRecordsBefore(13n)).rejects.toMatchObject({ code: 'offset-out-of-range' });
    await log.close();
    const again = await PartitionLog.open(log.dir, TEST_CONFIG);
    expect(again.logStartOffset).toBe(5n);
    expect(await again.offsetForTimestamp(0n)).toEqual({ offset: 5n, timestamp: 1n });
    await again.deleteRecordsBefore(12n);
    expect(again.segments()).toEqual([expect.objectContaining({ baseOffset: 12n, sizeBytes: 0 })]);
    expect(again.logStartOffset).toBe(12n);
    await again.close();
  });
});

describe('truncateTo', () => {
  it('drops records at and after the offset across segments, then appends continue', async () => {
    const log = await segmentedLog(TEST_CONFIG, 3, 2, (i) => i * 10);
    await log.epochs.assignEpochStartOffset(1, 0n);
    await log.epochs.assignEpochStartOffset(2, 6n);
    await log.epochs.assignEpochStartOffset(3, 9n);
    await log.truncateTo(6n);
    expect(log.logEndOffset).toBe(6n);
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0n, 4n]);
    expect(log.epochs.entries()).toEqual([{ epoch: 1, startOffset: 0n }]);
    expect(log.maxTimestamp()).toEqual({ timestamp: 20n, offset: 4n });
    expect(await log.offsetForTimestamp(21n)).toBeNull();
    await appendRecords(log, recordsOf(2, 99n, 'again-'));
    expect((await readAll(log)).map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    await log.close();
    const again = await PartitionLog.open(log.dir, TEST_CONFIG);
    expect(again.logEndOffset).toBe(8n);
    expect((await readAll(again)).at(-1)?.value?.toString()).toBe('again-1');
    await again.close();
  });

  it('removes a batch that straddles the offset whole', async () => {
    const log = await segmentedLog(TEST_CONFIG, 1, 3, () => 1);
    await log.truncateTo(3n);
    expect(log.logEndOffset).toBe(2n);
    await log.close();
  });

  it('restarts an empty log at an offset below the log start', async () => {
    const log = await segmentedLog(TEST_CONFIG, 2, 2, () => 1);
    await log.deleteRecordsBefore(6n);
    await log.truncateTo(2n);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([2n, 2n]);
    expect(log.segments().map((s) => s.baseOffset)).toEqual([2n]);
    await appendRecords(log, recordsOf(1, 1n));
    await log.close();
    const again = await PartitionLog.open(log.dir, TEST_CONFIG);
    expect([again.logStartOffset, again.logEndOffset]).toEqual([2n, 3n]);
    await again.close();
  });
});
