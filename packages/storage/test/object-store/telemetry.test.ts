import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics, trace, type Attributes, type Meter, type Span, type SpanStatus, type Tracer } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore, OBJECT_STORE_ATTRIBUTES, OBJECT_STORE_METRICS, S3ClientPool, S3ObjectStore, TELEMETRY_SCOPE } from '../../src/index.js';
import { S3FaultProxy, startS3Server, type S3ServerHandle } from '../../src/testing/index.js';

/** Records finished spans (a test double: only what the storage package calls). */
class TestSpan {
  attributes: Attributes;
  status: SpanStatus | undefined;
  ended = false;
  constructor(
    readonly name: string,
    attributes: Attributes | undefined,
  ) {
    this.attributes = { ...attributes };
  }
  setAttribute(k: string, v: unknown): this {
    this.attributes[k] = v as never;
    return this;
  }
  setStatus(s: SpanStatus): this {
    this.status = s;
    return this;
  }
  end(): void {
    this.ended = true;
  }
  spanContext(): ReturnType<Span['spanContext']> {
    return { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
  }
  isRecording(): boolean {
    return true;
  }
}

const spans: TestSpan[] = [];
const recorded: { instrument: string; value: number; attributes: Attributes }[] = [];
const scopes: string[] = [];

const testTracer = {
  startSpan(name: string, options?: { attributes?: Attributes }): Span {
    const span = new TestSpan(name, options?.attributes);
    spans.push(span);
    return span as unknown as Span;
  },
} as unknown as Tracer;

const testMeter = {
  createHistogram: (name: string) => ({ record: (value: number, attributes: Attributes = {}) => recorded.push({ instrument: name, value, attributes }) }),
  createCounter: (name: string) => ({ add: (value: number, attributes: Attributes = {}) => recorded.push({ instrument: name, value, attributes }) }),
} as unknown as Meter;

let server: S3ServerHandle;
let dir: string;

beforeAll(async () => {
  trace.setGlobalTracerProvider({
    getTracer: (name: string) => {
      scopes.push(name);
      return testTracer;
    },
  });
  metrics.setGlobalMeterProvider({
    getMeter: (name: string) => {
      scopes.push(name);
      return testMeter;
    },
  });
  server = await startS3Server({ buckets: ['otel'] });
  dir = await mkdtemp(join(tmpdir(), 'oxbow-otel-'));
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
  trace.disable();
  metrics.disable();
});

describe('object store telemetry', () => {
  it('puts every S3 call in a span with operation, bucket and bytes, and records latency, bytes, retries and errors', { timeout: 30_000 }, async () => {
    const proxy = await S3FaultProxy.start(server.endpoint, { seed: 3, resetRate: 0.3 });
    const pool = new S3ClientPool({ maxAttempts: 10 });
    try {
      const store = new S3ObjectStore(server.settings('otel', { endpoint: proxy.endpoint }), { pool });
      spans.length = 0;
      recorded.length = 0;
      for (let i = 0; i < 4; i++) await store.put(`k${i}`, Buffer.alloc(1234));
      expect((await store.get('k0', { range: { offset: 0, length: 100 } })).length).toBe(100);
      await expect(store.head('missing')).rejects.toMatchObject({ code: 'not-found' });

      expect(scopes).toContain(TELEMETRY_SCOPE);
      const put = spans.find((s) => s.name === 'object-store put');
      expect(put?.attributes).toMatchObject({
        [OBJECT_STORE_ATTRIBUTES.system]: 's3',
        [OBJECT_STORE_ATTRIBUTES.operation]: 'put',
        [OBJECT_STORE_ATTRIBUTES.bucket]: 'otel',
        [OBJECT_STORE_ATTRIBUTES.bytes]: 1234,
      });
      expect(put?.ended).toBe(true);
      const get = spans.find((s) => s.name === 'object-store get');
      expect(get?.attributes[OBJECT_STORE_ATTRIBUTES.bytes]).toBe(100);
      const head = spans.find((s) => s.name === 'object-store head');
      expect(head?.status?.code).toBe(2); // ERROR
      expect(head?.attributes[OBJECT_STORE_ATTRIBUTES.errorCode]).toBe('not-found');

      const durations = recorded.filter((r) => r.instrument === OBJECT_STORE_METRICS.duration);
      expect(durations.length).toBe(6);
      expect(durations.every((d) => d.value > 0 && d.value < 30)).toBe(true); // seconds
      expect(recorded.filter((r) => r.instrument === OBJECT_STORE_METRICS.errors)).toEqual([
        { instrument: OBJECT_STORE_METRICS.errors, value: 1, attributes: expect.objectContaining({ [OBJECT_STORE_ATTRIBUTES.errorCode]: 'not-found', [OBJECT_STORE_ATTRIBUTES.operation]: 'head' }) as unknown },
      ]);
      const retries = recorded.filter((r) => r.instrument === OBJECT_STORE_METRICS.retries).reduce((n, r) => n + r.value, 0);
      expect(retries).toBe(proxy.counters.resets);
      expect(retries).toBeGreaterThan(0);
      const bytes = recorded.filter((r) => r.instrument === OBJECT_STORE_METRICS.bytes).reduce((n, r) => n + r.value, 0);
      expect(bytes).toBe(4 * 1234 + 100);
    } finally {
      await pool.close();
      await proxy.close();
    }
  });

  it('file store calls are traced too', async () => {
    const store = new FileObjectStore(dir);
    spans.length = 0;
    await store.put('a', Buffer.alloc(10));
    await store.get('a');
    expect(spans.map((s) => [s.name, s.attributes[OBJECT_STORE_ATTRIBUTES.system], s.attributes[OBJECT_STORE_ATTRIBUTES.bytes]])).toEqual([
      ['object-store put', 'file', 10],
      ['object-store get', 'file', 10],
    ]);
  });
});
