import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlterConfigs, KafkaErrorCode } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { RESOURCE_TYPE } from '../../src/handlers/config-resources.js';
import { createTopic, ownConfigs, startTestBroker, type TestBroker } from '../test-broker.js';

describe('AlterConfigs (legacy, replaces the whole set)', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
  });

  afterAll(async () => {
    await b.close();
  });

  const alter = (topic: string, configs: Record<string, string>, validateOnly = false, resourceType: number = RESOURCE_TYPE.TOPIC) =>
    c.send(AlterConfigs, { resources: [{ resourceType, resourceName: topic, configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }], validateOnly });

  it('sets the named keys and resets every key it does not name', async () => {
    await createTopic(c, 'legacy', { configs: { 'retention.ms': '1000', 'segment.bytes': '1048576' } });
    const res = await alter('legacy', { 'max.message.bytes': '2000000', 'retention.ms': '5000' });
    expect(res.responses[0]).toMatchObject({ resourceName: 'legacy', errorCode: 0, errorMessage: null });
    expect(await ownConfigs(c, 'legacy')).toEqual({ 'max.message.bytes': '2000000', 'retention.ms': '5000' });
    expect((await alter('legacy', {})).responses[0]?.errorCode).toBe(0);
    expect(await ownConfigs(c, 'legacy')).toEqual({});
  });

  it('changes nothing with validateOnly, and rejects bad values with INVALID_CONFIG naming the key', async () => {
    await createTopic(c, 'legacy-checked', { configs: { 'retention.ms': '1000' } });
    expect((await alter('legacy-checked', { 'segment.ms': '60000' }, true)).responses[0]?.errorCode).toBe(0);
    const bad = await alter('legacy-checked', { 'segment.bytes': 'big' });
    expect(bad.responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect(bad.responses[0]?.errorMessage).toContain('segment.bytes');
    expect(await ownConfigs(c, 'legacy-checked')).toEqual({ 'retention.ms': '1000' });
  });

  it('refuses to change storage.mode, also by leaving it out (INVALID_CONFIG)', async () => {
    await createTopic(c, 'tiered-topic', { configs: { 'storage.mode': 'tiered' } });
    const changed = await alter('tiered-topic', { 'storage.mode': 'standard' });
    expect(changed.responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect(changed.responses[0]?.errorMessage).toContain('storage.mode');
    expect((await alter('tiered-topic', { 'retention.ms': '1000' })).responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect((await alter('tiered-topic', { 'storage.mode': 'tiered', 'retention.ms': '1000' })).responses[0]?.errorCode).toBe(0);
    expect(await ownConfigs(c, 'tiered-topic')).toEqual({ 'storage.mode': 'tiered', 'retention.ms': '1000' });
  });

  it('answers per resource: unknown topics and broker resources', async () => {
    expect((await alter('missing', {})).responses[0]?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await alter('0', { 'num.partitions': '3' }, false, RESOURCE_TYPE.BROKER)).responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);
  });
});
