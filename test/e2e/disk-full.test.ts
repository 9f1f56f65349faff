/**
 * A real full disk: the broker's data dir is a 4 MiB tmpfs. Producing until it fills must give
 * the client KAFKA_STORAGE_ERROR for that partition (logged once, not per request), keep the node
 * serving other requests, and lose nothing acknowledged: after the disk grows and the broker
 * restarts, every acknowledged record reads back with a valid CRC. Needs root (mount); CI runs as
 * root, elsewhere the suite says why it skips.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch, KafkaErrorCode, Metadata, Produce } from '@oxbow/protocol';
import { KafkaClient } from '@oxbow/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../support/broker-process.js';
import { readPartitionRaw } from '../support/raw-log-reader.js';

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('sh', ['-c', 'command -v mount && command -v umount'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const root = canMount();
if (!root) console.warn('disk-full.test.ts: skipped, it needs root to mount a small tmpfs');

describe.skipIf(!root)('a full disk', () => {
  let mnt: string;
  let broker: BrokerProcess;

  beforeAll(async () => {
    mnt = await mkdtemp(join(tmpdir(), 'oxbow-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    broker = await startBroker({ dataDir: mnt, settings: { 'log.flush.interval.messages': '1' } });
  });

  afterAll(async () => {
    await broker.stop().catch(() => undefined);
    execFileSync('umount', ['-l', mnt]);
    await rm(mnt, { recursive: true, force: true });
  });

  it('fails the partition with KAFKA_STORAGE_ERROR, keeps the node up, and loses nothing acknowledged', async () => {
    const client = await KafkaClient.connect(broker.bootstrap, { clientId: 'disk-full' });
    await client.send(Metadata, { topics: [{ name: 'filling', topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: true });
    const value = Buffer.alloc(64 * 1024, 7);
    const acked: bigint[] = [];
    const errors: number[] = [];
    for (let i = 0; i < 200 && errors.length < 3; i++) {
      const records = await encodeRecordBatch({ records: [{ timestamp: BigInt(Date.now()), key: Buffer.from(`k${i}`), value }] });
      const res = await client.send(Produce, { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name: 'filling', partitionData: [{ index: 0, records }] }] });
      const p = res.responses[0]?.partitionResponses[0];
      if (p === undefined) throw new Error('no partition response');
      if (p.errorCode === 0) acked.push(p.baseOffset);
      else {
        errors.push(p.errorCode);
        if (errors.length === 1) console.log('first produce error', i, p.errorCode, p.errorMessage);
      }
    }
    expect(acked.length).toBeGreaterThan(10);
    expect(errors[0]).toBe(KafkaErrorCode.KAFKA_STORAGE_ERROR);
    // Offline from then on, and the node still answers other requests.
    expect(new Set(errors)).toEqual(new Set([KafkaErrorCode.KAFKA_STORAGE_ERROR]));
    const md = await client.send(Metadata, { topics: null, allowAutoTopicCreation: false });
    expect(md.topics.map((t) => t.name)).toContain('filling');
    client.close();
    const failures = broker.output().split('\n').filter((l) => l.includes('partition storage failed'));
    expect(failures).toHaveLength(1);

    // Grow the disk, restart, and read everything back.
    execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
    await broker.stop();
    broker = await broker.restart();
    const reader = await KafkaClient.connect(broker.bootstrap, { clientId: 'disk-full-check' });
    const read = await readPartitionRaw(reader, 'filling', 0);
    reader.close();
    const offsets = new Set(read.records.map((r) => r.offset));
    for (const o of acked) expect(offsets.has(o)).toBe(true);
    expect(read.records.every((r) => r.value?.equals(value) === true)).toBe(true);
    console.log(`disk-full: ${acked.length} acknowledged before ENOSPC, ${read.records.length} present after restart`);
  });
});
