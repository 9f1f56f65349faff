import { afterEach, describe, expect, it } from 'vitest';
import { Metadata } from '@oxbow/protocol';
import { metrics, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import type { BrokerServices } from '../../src/broker/services.js';
import { createHandlers } from '../../src/handlers/registry.js';
import { metadataHandler } from '../../src/handlers/metadata.js';
import { RequestObserver } from '../../src/observability/request-observer.js';
import { KafkaServer, type KafkaServerOptions } from '../../src/server/kafka-server.js';
import { startTestBroker, TestRawConnection, type TestBroker } from '../test-broker.js';

function serverOptions(extra: Partial<KafkaServerOptions> = {}): KafkaServerOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    handlers: createHandlers(),
    services: {} as BrokerServices,
    observer: new RequestObserver(trace.getTracer('test'), metrics.getMeter('test'), pino({ level: 'silent' })),
    maxFrameBytes: 1 << 20,
    queuedMaxRequestBytes: 1 << 20,
    maxInFlightBytesPerConnection: 1 << 20,
    idleTimeoutMs: 60_000,
    ...extra,
  };
}

describe('KafkaServer', () => {
  let b: TestBroker | undefined;

  afterEach(async () => {
    await b?.close();
    b = undefined;
  });

  it('refuses two handlers for the same API key', () => {
    expect(() => new KafkaServer(serverOptions({ handlers: [...createHandlers(), metadataHandler] }))).toThrow(/same API key/);
  });

  it('knows its address only once listening, with the port chosen for port 0', async () => {
    const server = new KafkaServer(serverOptions());
    expect(() => server.address()).toThrow(/not listening/);
    await server.listen();
    const { host, port } = server.address();
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    const raw = await TestRawConnection.open(host, port);
    await expect.poll(() => server.connectionCount).toBe(1);
    await server.close();
    expect(await raw.waitClosed()).toBe(true);
    expect(server.connectionCount).toBe(0);
  });

  it('closes connections idle for longer than connections.max.idle.ms', async () => {
    b = await startTestBroker({ settings: { 'connections.max.idle.ms': '200' } });
    const raw = await b.raw();
    const id = raw.send(Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect((await raw.next(Metadata, 12)).correlationId).toBe(id);
    expect(await raw.waitClosed(5_000)).toBe(true);
  });

  it('closes every client connection when the broker stops', async () => {
    b = await startTestBroker();
    const one = await b.raw();
    const two = await b.raw();
    await b.broker.close();
    expect(await one.waitClosed()).toBe(true);
    expect(await two.waitClosed()).toBe(true);
  });
});
