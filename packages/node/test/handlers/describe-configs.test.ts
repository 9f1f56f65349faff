import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTopics, DescribeConfigs, KafkaErrorCode, type RequestInputOf } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { RESOURCE_TYPE } from '../../src/handlers/config-resources.js';
import { BROKER_SETTING_NAMES, CONFIG_SOURCE } from '../../src/config/index.js';
import { createTopic, startTestBroker, type TestBroker } from '../test-broker.js';

const SECRET = 'supersecret';
const DESCRIBE_VERSION = 4;

const describeBody = (resourceType: number, resourceName: string, keys: string[] | null = null, extra: Partial<RequestInputOf<typeof DescribeConfigs>> = {}): RequestInputOf<typeof DescribeConfigs> => ({
  resources: [{ resourceType, resourceName, configurationKeys: keys }],
  includeSynonyms: false,
  includeDocumentation: false,
  ...extra,
});

describe('DescribeConfigs', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    // Everything the broker logs, at every level, to look for secrets in it.
    b = await startTestBroker({ logLevel: 'trace', settings: { 'num.partitions': '2' } });
    c = await b.client();
    await createTopic(c, 'described', { configs: { 'retention.ms': '3600000', 'cleanup.policy': 'compact' } });
  });

  afterAll(async () => {
    await b.close();
  });

  it('describes a topic: its own values as DYNAMIC_TOPIC_CONFIG, the rest with their defaults', async () => {
    const res = await c.send(DescribeConfigs, describeBody(RESOURCE_TYPE.TOPIC, 'described'));
    const r = res.results[0];
    expect(r).toMatchObject({ errorCode: 0, resourceType: RESOURCE_TYPE.TOPIC, resourceName: 'described' });
    const byName = new Map(r?.configs.map((x) => [x.name, x]));
    expect(byName.get('retention.ms')).toMatchObject({ value: '3600000', configSource: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG, readOnly: false, isSensitive: false });
    expect(byName.get('cleanup.policy')).toMatchObject({ value: 'compact', configSource: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG });
    expect(byName.get('segment.bytes')).toMatchObject({ value: '1073741824', configSource: CONFIG_SOURCE.DEFAULT_CONFIG });
    expect(byName.get('storage.mode')).toMatchObject({ value: 'standard', readOnly: true });
    expect(r?.configs.map((x) => x.name)).toEqual([...(r?.configs.map((x) => x.name) ?? [])].sort());
  });

  it('describes only the keys asked for, with synonyms and documentation on request', async () => {
    const res = await c.send(DescribeConfigs, describeBody(RESOURCE_TYPE.TOPIC, 'described', ['retention.ms', 'no.such.key'], { includeSynonyms: true, includeDocumentation: true }));
    const configs = res.results[0]?.configs ?? [];
    expect(configs.map((x) => x.name)).toEqual(['retention.ms']);
    expect(configs[0]?.synonyms[0]).toMatchObject({ name: 'retention.ms', value: '3600000', source: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG });
    expect(configs[0]?.synonyms.some((s) => s.name === 'log.retention.hours')).toBe(true);
    expect(configs[0]?.documentation).toMatch(/\w/);
  });

  it('reports unknown topics and unsupported resource types per resource', async () => {
    const res = await c.send(DescribeConfigs, {
      resources: [
        { resourceType: RESOURCE_TYPE.TOPIC, resourceName: 'missing', configurationKeys: null },
        { resourceType: RESOURCE_TYPE.GROUP, resourceName: 'g', configurationKeys: null },
        { resourceType: RESOURCE_TYPE.TOPIC, resourceName: 'described', configurationKeys: ['retention.ms'] },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(res.results.map((r) => r.errorCode)).toEqual([KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, KafkaErrorCode.INVALID_REQUEST, 0]);
  });

  it('describes this broker: every setting, read-only, set ones as STATIC_BROKER_CONFIG', async () => {
    for (const name of ['', '0']) {
      const res = await c.send(DescribeConfigs, describeBody(RESOURCE_TYPE.BROKER, name));
      const r = res.results[0];
      expect(r?.errorCode).toBe(0);
      expect(r?.configs.map((x) => x.name)).toEqual([...BROKER_SETTING_NAMES]);
      expect(r?.configs.every((x) => x.readOnly)).toBe(true);
      const byName = new Map(r?.configs.map((x) => [x.name, x]));
      expect(byName.get('num.partitions')).toMatchObject({ value: '2', configSource: CONFIG_SOURCE.STATIC_BROKER_CONFIG, isSensitive: false });
      expect(byName.get('auto.create.topics.enable')).toMatchObject({ value: 'true', configSource: CONFIG_SOURCE.DEFAULT_CONFIG });
    }
    const one = await c.send(DescribeConfigs, describeBody(RESOURCE_TYPE.BROKER, '0', ['num.partitions']));
    expect(one.results[0]?.configs.map((x) => x.name)).toEqual(['num.partitions']);
    const other = await c.send(DescribeConfigs, describeBody(RESOURCE_TYPE.BROKER, '7'));
    expect(other.results[0]?.errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);
  });

  it('never returns nor logs a secret: sensitive configs are null and flagged isSensitive', async () => {
    const raw = await b.raw();
    raw.send(CreateTopics, 7, {
      topics: [{ name: 'with-secret', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 's3.access.key.id', value: 'AKIDEXAMPLE' }, { name: 's3.secret.access.key', value: SECRET }] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    const createdFrame = await raw.nextFrame();
    if (createdFrame === null) throw new Error('connection closed');
    expect(createdFrame.includes(SECRET)).toBe(false);

    for (const version of [0, 1, 2, 3, DESCRIBE_VERSION]) {
      const extra = version >= 3 ? { includeSynonyms: true, includeDocumentation: true } : version >= 1 ? { includeSynonyms: true } : {};
      raw.send(DescribeConfigs, version, describeBody(RESOURCE_TYPE.TOPIC, 'with-secret', null, extra));
      const frame = await raw.nextFrame();
      if (frame === null) throw new Error('connection closed');
      expect(frame.includes(SECRET)).toBe(false);
    }
    const res = await c.send(DescribeConfigs, describeBody(RESOURCE_TYPE.TOPIC, 'with-secret', null, { includeSynonyms: true }));
    const entry = res.results[0]?.configs.find((x) => x.name === 's3.secret.access.key');
    expect(entry).toMatchObject({ value: null, isSensitive: true, configSource: CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG });
    expect(entry?.synonyms.every((s) => s.value === null)).toBe(true);
    expect(res.results[0]?.configs.find((x) => x.name === 's3.access.key.id')).toMatchObject({ value: 'AKIDEXAMPLE' });

    expect(b.logs.length).toBeGreaterThan(0); // the capture works
    expect(b.logs.join('')).not.toContain(SECRET);
  });
});
