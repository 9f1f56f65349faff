/**
 * Crash recovery of the local log on one node, with `log.flush.interval.messages=1` (every append
 * is fsynced before it is acknowledged):
 * - a kafkajs producer (acks=all, retries) streams into three partitions while the broker is
 *   SIGKILLed twice at seeded random points and restarted on the same port and data dir; every
 *   acknowledged record must be at its acknowledged offset afterwards, byte for byte;
 * - a torn write (the newest segment's last bytes cut while the broker is down) is dropped on
 *   restart, everything before it survives, and appends continue at the right offset.
 * Reads go through raw Fetch with @oxbow/protocol so every batch CRC is checked.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import kafkajs, { type Kafka as KafkaClient, type Producer } from 'kafkajs';
import { ListOffsets, type KafkaRecord } from '@oxbow/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../support/broker-process.js';
import { readPartitionRaw } from '../support/raw-log-reader.js';
import { fromProtocol, recordDiff, sequenceDiff, type SentRecord } from '../support/record-manifest.js';
import { seedFromEnv, seededRandom, type SeededRandom } from '../support/seeded-random.js';
import { KafkaClient as WireClient } from '@oxbow/node';

const { Kafka, logLevel, Partitioners } = kafkajs;

const PARTITIONS = 3;
const TARGET_RECORDS = 20_000;
const PRODUCE_BUDGET_MS = 20_000;
const DURABLE = { 'log.flush.interval.messages': '1' };

let current: BrokerProcess | undefined;

afterEach(async () => {
  await current?.cleanup();
  current = undefined;
});

function kafkaFor(broker: BrokerProcess): KafkaClient {
  return new Kafka({
    clientId: 'oxbow-e2e-crash',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000, factor: 0.2, multiplier: 1.5 },
  });
}

function newProducer(kafka: KafkaClient): Producer {
  return kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 } });
}

async function createTopic(kafka: KafkaClient, topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: partitions, configEntries }] })).toBe(true);
  } finally {
    await admin.disconnect();
  }
}

/** A record whose `id` header names it, so a record found in the log can be traced to its send. */
function makeRecord(r: SeededRandom, partition: number, seq: number, index: number): SentRecord {
  const id = `${partition}:${seq}:${index}`;
  return {
    key: r.chance(0.05) ? null : Buffer.from(`key-${seq}-${index}`),
    value: Buffer.concat([Buffer.from(`${id}|`), r.bytes(r.int(0, 400))]),
    headers: [
      ['id', Buffer.from(id)],
      ['seq', Buffer.from(String(seq))],
    ],
    timestamp: BigInt(Date.now() - r.int(0, 60_000)),
  };
}

function idOf(r: KafkaRecord): string {
  return r.headers.find((h) => h.key === 'id')?.value?.toString() ?? '?';
}

async function readAll(broker: BrokerProcess, topic: string, partitions: number): Promise<KafkaRecord[][]> {
  const wire = await WireClient.connect(broker.bootstrap, { clientId: 'oxbow-e2e-wire' });
  try {
    const out: KafkaRecord[][] = [];
    for (let p = 0; p < partitions; p++) {
      const read = await readPartitionRaw(wire, topic, p);
      expect(read.logStartOffset).toBe(0n);
      out.push(read.records);
    }
    return out;
  } finally {
    wire.close();
  }
}

interface Acked {
  readonly partition: number;
  readonly offset: bigint;
  readonly record: SentRecord;
  readonly cycle: number;
}

describe('crash recovery with fsync on every append', () => {
  it('keeps every acknowledged record across two kill -9 / restart cycles', async () => {
    const seed = seedFromEnv();
    const rng = seededRandom(seed);
    const topic = 'crash-stream';
    current = await startBroker({ settings: DURABLE });
    const kafka = kafkaFor(current);
    // Small segments, so recovery has sealed segments and indexes to reload, not just one file.
    await createTopic(kafka, topic, PARTITIONS, { 'segment.bytes': String(512 * 1024) });
    const producer = newProducer(kafka);
    await producer.connect();

    // Kill points: acknowledged-record counts, drawn from the seed.
    const killAt = [rng.int(1500, 5000)];
    killAt.push((killAt[0] as number) + rng.int(1500, 5000));
    console.log(`crash-recovery seed ${seed} (replay with SEED=${seed}); kills after ${killAt.join(' and ')} acknowledged records`);

    const sentById = new Map<string, SentRecord>();
    const acked: Acked[] = [];
    const failed: SentRecord[] = [];
    const ackedPerCycle = [0, 0, 0];
    let sent = 0;
    let spannedKill = 0;
    let cycle = 0;
    let killing: Promise<void> | null = null;
    const started = Date.now();
    let stop = false;

    const killCycle = async (): Promise<void> => {
      const victim = current as BrokerProcess;
      await victim.kill9();
      const t0 = Date.now();
      current = await victim.restart();
      cycle++;
      console.log(`cycle ${cycle}: killed pid ${victim.pid} after ${acked.length} acks, restarted as pid ${current.pid} in ${Date.now() - t0} ms`);
    };

    const loop = async (partition: number): Promise<void> => {
      for (let seq = 0; !stop; seq++) {
        const records = Array.from({ length: rng.int(1, 40) }, (_, i) => makeRecord(rng, partition, seq, i));
        for (const r of records) sentById.set(r.headers[0]?.[1].toString() ?? '', r);
        sent += records.length;
        const sendCycle = cycle;
        try {
          const [meta] = await producer.send({
            topic,
            acks: -1,
            timeout: 10_000,
            messages: records.map((r) => ({ partition, key: r.key, value: r.value, timestamp: r.timestamp.toString(), headers: { id: r.headers[0]?.[1], seq: r.headers[1]?.[1] } })),
          });
          if (meta === undefined || meta.partition !== partition || meta.errorCode !== 0) throw new Error(`unexpected produce result ${JSON.stringify(meta)}`);
          const base = BigInt(String(meta.baseOffset));
          records.forEach((record, i) => acked.push({ partition, offset: base + BigInt(i), record, cycle: sendCycle }));
          if (cycle !== sendCycle) spannedKill += records.length;
          ackedPerCycle[cycle] = (ackedPerCycle[cycle] ?? 0) + records.length;
        } catch {
          failed.push(...records);
        }
        if (killing === null && cycle < killAt.length && acked.length >= (killAt[cycle] as number)) {
          killing = killCycle().finally(() => (killing = null));
        }
        const budgetOver = sent >= TARGET_RECORDS || Date.now() - started > PRODUCE_BUDGET_MS;
        if (budgetOver && cycle >= killAt.length && killing === null && (ackedPerCycle[cycle] ?? 0) >= 500) stop = true;
        if (Date.now() - started > 60_000) throw new Error(`gave up after 60 s: cycle ${cycle}, ${acked.length} acks`);
      }
    };
    await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => loop(p)));
    await producer.disconnect();
    const broker = current;

    // The producer resumed after each restart.
    expect(cycle).toBe(2);
    expect(ackedPerCycle.every((n) => n > 0), `acks per cycle ${ackedPerCycle.join('/')}`).toBe(true);
    // Offsets are never handed out twice.
    const keys = new Set(acked.map((a) => `${a.partition}@${a.offset}`));
    expect(keys.size).toBe(acked.length);

    const log = await readAll(broker, topic, PARTITIONS);
    const problems: string[] = [];
    for (const a of acked) {
      const got = log[a.partition]?.[Number(a.offset)];
      const diff = got === undefined ? 'missing' : recordDiff(a.record, fromProtocol(got));
      if (diff !== null && problems.length < 10) problems.push(`acked ${a.partition}@${a.offset} (cycle ${a.cycle}): ${diff}`);
    }
    expect(problems).toEqual([]);

    // Everything in the log is something we sent, unchanged, and each partition keeps send order
    // (a retried send may repeat a batch whose first attempt was written but not acknowledged).
    const present = new Map<string, number>();
    log.forEach((records, p) => {
      let lastSeq = -1;
      for (const r of records) {
        const id = idOf(r);
        const original = sentById.get(id);
        const diff = original === undefined ? `unknown record ${id}` : recordDiff(original, fromProtocol(r));
        if (diff !== null && problems.length < 10) problems.push(`${p}@${r.offset}: ${diff}`);
        const seq = Number(id.split(':')[1]);
        if (seq < lastSeq && problems.length < 10) problems.push(`${p}@${r.offset}: seq ${seq} after ${lastSeq}`);
        lastSeq = Math.max(lastSeq, seq);
        present.set(id, (present.get(id) ?? 0) + 1);
      }
    });
    expect(problems).toEqual([]);

    // The offset and time indexes rebuilt or reloaded after the crashes agree with the data.
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    const timestamps = log.flat().map((r) => r.timestamp);
    const lo = timestamps.reduce((a, b) => (b < a ? b : a));
    const hi = timestamps.reduce((a, b) => (b > a ? b : a));
    for (let i = 0; i < 12; i++) {
      const t = i === 0 ? lo : i === 1 ? hi : lo + BigInt(Math.floor(rng.next() * Number(hi - lo)));
      const got = (await admin.fetchTopicOffsetsByTimestamp(topic, Number(t))).sort((a, b) => a.partition - b.partition);
      const want = log.map((records, p) => {
        const i = records.findIndex((r) => r.timestamp >= t);
        return { partition: p, offset: String(i < 0 ? records.length : i) };
      });
      expect(got, `offsets for timestamp ${t}`).toEqual(want);
    }
    const ends = await admin.fetchTopicOffsets(topic);
    expect(ends.sort((a, b) => a.partition - b.partition).map((o) => o.high)).toEqual(log.map((l) => String(l.length)));
    await admin.disconnect();
    const segments = await Promise.all(log.map(async (_, p) => (await readdir(join(broker.dataDir, 'logs', `${topic}-${p}`))).filter((f) => f.endsWith('.log')).length));

    const failedPresent = failed.filter((r) => present.has(r.headers[0]?.[1].toString() ?? '')).length;
    const duplicates = [...present.values()].filter((n) => n > 1).length;
    console.log(
      `history (seed ${seed}): sent ${sent}, acknowledged ${acked.length} (per cycle ${ackedPerCycle.join('/')}), ` +
        `in flight at a kill and acknowledged after a retry ${spannedKill}, ` +
        `failed (never acknowledged) ${failed.length} (${failedPresent} present anyway, ${failed.length - failedPresent} lost), ` +
        `present ${log.reduce((n, l) => n + l.length, 0)} records in ${PARTITIONS} partitions, ${duplicates} duplicated by retries, segments per partition ${segments.join('/')}`,
    );
  });

  // Two shapes of a torn write: the file ends early (cut), or it has its full length but the last
  // bytes never reached the disk (zeroed, as a filesystem may show after power loss).
  it.each(['cut', 'zeroed'] as const)('drops a torn tail (%s) of the active segment on restart and appends at the right offset', async (damage) => {
    const rng = seededRandom(seedFromEnv());
    const topic = `torn-tail-${damage}`;
    current = await startBroker({ settings: DURABLE });
    const kafka = kafkaFor(current);
    await createTopic(kafka, topic, 2);
    const producer = newProducer(kafka);
    await producer.connect();
    const sentLog: SentRecord[][] = [[], []];
    let lastBatchBase = -1n;
    for (let batch = 0; batch < 30; batch++) {
      for (let p = 0; p < 2; p++) {
        // The batch that will be torn is one record carrying the partition's newest timestamp.
        const records = batch === 29 ? [{ ...makeRecord(rng, p, batch, 0), timestamp: BigInt(Date.now() + 5000) }] : Array.from({ length: rng.int(1, 10) }, (_, i) => makeRecord(rng, p, batch, i));
        const [meta] = await producer.send({
          topic,
          acks: -1,
          messages: records.map((r) => ({ partition: p, key: r.key, value: r.value, timestamp: r.timestamp.toString(), headers: { id: r.headers[0]?.[1], seq: r.headers[1]?.[1] } })),
        });
        expect(String(meta?.baseOffset)).toBe(String(sentLog[p]?.length));
        if (p === 0) lastBatchBase = BigInt(String(meta?.baseOffset));
        sentLog[p]?.push(...records);
      }
    }
    await producer.disconnect();
    await current.kill9();

    // Damage the last 30 bytes of partition 0's newest segment: its last batch (one record of at
    // least 60 bytes) is now torn, as if the machine died mid-write.
    const dir = join(current.dataDir, 'logs', `${topic}-0`);
    const segments = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
    const newest = join(dir, segments.at(-1) as string);
    const size = (await stat(newest)).size;
    const fh = await open(newest, 'r+');
    if (damage === 'cut') await fh.truncate(size - 30);
    else await fh.write(Buffer.alloc(30), 0, 30, size - 30);
    await fh.close();
    console.log(`torn write (${damage}): last 30 of ${size} bytes of ${newest}; its last batch started at offset ${lastBatchBase}`);

    current = await current.restart();
    const afterRestart = await readAll(current, topic, 2);
    const expected0 = (sentLog[0] as SentRecord[]).slice(0, Number(lastBatchBase));
    expect(sequenceDiff(expected0, afterRestart[0]?.map(fromProtocol) ?? [])).toEqual([]);
    expect(sequenceDiff(sentLog[1] as SentRecord[], afterRestart[1]?.map(fromProtocol) ?? [])).toEqual([]);

    // The indexes agree with the shortened log: the end offset, a read from the middle, a
    // timestamp lookup.
    const wire = await WireClient.connect(current.bootstrap, { clientId: 'oxbow-e2e-wire' });
    try {
      const mid = lastBatchBase / 2n;
      const fromMid = await readPartitionRaw(wire, topic, 0, mid);
      expect(fromMid.highWatermark).toBe(lastBatchBase);
      expect(sequenceDiff(expected0.slice(Number(mid)), fromMid.records.map(fromProtocol), mid)).toEqual([]);
      // The dropped record's timestamp is forgotten too: max-timestamp answers from what is left.
      const maxTs = expected0.reduce((a, r) => (r.timestamp > a ? r.timestamp : a), -1n);
      const res = await wire.send(ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3n }] }],
        timeoutMs: 5000,
      });
      const p0 = res.topics[0]?.partitions[0];
      expect([p0?.errorCode, p0?.offset, p0?.timestamp]).toEqual([0, BigInt(expected0.findIndex((r) => r.timestamp === maxTs)), maxTs]);
    } finally {
      wire.close();
    }
    const admin = kafkaFor(current).admin();
    await admin.connect();
    const probe = (expected0[Number(lastBatchBase) - 5] as SentRecord).timestamp;
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, Number(probe));
    expect(byTime.find((o) => o.partition === 0)?.offset).toBe(String(expected0.findIndex((r) => r.timestamp >= probe)));
    await admin.disconnect();

    // Appends continue where the valid log ends, in both partitions.
    const again = newProducer(kafkaFor(current));
    await again.connect();
    const more = [makeRecord(rng, 0, 1000, 0), makeRecord(rng, 0, 1000, 1)];
    const [meta0] = await again.send({ topic, acks: -1, messages: more.map((r) => ({ partition: 0, key: r.key, value: r.value, timestamp: r.timestamp.toString(), headers: { id: r.headers[0]?.[1], seq: r.headers[1]?.[1] } })) });
    expect(String(meta0?.baseOffset)).toBe(String(lastBatchBase));
    const [meta1] = await again.send({ topic, acks: -1, messages: [{ partition: 1, value: 'after restart' }] });
    expect(String(meta1?.baseOffset)).toBe(String(sentLog[1]?.length));
    await again.disconnect();

    const final = await readAll(current, topic, 2);
    expect(sequenceDiff([...expected0, ...more], final[0]?.map(fromProtocol) ?? [])).toEqual([]);
    expect(final[1]?.length).toBe((sentLog[1]?.length ?? 0) + 1);
    console.log(`history (torn tail, ${damage}): partition 0 kept ${expected0.length} of ${sentLog[0]?.length} records, torn batch dropped, next append at ${lastBatchBase}`);
  });
});
