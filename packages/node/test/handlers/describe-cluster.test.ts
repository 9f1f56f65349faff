import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeCluster, KafkaErrorCode, Metadata } from '@oxbow/protocol';
import { startTestBroker, type TestBroker } from '../test-broker.js';

describe('DescribeCluster', () => {
  let b: TestBroker;

  beforeAll(async () => {
    b = await startTestBroker();
  });

  afterAll(async () => {
    await b.close();
  });

  it('describes the live brokers, the cluster id and the controller, like Metadata', async () => {
    const c = await b.client();
    const md = await c.send(Metadata, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    for (const version of [0, 1]) {
      const res = await c.send(DescribeCluster, { includeClusterAuthorizedOperations: false, endpointType: 1 }, version);
      expect(res.errorCode).toBe(0);
      expect(res.clusterId).toBe(md.clusterId);
      expect(res.clusterId).not.toBe('');
      expect(res.controllerId).toBe(md.controllerId);
      expect(res.brokers.map((x) => ({ brokerId: x.brokerId, host: x.host, port: x.port, rack: x.rack }))).toEqual([{ brokerId: 0, host: '127.0.0.1', port: b.port, rack: null }]);
    }
  });

  it('refuses controller endpoints (endpointType 2) with UNSUPPORTED_ENDPOINT_TYPE', async () => {
    const c = await b.client();
    const res = await c.send(DescribeCluster, { includeClusterAuthorizedOperations: false, endpointType: 2 }, 1);
    expect(res.errorCode).toBe(KafkaErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
    expect(res.brokers).toEqual([]);
  });
});
