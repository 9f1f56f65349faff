// Per-topic buckets over the Kafka protocol (BRIEF §6): CreateTopics, AlterConfigs and
// IncrementalAlterConfigs check the topic's store against a real S3 server (s3rver behind a proxy
// that verifies SigV4 signatures, so a wrong secret genuinely fails), DescribeConfigs hides the
// secret, and neither the coordinator's state nor the logs ever hold it in plaintext.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlterConfigs, CreateTopics, DescribeConfigs, IncrementalAlterConfigs, KafkaErrorCode, Metadata, type RequestInputOf } from '@oxbow/protocol';
// eslint-disable-next-line no-restricted-imports -- the storage package's public test entry point (its exports map), not its internals
import { S3FaultProxy, startS3Server, type S3ServerHandle } from '@oxbow/storage/testing';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { CONFIG_SOURCE } from '../../src/config/index.js';
import { RESOURCE_TYPE } from '../../src/handlers/config-resources.js';
import { startTestBroker, type TestBroker } from '../test-broker.js';

/** s3rver checks only the access key id; the proxy verifies signatures against this secret. */
const ACCESS_KEY_ID = 'S3RVER';
const SECRET = 'Oxbow-Topic-Secret-6a1f0b93';
const WRONG = 'Oxbow-Wrong-Secret-e47c2d18';
const OP = { SET: 0, DELETE: 1 } as const;

type TopicInput = RequestInputOf<typeof CreateTopics>['topics'][number];

let server: S3ServerHandle;
let proxy: S3FaultProxy;
let b: TestBroker;
let c: KafkaClient;

beforeAll(async () => {
  server = await startS3Server({ buckets: ['orders-bucket', 'audit-bucket'] });
  proxy = await S3FaultProxy.start(server.endpoint, { verifySignatures: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } });
  // Every log line at every level, to look for secrets in them.
  b = await startTestBroker({ logLevel: 'trace' });
  c = await b.client();
}, 30_000);

afterAll(async () => {
  await b?.close();
  await proxy?.close();
  await server?.stop();
});

function bucketConfigs(bucket: string, secret = SECRET): Record<string, string> {
  return {
    's3.enabled': 'true',
    's3.bucket': bucket,
    's3.endpoint': proxy.endpoint,
    's3.force.path.style': 'true',
    's3.access.key.id': ACCESS_KEY_ID,
    's3.secret.access.key': secret,
  };
}

const topic = (name: string, configs: Record<string, string> = {}): TopicInput => ({
  name,
  numPartitions: 1,
  replicationFactor: 1,
  assignments: [],
  configs: Object.entries(configs).map(([k, value]) => ({ name: k, value })),
});

const create = (topics: TopicInput[], validateOnly = false) => c.send(CreateTopics, { topics, timeoutMs: 10_000, validateOnly });

async function exists(name: string): Promise<boolean> {
  const md = await c.send(Metadata, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return md.topics.some((t) => t.name === name);
}

async function describeTopic(name: string, keys: string[] | null = null) {
  const res = await c.send(DescribeConfigs, { resources: [{ resourceType: RESOURCE_TYPE.TOPIC, resourceName: name, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: false });
  return new Map((res.results[0]?.configs ?? []).map((x) => [x.name, x]));
}

/** The embedded coordinator's persisted state: what an etcd dump would show. */
function coordinatorState(): Promise<string> {
  return readFile(join(b.dataDir, 'coordinator', 'state.json'), 'utf8');
}

describe('per-topic object stores over the Kafka protocol', () => {
  it('answers each topic of one CreateTopics on its own: good bucket, wrong secret, missing bucket, no bucket', async () => {
    const res = await create([
      topic('orders', bucketConfigs('orders-bucket')),
      topic('wrong-secret', bucketConfigs('orders-bucket', WRONG)),
      topic('missing-bucket', bucketConfigs('no-such-bucket')),
      topic('plain'),
    ]);
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['orders', 0],
      ['wrong-secret', KafkaErrorCode.INVALID_CONFIG],
      ['missing-bucket', KafkaErrorCode.INVALID_CONFIG],
      ['plain', 0],
    ]);
    const wrong = res.topics[1]?.errorMessage ?? '';
    expect(wrong).toContain('orders-bucket');
    expect(wrong).toContain('access-denied');
    expect(wrong).not.toContain(WRONG);
    expect(wrong).not.toContain(SECRET);
    expect(res.topics[2]?.errorMessage).toMatch(/no-such-bucket/);
    expect(await exists('orders')).toBe(true);
    expect(await exists('wrong-secret')).toBe(false);
    expect(await exists('missing-bucket')).toBe(false);
    expect(res.topics[0]?.configs?.find((x) => x.name === 's3.secret.access.key')).toMatchObject({ value: null, isSensitive: true });
  });

  it('checks the bucket on validateOnly too, and creates nothing', async () => {
    const bad = await create([topic('dry-run', bucketConfigs('no-such-bucket'))], true);
    expect(bad.topics[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    const good = await create([topic('dry-run', bucketConfigs('orders-bucket'))], true);
    expect(good.topics[0]?.errorCode).toBe(0);
    expect(await exists('dry-run')).toBe(false);
  });

  it('never echoes a secret in a validation error', async () => {
    const res = await create([topic('half-credentials', { 's3.secret.access.key': WRONG })]);
    expect(res.topics[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect(res.topics[0]?.errorMessage).toMatch(/s3.access.key.id/);
    expect(res.topics[0]?.errorMessage).not.toContain(WRONG);
  });

  it('describes the secret as null and sensitive, synonyms included', async () => {
    const configs = await describeTopic('orders');
    const secret = configs.get('s3.secret.access.key');
    expect(secret).toMatchObject({ value: null, isSensitive: true, configSource: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG });
    expect(secret?.synonyms.length).toBeGreaterThan(0);
    expect(secret?.synonyms.every((s) => s.value === null)).toBe(true);
    expect(configs.get('s3.bucket')).toMatchObject({ value: 'orders-bucket', isSensitive: false });
    expect(configs.get('s3.access.key.id')).toMatchObject({ value: ACCESS_KEY_ID });
  });

  it('refuses an IncrementalAlterConfigs to a bad bucket or secret and keeps the old config', async () => {
    const alter = (configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) =>
      c.send(IncrementalAlterConfigs, { resources: [{ resourceType: RESOURCE_TYPE.TOPIC, resourceName: 'orders', configs }], validateOnly });
    const before = await coordinatorState();
    const badBucket = await alter([{ name: 's3.bucket', configOperation: OP.SET, value: 'gone-bucket' }]);
    expect(badBucket.responses[0]).toMatchObject({ errorCode: KafkaErrorCode.INVALID_CONFIG });
    expect(badBucket.responses[0]?.errorMessage).toContain('gone-bucket');
    const badSecret = await alter([{ name: 's3.secret.access.key', configOperation: OP.SET, value: WRONG }]);
    expect(badSecret.responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect(badSecret.responses[0]?.errorMessage).not.toContain(WRONG);
    expect(await coordinatorState()).toBe(before);
    expect((await describeTopic('orders', ['s3.bucket'])).get('s3.bucket')?.value).toBe('orders-bucket');
    // A good move is checked and applied; an unrelated change needs no check.
    expect((await alter([{ name: 's3.bucket', configOperation: OP.SET, value: 'audit-bucket' }])).responses[0]?.errorCode).toBe(0);
    expect((await alter([{ name: 'retention.ms', configOperation: OP.SET, value: '60000' }])).responses[0]?.errorCode).toBe(0);
    expect((await describeTopic('orders', ['s3.bucket'])).get('s3.bucket')?.value).toBe('audit-bucket');
  });

  it('checks the legacy AlterConfigs the same way', async () => {
    const res = await c.send(AlterConfigs, {
      resources: [{ resourceType: RESOURCE_TYPE.TOPIC, resourceName: 'plain', configs: Object.entries(bucketConfigs('orders-bucket', WRONG)).map(([name, value]) => ({ name, value })) }],
      validateOnly: false,
    });
    expect(res.responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect(res.responses[0]?.errorMessage).not.toContain(WRONG);
    expect((await describeTopic('plain', ['s3.enabled'])).get('s3.enabled')?.value).toBe('false');
  });

  it('stores only the sealed form, and logs neither secret', async () => {
    const state = await coordinatorState();
    expect(state).toContain('oxbow-enc:v1:');
    expect(state).not.toContain(SECRET);
    expect(state).not.toContain(WRONG);
    const logs = b.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(WRONG);
  });
});
