import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncrementalAlterConfigs, KafkaErrorCode } from '@oxbow/protocol';
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { RESOURCE_TYPE } from '../../src/handlers/config-resources.js';
import { createTopic, ownConfigs, startTestBroker, type TestBroker } from '../test-broker.js';

const OP = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

describe('IncrementalAlterConfigs', () => {
  let b: TestBroker;
  let c: KafkaClient;

  beforeAll(async () => {
    b = await startTestBroker();
    c = await b.client();
    await createTopic(c, 'incremental', { configs: { 'retention.ms': '1000', 'segment.bytes': '1048576' } });
  });

  afterAll(async () => {
    await b.close();
  });

  const alter = (topic: string, ops: [string, number, string | null][], validateOnly = false, resourceType: number = RESOURCE_TYPE.TOPIC) =>
    c.send(IncrementalAlterConfigs, {
      resources: [{ resourceType, resourceName: topic, configs: ops.map(([name, configOperation, value]) => ({ name, configOperation, value })) }],
      validateOnly,
    });

  it('SET changes one key and leaves the others', async () => {
    expect((await alter('incremental', [['retention.ms', OP.SET, '2000']])).responses[0]?.errorCode).toBe(0);
    expect(await ownConfigs(c, 'incremental')).toEqual({ 'retention.ms': '2000', 'segment.bytes': '1048576' });
  });

  it('DELETE removes a key (back to its default)', async () => {
    expect((await alter('incremental', [['segment.bytes', OP.DELETE, null]])).responses[0]?.errorCode).toBe(0);
    expect(await ownConfigs(c, 'incremental')).toEqual({ 'retention.ms': '2000' });
  });

  it('APPEND and SUBTRACT edit list values', async () => {
    expect((await alter('incremental', [['cleanup.policy', OP.APPEND, 'compact']])).responses[0]?.errorCode).toBe(0);
    expect((await ownConfigs(c, 'incremental'))['cleanup.policy']).toBe('compact');
    expect((await alter('incremental', [['cleanup.policy', OP.APPEND, 'delete,compact']])).responses[0]?.errorCode).toBe(0);
    expect((await ownConfigs(c, 'incremental'))['cleanup.policy']).toBe('compact,delete');
    expect((await alter('incremental', [['cleanup.policy', OP.SUBTRACT, 'compact']])).responses[0]?.errorCode).toBe(0);
    expect((await ownConfigs(c, 'incremental'))['cleanup.policy']).toBe('delete');
  });

  it('applies several keys at once, or none when one is bad', async () => {
    const res = await alter('incremental', [
      ['retention.ms', OP.SET, '3000'],
      ['max.message.bytes', OP.SET, 'lots'],
    ]);
    expect(res.responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
    expect(res.responses[0]?.errorMessage).toContain('max.message.bytes');
    expect((await ownConfigs(c, 'incremental'))['retention.ms']).toBe('2000');
  });

  it('changes nothing with validateOnly', async () => {
    expect((await alter('incremental', [['retention.ms', OP.SET, '9999']], true)).responses[0]?.errorCode).toBe(0);
    expect((await ownConfigs(c, 'incremental'))['retention.ms']).toBe('2000');
  });

  it('refuses storage.mode changes with INVALID_CONFIG', async () => {
    for (const op of [[OP.SET, 'diskless'], [OP.DELETE, null]] as const) {
      const res = await alter('incremental', [['storage.mode', op[0], op[1]]]);
      if (op[0] === OP.DELETE) {
        // Deleting an unset immutable key changes nothing: the effective mode stays standard.
        expect(res.responses[0]?.errorCode).toBe(0);
      } else {
        expect(res.responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_CONFIG);
        expect(res.responses[0]?.errorMessage).toContain('storage.mode');
      }
    }
    expect((await ownConfigs(c, 'incremental'))['storage.mode']).toBeUndefined();
  });

  it('answers INVALID_REQUEST for a key given twice, an unknown operation, or a broker resource', async () => {
    expect((await alter('incremental', [['retention.ms', OP.SET, '1'], ['retention.ms', OP.DELETE, null]])).responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);
    expect((await alter('incremental', [['retention.ms', 9, '1']])).responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);
    expect((await alter('0', [['num.partitions', OP.SET, '3']], false, RESOURCE_TYPE.BROKER)).responses[0]?.errorCode).toBe(KafkaErrorCode.INVALID_REQUEST);
    expect((await alter('missing', [['retention.ms', OP.SET, '1']])).responses[0]?.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
