import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiVersions, CreateTopics, Fetch, Metadata, Produce } from '@oxbow/protocol';
import { KafkaClient, parseAddress } from '../../src/client/kafka-client.js';
import { createHandlers } from '../../src/handlers/registry.js';
import { startTestBroker, type TestBroker } from '../test-broker.js';

describe('parseAddress', () => {
  it('parses host:port, including bracketed IPv6', () => {
    expect(parseAddress('127.0.0.1:9092')).toEqual({ host: '127.0.0.1', port: 9092 });
    expect(parseAddress(' kafka.example:1 ')).toEqual({ host: 'kafka.example', port: 1 });
    expect(parseAddress('[::1]:9092')).toEqual({ host: '::1', port: 9092 });
  });

  it.each(['localhost', ':9092', 'host:0', 'host:65536', 'host:port'])('rejects %j', (text) => {
    expect(() => parseAddress(text)).toThrow(/HOST:PORT/);
  });
});

describe('KafkaClient', () => {
  let b: TestBroker;

  beforeAll(async () => {
    b = await startTestBroker();
  });

  afterAll(async () => {
    await b.close();
  });

  it('negotiates the highest version both sides serve', async () => {
    const c = await b.client();
    for (const h of createHandlers()) expect(c.versionFor(h.api)).toBe(Math.min(h.maxVersion, h.api.maxVersion));
    expect(c.versionFor(Fetch)).toBe(16);
    expect(c.versionFor(Produce)).toBe(11);
  });

  it('refuses APIs the broker does not serve', async () => {
    const c = await b.client();
    const { DescribeAcls } = await import('@oxbow/protocol');
    expect(() => c.versionFor(DescribeAcls)).toThrow(/does not serve DescribeAcls/);
  });

  it('matches concurrent responses to their requests', async () => {
    const c = await b.client();
    const [versions, md, created] = await Promise.all([
      c.send(ApiVersions, {}, 0),
      c.send(Metadata, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }),
      c.send(CreateTopics, { topics: [{ name: 'from-client', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: true }),
    ]);
    expect(versions.errorCode).toBe(0);
    expect(md.brokers[0]?.port).toBe(b.port);
    expect(created.topics[0]?.name).toBe('from-client');
  });

  it('rejects pending and later requests once the connection is gone', async () => {
    const c = await KafkaClient.connect(b.address);
    c.close();
    await expect(c.send(Metadata, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).rejects.toThrow(/closed/);
  });

  it('fails to connect to a port nobody listens on', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(KafkaClient.connect(`127.0.0.1:${port}`)).rejects.toThrow();
  });

  it('fails requests in flight when the server hangs up', async () => {
    const server = createServer((socket) => {
      socket.once('data', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await expect(KafkaClient.connect(`127.0.0.1:${port}`)).rejects.toThrow(/closed/);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
