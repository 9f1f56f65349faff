/** Every etcd transaction of the EtcdCoordinator runs in a span and lands in the latency histogram. */
import { metrics, trace, type MeterProvider, type Span, type TracerProvider } from '@opentelemetry/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEtcd, type EtcdServer } from '../../src/testing/index.js';
import { Coordinators, uniqueCluster } from './helpers.js';

interface Recorded {
  name: string;
  attributes: Record<string, unknown>;
  ended: boolean;
  error: boolean;
}
const spans: Recorded[] = [];
const samples: { value: number; attributes: Record<string, unknown> }[] = [];

function recordingSpan(record: Recorded): Span {
  const span = {
    spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 }),
    setAttribute: (key: string, value: unknown) => ((record.attributes[key] = value), span),
    setAttributes: (attributes: Record<string, unknown>) => (Object.assign(record.attributes, attributes), span),
    addEvent: () => span,
    addLink: () => span,
    addLinks: () => span,
    setStatus: (status: { code: number }) => ((record.error = status.code === 2), span),
    updateName: () => span,
    end: () => void (record.ended = true),
    isRecording: () => true,
    recordException: () => undefined,
  };
  return span;
}

const tracerProvider = {
  getTracer: () => ({
    startSpan: (name: string, options?: { attributes?: Record<string, unknown> }) => {
      const record = { name, attributes: { ...options?.attributes }, ended: false, error: false };
      spans.push(record);
      return recordingSpan(record);
    },
    startActiveSpan(name: string, options: { attributes?: Record<string, unknown> }, fn: (span: Span) => unknown) {
      return fn(this.startSpan(name, options));
    },
  }),
} as unknown as TracerProvider;

const meterProvider = {
  getMeter: () => ({
    createHistogram: () => ({ record: (value: number, attributes: Record<string, unknown> = {}) => samples.push({ value, attributes }) }),
  }),
} as unknown as MeterProvider;

let etcd: EtcdServer;
let nodes: Coordinators;

beforeAll(async () => {
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  etcd = await startEtcd();
  nodes = new Coordinators(etcd.endpoints);
});
afterAll(async () => {
  await nodes?.closeAll();
  await etcd?.stop();
  trace.disable();
  metrics.disable();
});

it('traces every etcd transaction (tracer @oxbow/controller) and records its latency by operation and outcome', async () => {
  const c = await nodes.start({ clusterName: uniqueCluster('otel'), nodeId: 1 });
  await c.registerBroker({ nodeId: 1, host: '127.0.0.1', port: 9101, rack: null });
  await c.createTopic({ name: 't', partitions: 1, replicationFactor: 1, configs: {} });
  await c.updatePartition('t', 0, 0, { replicas: [1], leader: 1, leaderEpoch: 1, isr: [1] });
  expect(await c.updatePartition('t', 0, 0, { replicas: [1], leader: 1, leaderEpoch: 2, isr: [1] })).toBeNull();
  const entry = { baseOffset: 0n, lastOffset: 9n, objectKey: 'o', format: 'batches', position: 0, size: 1, records: 10, maxTimestamp: -1n, leaderEpoch: 0 } as const;
  const topicId = c.topic('t')?.topicId ?? '';
  await c.commitObject([{ topicId, partition: 0, expectedNextOffset: 0n, entry }]);
  await c.replaceManifestEntries(topicId, 0, [{ baseOffset: 0n, objectKey: 'o' }], [{ ...entry, objectKey: 'p' }]);
  await c.advanceManifestStart(topicId, 0, 10n);
  await c.clusterSecretKey();
  await c.deleteTopic('t');
  const names = spans.map((s) => s.name);
  const ops = ['init-cluster-id', 'load', 'register-broker', 'create-topic', 'update-partition', 'delete-topic'];
  for (const op of [...ops, 'commit-object', 'replace-manifest-entries', 'advance-manifest-start', 'init-cluster-secret-key']) expect(names).toContain(`etcd ${op}`);
  expect(spans.every((s) => s.ended && s.attributes['db.system'] === 'etcd')).toBe(true);
  expect(spans.find((s) => s.name === 'etcd create-topic')?.attributes['oxbow.etcd.outcome']).toBe('committed');
  // The stale update above was answered from the view (epoch moved): no transaction for it.
  expect(names.filter((n) => n === 'etcd update-partition')).toHaveLength(1);
  expect(samples.length).toBe(spans.length);
  expect(samples.every((s) => s.value >= 0 && s.value < 5 && typeof s.attributes['db.operation'] === 'string')).toBe(true);
});
