import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PartitionLog, StorageError } from '../../src/index.js';
import { appendRecords, eventually, makeBatch, readAll, recordsOf, tempDir, TEST_CONFIG, TestFaultyFiles } from './helpers.js';

describe('flush policy', () => {
  it('fsyncs every append with flush.messages=1, and a second open of the directory sees the data', async () => {
    const dir = await tempDir();
    const files = new TestFaultyFiles();
    const log = await PartitionLog.open(dir, { ...TEST_CONFIG, flushMessages: 1 }, { openFile: files.open });
    const before = files.syncs;
    for (let i = 0; i < 5; i++) await appendRecords(log, recordsOf(1, BigInt(i)));
    expect(files.syncs - before).toBe(5);
    // A durability proxy: an independent open of the same directory while the first is still open.
    const observer = await PartitionLog.open(dir, TEST_CONFIG);
    expect(observer.logEndOffset).toBe(5n);
    expect((await readAll(observer)).length).toBe(5);
    await observer.close();
    await log.close();
  });

  it('fsyncs once flush.messages records have accumulated', async () => {
    const files = new TestFaultyFiles();
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, flushMessages: 5 }, { openFile: files.open });
    const before = files.syncs;
    await appendRecords(log, recordsOf(2, 1n));
    await appendRecords(log, recordsOf(2, 1n));
    expect(files.syncs - before).toBe(0);
    await appendRecords(log, recordsOf(2, 1n));
    expect(files.syncs - before).toBe(1);
    await log.close();
  });

  it('fsyncs pending data from the flush.ms timer', async () => {
    const files = new TestFaultyFiles();
    const log = await PartitionLog.open(await tempDir(), { ...TEST_CONFIG, flushMs: 5 }, { openFile: files.open });
    const before = files.syncs;
    await appendRecords(log, recordsOf(2, 1n));
    await eventually(() => files.syncs > before, 'timer fsync');
    await log.close();
  });
});

describe('I/O failures', () => {
  it('surface as StorageError io and leave no partial batch behind', async () => {
    const dir = await tempDir();
    const files = new TestFaultyFiles();
    const log = await PartitionLog.open(dir, TEST_CONFIG, { openFile: files.open });
    await appendRecords(log, recordsOf(2, 1n));
    const size = (await stat(join(dir, '00000000000000000000.log'))).size;

    files.failWrites = true;
    const batch = await makeBatch(2n, recordsOf(3, 2n));
    const failure = await log.append(batch.bytes, batch.info).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(StorageError);
    expect(failure).toMatchObject({ code: 'io', retriable: true });
    expect((failure as StorageError).cause).toMatchObject({ code: 'ENOSPC' });
    expect(log.logEndOffset).toBe(2n);
    expect((await stat(join(dir, '00000000000000000000.log'))).size).toBe(size);
    expect((await readAll(log)).length).toBe(2);

    files.failWrites = false;
    files.failSyncs = true;
    log.updateConfig({ ...TEST_CONFIG, flushMessages: 1 });
    await expect(log.append(batch.bytes, batch.info)).rejects.toMatchObject({ code: 'io' });
    expect(log.logEndOffset).toBe(2n);
    expect((await stat(join(dir, '00000000000000000000.log'))).size).toBe(size);

    files.failSyncs = false;
    await log.append(batch.bytes, batch.info);
    expect(log.logEndOffset).toBe(5n);
    await log.close();
    const again = await PartitionLog.open(dir, TEST_CONFIG);
    expect((await readAll(again)).map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
    await again.close();
  });

  it('reports a vanished directory as io', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, TEST_CONFIG);
    await appendRecords(log, recordsOf(2, 1n));
    await rm(dir, { recursive: true });
    await expect(log.roll()).rejects.toMatchObject({ code: 'io' });
    await expect(log.deleteRecordsBefore(1n)).rejects.toMatchObject({ code: 'io' });
    await log.close();
  });
});
