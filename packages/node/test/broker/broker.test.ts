import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeleteTopics, Fetch, IncrementalAlterConfigs, KafkaErrorCode, Produce, scanBatches } from '@oxbow/protocol';
import { pino } from 'pino';
import { Broker } from '../../src/broker/broker.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { parseBrokerConfig } from '../../src/config/index.js';
import { RESOURCE_TYPE } from '../../src/handlers/config-resources.js';
import { createTopic, produce, produceBody, PRODUCE_VERSION, recordBatch, waitForPartitions } from '../test-broker.js';

const silent = pino({ level: 'silent' });
const dirs: string[] = [];
const open: { close(): unknown }[] = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function start(dataDir: string, extra: string[] = []): Promise<{ broker: Broker; client: KafkaClient }> {
  const broker = await Broker.start(parseBrokerConfig(['--kafka', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--data-dir', dataDir, ...extra], {}), { logger: silent, env: {} });
  const { host, port } = broker.kafkaAddress();
  const client = await KafkaClient.connect(`${host}:${port}`);
  open.push(broker, client);
  return { broker, client };
}

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'oxbow-broker-'));
  dirs.push(d);
  return d;
}

const fetchAll = async (c: KafkaClient, topic: string) => {
  const res = await c.send(
    Fetch,
    { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' },
    12,
  );
  return res.responses[0]?.partitions[0];
};

describe('Broker', () => {
  it('serves Kafka and admin HTTP on the ports it was given (0 = any)', async () => {
    const { broker } = await start(await tempDir());
    const admin = broker.adminAddress();
    expect((await fetch(`http://${admin.host}:${admin.port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://${admin.host}:${admin.port}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://${admin.host}:${admin.port}/metrics`)).text()).toMatch(/oxbow_kafka_requests/);
  });

  it('fails to start, and says why, when --etcd names an etcd that does not answer', async () => {
    const dir = await tempDir();
    const started = Date.now();
    const outcome = await Broker.start(parseBrokerConfig(['--kafka', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--grpc', '127.0.0.1:0', '--data-dir', dir, '--etcd', 'http://127.0.0.1:9'], {}), { logger: silent, env: {} }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(outcome).toBeInstanceOf(Error);
    expect(String(outcome)).toMatch(/etcd|timed out|unavailable/i);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('keeps topics and acknowledged records across a restart on the same data dir', async () => {
    const dir = await tempDir();
    const first = await start(dir);
    await createTopic(first.client, 'durable');
    await produce(first.client, 'durable', 0, await recordBatch(3, { tag: 'before' }));
    first.client.close();
    await first.broker.close();
    open.length = 0;

    const second = await start(dir);
    await waitForPartitions(second.client, 'durable', 1);
    expect(await produce(second.client, 'durable', 0, await recordBatch(1, { tag: 'after' }))).toBe(3n);
    const part = await fetchAll(second.client, 'durable');
    expect(part?.highWatermark).toBe(4n);
    expect(scanBatches(part?.records ?? Buffer.alloc(0), { verifyCrc: true }).map((b) => b.baseOffset)).toEqual([0n, 3n]);
  });

  it('applies topic config changes to open partitions', async () => {
    const { client } = await start(await tempDir());
    await createTopic(client, 'reconfigured');
    const big = await recordBatch(1, { valueBytes: 5_000 });
    await produce(client, 'reconfigured', 0, big);
    const altered = await client.send(IncrementalAlterConfigs, {
      resources: [{ resourceType: RESOURCE_TYPE.TOPIC, resourceName: 'reconfigured', configs: [{ name: 'max.message.bytes', configOperation: 0, value: '1000' }] }],
      validateOnly: false,
    });
    expect(altered.responses[0]?.errorCode).toBe(0);
    await expect
      .poll(async () => (await client.send(Produce, produceBody('reconfigured', 0, await recordBatch(1, { valueBytes: 5_000 })), PRODUCE_VERSION)).responses[0]?.partitionResponses[0]?.errorCode)
      .toBe(KafkaErrorCode.MESSAGE_TOO_LARGE);
  });

  it('removes a deleted topic\'s partition directory', async () => {
    const dir = await tempDir();
    const { client } = await start(dir);
    await createTopic(client, 'doomed', { partitions: 2 });
    await produce(client, 'doomed', 0, await recordBatch(1));
    expect((await readdir(join(dir, 'logs'))).sort()).toEqual(['doomed-0', 'doomed-1']);
    const res = await client.send(DeleteTopics, { topicNames: ['doomed'], timeoutMs: 10_000 }, 5);
    expect(res.responses[0]?.errorCode).toBe(0);
    await expect.poll(async () => readdir(join(dir, 'logs'))).toEqual([]);
  });
});
