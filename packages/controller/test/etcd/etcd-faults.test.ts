/** EtcdCoordinator while etcd is paused (SIGSTOP) or killed and restarted: its own etcd, bounded waits. */
import { KafkaApiError } from '@oxbow/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdCoordinator, SessionLost } from '../../src/index.js';
import { startEtcd, type EtcdServer } from '../../src/testing/index.js';
import { Coordinators, eventually, uniqueCluster } from './helpers.js';

let etcd: EtcdServer;
let nodes: Coordinators;

beforeAll(async () => {
  etcd = await startEtcd();
  nodes = new Coordinators(etcd.endpoints);
});
afterEach(async () => {
  etcd.resume();
  await nodes.closeAll();
});
afterAll(async () => etcd?.stop());

const broker = (nodeId: number) => ({ nodeId, host: '127.0.0.1', port: 9100 + nodeId, rack: null });
const topic = (name: string) => ({ name, partitions: 2, replicationFactor: 1, configs: {} });

async function failure(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await promise.then(() => undefined, (e: unknown) => e);
  return { error, ms: Date.now() - started };
}

/** Retries `write` until it succeeds (etcd coming back), bounded. */
async function succeedsSoon<T>(write: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof KafkaApiError && error.retriable) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('EtcdCoordinator when etcd fails', () => {
  it('paused etcd: writes fail retriably within the budget, reads go on, the session is fenced at ⅔·TTL, all recovers', async () => {
    const clusterName = uniqueCluster('pause');
    const c: EtcdCoordinator = await nodes.start({ clusterName, nodeId: 1, requestTimeoutMs: 1000 });
    await c.registerBroker(broker(1));
    const before = await c.createTopic(topic('before'));
    const lost: SessionLost[] = [];
    c.onSessionLost((info) => lost.push(info));
    let restored = 0;
    c.onSessionRestored(() => (restored += 1));
    await eventually(() => c.isController(), 3000, 'controller');

    etcd.pause();
    const pausedAt = Date.now();
    const { error, ms } = await failure(c.createTopic(topic('during')));
    expect(error).toBeInstanceOf(KafkaApiError);
    expect(error).toMatchObject({ errorName: 'REQUEST_TIMED_OUT', retriable: true });
    expect(ms).toBeLessThan(1500);
    expect(c.topic('before')).toEqual(before);
    expect(c.brokers().map((b) => b.nodeId)).toEqual([1]);

    const fencedAfter = await eventually(() => lost.length === 1, 2500, 'session lost');
    // Fenced no later than ⅔·TTL (1333 ms) after the last successful keepalive, well before etcd's TTL (2 s).
    expect(Date.now() - pausedAt).toBeLessThan(2000);
    expect(fencedAfter).toBeGreaterThanOrEqual(0);
    expect(lost[0]).toMatchObject({ reason: 'keepalive-timeout' });
    expect(lost[0]?.sinceRenewalMs).toBeLessThan(2000);
    expect(c.sessionAlive).toBe(false);
    expect(c.isController()).toBe(false);
    await expect(c.registerBroker(broker(2))).rejects.toMatchObject({ errorName: 'REQUEST_TIMED_OUT' });

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2500 - (Date.now() - pausedAt))));
    etcd.resume();
    await eventually(() => restored === 1 && c.sessionAlive, 5000, 'session restored');
    expect(c.brokers().map((b) => b.nodeId)).toEqual([1]);
    const after = await succeedsSoon(() => c.createTopic(topic('after')), 5000);
    expect(c.topic('after')).toEqual(after);
    expect(c.topic('before')).toEqual(before);
    await eventually(() => c.isController(), 5000, 'controller again');

    const fresh = await nodes.start({ clusterName, nodeId: 5 });
    expect(fresh.topic('before')).toEqual(before);
    expect(fresh.topic('after')).toEqual(after);
  });

  it('killed etcd: writes fail retriably within the budget; after a restart on the same data the watch resumes and nothing is lost', async () => {
    const clusterName = uniqueCluster('kill');
    const a = await nodes.start({ clusterName, nodeId: 1, requestTimeoutMs: 1000 });
    const b = await nodes.start({ clusterName, nodeId: 2, requestTimeoutMs: 1000 });
    await a.registerBroker(broker(1));
    const kept = await a.createTopic(topic('kept'));
    const ids = await a.allocateProducerIds(100);
    await eventually(() => b.topic('kept') !== undefined, 2000, 'b sees kept');

    let lost = 0;
    let restored = 0;
    a.onSessionLost(() => (lost += 1));
    a.onSessionRestored(() => (restored += 1));
    await etcd.kill();
    const { error, ms } = await failure(a.createTopic(topic('lost-write')));
    expect(error).toMatchObject({ errorName: 'REQUEST_TIMED_OUT', retriable: true });
    expect(ms).toBeLessThan(1500);
    expect(b.topic('kept')).toEqual(kept);
    await eventually(() => lost === 1, 2500, 'session lost while etcd is down');

    await etcd.restart();
    await eventually(() => restored === 1 && a.sessionAlive, 8000, 'session restored');
    expect(a.brokers().map((x) => x.nodeId)).toEqual([1]);
    const later = await succeedsSoon(() => a.createTopic(topic('later')), 8000);
    await eventually(() => b.topic('later') !== undefined, 5000, 'b\'s watch resumed');
    expect(b.topic('later')).toEqual(later);
    expect(a.topic('kept')).toEqual(kept);
    const next = await succeedsSoon(() => b.allocateProducerIds(1), 5000);
    expect(next.first).toBeGreaterThanOrEqual(ids.first + 100n);
  });
});
