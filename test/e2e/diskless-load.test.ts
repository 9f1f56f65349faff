/**
 * Diskless object economics and S3 faults on one broker process (s3rver behind a fault proxy):
 * - PUTs per second under a steady load stay at about 1000 / diskless.flush.interval.ms whether
 *   the load spreads over 16 or 256 partitions (read from the broker's `oxbow_diskless_flush_objects`
 *   metric);
 * - with 10% of S3 requests answered 503 and 200 ms added to each, throughput degrades, every
 *   acknowledged record is read back exactly once, and the node's diskless buffer stays under its
 *   configured bound.
 */
import { encodeRecordBatch, Fetch, KafkaErrorCode, Produce, scanBatches, decodeRecordBatch, CreateTopics } from '@oxbow/protocol';
import { KafkaClient as WireClient } from '@oxbow/node';
import { S3FaultProxy, startS3Server, type S3ServerHandle } from '@oxbow/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type BrokerProcess } from '../support/broker-process.js';

const FLUSH_INTERVAL_MS = 250;
const BUFFER_BOUND = 4 * 1024 * 1024;

async function metric(adminPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

interface LoadResult {
  readonly seconds: number;
  readonly acked: Map<number, string[]>;
  readonly failures: number;
}

/**
 * A steady load: `inFlight` loops each sending one Produce request with a small batch for every
 * partition, as soon as the previous one is answered, for `seconds`. Records are tagged so the
 * acknowledged ones can be looked for afterwards.
 */
async function steadyLoad(bootstrap: string, topic: string, partitions: number, seconds: number, tag: string, inFlight = 4, valueBytes = 0): Promise<LoadResult> {
  const acked = new Map<number, string[]>();
  let failures = 0;
  const started = Date.now();
  const until = started + seconds * 1000;
  const loops = Array.from({ length: inFlight }, async (_, loop) => {
    const wire = await WireClient.connect(bootstrap);
    try {
      for (let round = 0; Date.now() < until; round++) {
        const values = Array.from({ length: partitions }, (_, p) => Array.from({ length: 4 }, (_, i) => `${tag}-${loop}-${round}-${p}-${i}`.padEnd(valueBytes, '.')));
        const partitionData = await Promise.all(
          values.map(async (vs, p) => ({
            index: p,
            records: await encodeRecordBatch({ baseOffset: 0n, partitionLeaderEpoch: -1, records: vs.map((v) => ({ timestamp: BigInt(Date.now()), key: null, value: Buffer.from(v) })) }),
          })),
        );
        const res = await wire.send(Produce, { transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: topic, partitionData }] }, 9);
        for (const r of res.responses[0]?.partitionResponses ?? []) {
          if (r.errorCode === 0) acked.set(r.index, [...(acked.get(r.index) ?? []), ...(values[r.index] ?? [])]);
          else failures++;
        }
      }
    } finally {
      wire.close();
    }
  });
  await Promise.all(loops);
  return { seconds: (Date.now() - started) / 1000, acked, failures };
}

/** Every value in the partition, in offset order. */
async function readPartition(bootstrap: string, topic: string, partition: number): Promise<string[]> {
  const wire = await WireClient.connect(bootstrap);
  const out: string[] = [];
  try {
    let offset = 0n;
    for (;;) {
      const res = await wire.send(
        Fetch,
        {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 16 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 8 << 20 }] }],
          forgottenTopicsData: [],
          rackId: '',
        },
        12,
      );
      const p = res.responses[0]?.partitions[0];
      if (p === undefined || p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}@${offset}: ${p?.errorCode}`);
      const views = scanBatches(p.records ?? Buffer.alloc(0), { verifyCrc: true });
      if (views.length === 0) {
        if (offset >= p.highWatermark) return out;
        throw new Error(`no progress at ${offset} below ${p.highWatermark}`);
      }
      for (const v of views) {
        for (const r of (await decodeRecordBatch(v)).records) if (r.offset >= offset) out.push(r.value?.toString() ?? '');
        offset = v.lastOffset + 1n;
      }
    }
  } finally {
    wire.close();
  }
}

describe('diskless PUT rate and S3 faults', () => {
  let s3: S3ServerHandle;
  let proxy: S3FaultProxy;
  let broker: BrokerProcess;
  let adminPort: number;

  const createTopic = async (name: string, partitions: number): Promise<void> => {
    const wire = await WireClient.connect(broker.bootstrap);
    try {
      const configs = {
        'storage.mode': 'diskless',
        's3.enabled': 'true',
        's3.bucket': 'load',
        's3.endpoint': proxy.endpoint,
        's3.region': s3.region,
        's3.force.path.style': 'true',
        's3.access.key.id': s3.accessKeyId,
        's3.secret.access.key': s3.secretAccessKey,
        'diskless.flush.interval.ms': String(FLUSH_INTERVAL_MS),
      };
      const res = await wire.send(CreateTopics, {
        topics: [{ name, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(res.topics[0]?.errorCode, res.topics[0]?.errorMessage ?? '').toBe(KafkaErrorCode.NONE);
    } finally {
      wire.close();
    }
  };

  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket('load');
    proxy = await S3FaultProxy.start(s3.endpoint);
    adminPort = await freePort();
    broker = await startBroker({
      settings: { 'oxbow.diskless.buffer.max.bytes': String(BUFFER_BOUND), 'oxbow.diskless.compaction.interval.ms': '3600000' },
      extraArgs: ['--admin', `127.0.0.1:${adminPort}`],
    });
  }, 120_000);

  afterAll(async () => {
    await broker?.cleanup();
    await proxy?.close();
    await s3?.stop();
  });

  it.each([16, 256])('%i partitions: about 1000 / flush interval PUTs per second, independent of the partition count', async (partitions) => {
    const topic = `steady-${partitions}`;
    await createTopic(topic, partitions);
    const before = await metric(adminPort, 'oxbow_diskless_flush_objects_total');
    const load = await steadyLoad(broker.bootstrap, topic, partitions, 6, `s${partitions}`);
    const puts = (await metric(adminPort, 'oxbow_diskless_flush_objects_total')) - before;
    const rate = puts / load.seconds;
    const expected = 1000 / FLUSH_INTERVAL_MS;
    console.log(`${partitions} partitions: ${puts} PUTs in ${load.seconds.toFixed(1)} s = ${rate.toFixed(2)}/s (expected about ${expected}/s)`);
    expect(load.failures).toBe(0);
    expect(rate).toBeGreaterThan(expected * 0.6);
    expect(rate).toBeLessThan(expected * 1.25);
  }, 120_000);

  it('10% 503s and 200 ms added latency: slower, nothing acknowledged lost, buffer within its bound', async () => {
    const topic = 'faulty';
    await createTopic(topic, 16);
    // 16 requests in flight of 16 x 4 x 16 KiB = 1 MiB each: 16 MiB of demand against a 4 MiB buffer bound.
    const clean = await steadyLoad(broker.bootstrap, topic, 16, 6, 'clean', 16, 16 * 1024);
    proxy.setFaults({ errorRate: 0.1, latencyMs: 200 });
    proxy.resetCounters();
    let maxBuffered = 0;
    const sampling = setInterval(() => {
      void metric(adminPort, 'oxbow_diskless_buffered_bytes').then((b) => (maxBuffered = Math.max(maxBuffered, b)), () => undefined);
    }, 100);
    let faulty: LoadResult;
    try {
      faulty = await steadyLoad(broker.bootstrap, topic, 16, 8, 'faulty', 16, 16 * 1024);
    } finally {
      clearInterval(sampling);
      proxy.setFaults({ errorRate: 0, latencyMs: 0 });
    }
    const count = (r: LoadResult): number => [...r.acked.values()].reduce((n, v) => n + v.length, 0);
    const cleanRate = count(clean) / clean.seconds;
    const faultyRate = count(faulty) / faulty.seconds;
    console.log(`clean ${cleanRate.toFixed(0)} rec/s, with faults ${faultyRate.toFixed(0)} rec/s (${faulty.failures} partition errors); ${proxy.counters.throttled} of ${proxy.counters.requests} S3 requests answered 503; max buffered ${maxBuffered} B (bound ${BUFFER_BOUND})`);
    expect(proxy.counters.throttled).toBeGreaterThan(0);
    expect(faultyRate).toBeLessThan(cleanRate);
    expect(maxBuffered).toBeLessThanOrEqual(BUFFER_BOUND);
    for (let p = 0; p < 16; p++) {
      const stored = await readPartition(broker.bootstrap, topic, p);
      const counts = new Map<string, number>();
      for (const v of stored) counts.set(v, (counts.get(v) ?? 0) + 1);
      for (const v of [...(clean.acked.get(p) ?? []), ...(faulty.acked.get(p) ?? [])]) expect(counts.get(v), `${v} in partition ${p}`).toBe(1);
    }
  }, 180_000);
});
