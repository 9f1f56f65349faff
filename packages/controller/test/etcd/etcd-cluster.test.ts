/** EtcdCoordinator behaviour that needs several coordinators on one cluster (one etcd for the file). */
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorError, EtcdCoordinator, type CoordinatorEvent } from '../../src/index.js';
import { startEtcd, type EtcdServer } from '../../src/testing/index.js';
import { Coordinators, eventually, quietLogger, uniqueCluster } from './helpers.js';

let etcd: EtcdServer;
let nodes: Coordinators;

beforeAll(async () => {
  etcd = await startEtcd();
  nodes = new Coordinators(etcd.endpoints);
});
afterEach(async () => nodes.closeAll());
afterAll(async () => etcd?.stop());

const broker = (nodeId: number) => ({ nodeId, host: '127.0.0.1', port: 9100 + nodeId, rack: null });

describe('EtcdCoordinator on a shared cluster', () => {
  it('shows each coordinator the other\'s writes through the watch, as events in commit order', async () => {
    const clusterName = uniqueCluster('shared');
    const a = await nodes.start({ clusterName, nodeId: 1 });
    const b = await nodes.start({ clusterName, nodeId: 2 });
    expect(b.clusterId).toBe(a.clusterId);
    const seenByB: CoordinatorEvent[] = [];
    b.watch((e) => seenByB.push(e));
    await a.registerBroker(broker(1));
    await b.registerBroker(broker(2));
    await eventually(() => a.brokers().length === 2, 2000, 'a sees both brokers');
    const created = await a.createTopic({ name: 'shared', partitions: 2, replicationFactor: 2, configs: { 'retention.ms': '1' } });
    await eventually(() => b.topic('shared') !== undefined, 2000, 'b sees the topic');
    expect(b.topic('shared')).toEqual(created);
    expect(a.brokers().map((x) => x.nodeId)).toEqual([1, 2]);
    const changed = await b.setTopicConfigs('shared', { 'retention.ms': '2' });
    await eventually(() => a.topic('shared')?.configs['retention.ms'] === '2', 2000, 'a sees the config');
    expect(a.topic('shared')).toEqual(changed);
    await a.deleteTopic('shared');
    await eventually(() => b.topic('shared') === undefined, 2000, 'b sees the deletion');
    expect(seenByB.map((e) => e.type)).toEqual(['brokers-changed', 'brokers-changed', 'topic-created', 'topic-changed', 'topic-deleted']);
  });

  it('lets exactly one of two coordinators win concurrent updatePartition calls with the same epoch', async () => {
    const clusterName = uniqueCluster('race');
    const a = await nodes.start({ clusterName, nodeId: 1 });
    const b = await nodes.start({ clusterName, nodeId: 2 });
    for (const id of [1, 2, 3]) await a.registerBroker(broker(id));
    await a.createTopic({ name: 'r', partitions: 1, replicationFactor: 3, configs: {}, assignments: [[1, 2, 3]] });
    await eventually(() => b.topic('r') !== undefined && b.brokers().length === 3, 2000, 'b sees topic and brokers');
    for (let round = 0; round < 5; round++) {
      const epoch = a.topic('r')?.partitions[0]?.leaderEpoch ?? -1;
      await eventually(() => b.topic('r')?.partitions[0]?.leaderEpoch === epoch, 2000, 'b caught up');
      const [ra, rb] = await Promise.all([
        a.updatePartition('r', 0, epoch, { replicas: [1, 2, 3], leader: 2, leaderEpoch: epoch + 1, isr: [2, 3] }),
        b.updatePartition('r', 0, epoch, { replicas: [1, 2, 3], leader: 3, leaderEpoch: epoch + 1, isr: [3] }),
      ]);
      expect([ra, rb].filter((r) => r !== null)).toHaveLength(1);
      const winner = ra ?? rb;
      await eventually(() => b.topic('r')?.partitions[0]?.leaderEpoch === epoch + 1 && a.topic('r')?.partitions[0]?.leaderEpoch === epoch + 1, 2000, 'both views');
      expect(a.topic('r')?.partitions[0]).toEqual(winner);
      expect(b.topic('r')?.partitions[0]).toEqual(winner);
    }
  });

  it('drops a registration when its lease expires (close without revoke) and at once on a clean close', async () => {
    const clusterName = uniqueCluster('lease');
    const watcher = await nodes.start({ clusterName, nodeId: 9 });
    const crashing = new EtcdCoordinator({ endpoints: etcd.endpoints, clusterName, nodeId: 1, leaseTtlSeconds: 2, logger: quietLogger });
    await crashing.start();
    await crashing.registerBroker(broker(1));
    const clean = await nodes.start({ clusterName, nodeId: 2 });
    await clean.registerBroker(broker(2));
    await eventually(() => watcher.brokers().length === 2, 2000, 'both registered');
    const t0 = Date.now();
    await crashing.close({ revokeLease: false });
    await clean.close();
    await eventually(() => !watcher.brokers().some((b) => b.nodeId === 2), 500, 'clean close revokes at once');
    expect(watcher.brokers().map((b) => b.nodeId)).toEqual([1]);
    await eventually(() => watcher.brokers().length === 0, 4000, 'lease expiry');
    // etcd expires a 2 s lease 2 s after the last keepalive (at most ~0.5 s before the close).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1200);
  });

  it('moves the controller role when the controller closes, and only one node is controller at a time', async () => {
    const clusterName = uniqueCluster('election');
    const cs = [await nodes.start({ clusterName, nodeId: 1 }), await nodes.start({ clusterName, nodeId: 2 }), await nodes.start({ clusterName, nodeId: 3 })];
    await eventually(() => cs.filter((c) => c.isController()).length === 1, 3000, 'one controller');
    const first = cs.find((c) => c.isController());
    if (first === undefined) throw new Error('no controller');
    for (const c of cs) await eventually(() => c.controllerId() === first.nodeId, 2000, 'all agree');
    await first.close();
    const rest = cs.filter((c) => c !== first);
    await eventually(() => rest.filter((c) => c.isController()).length === 1, 3000, 'a new controller');
    const second = rest.find((c) => c.isController());
    expect(second?.nodeId).not.toBe(first.nodeId);
    for (const c of rest) await eventually(() => c.controllerId() === second?.nodeId, 2000, 'all agree on the new controller');
  });

  it('refuses a configured cluster id that differs from the stored one', async () => {
    const clusterName = uniqueCluster('id');
    await nodes.start({ clusterName, nodeId: 1, clusterId: 'firstClusterId' });
    const other = new EtcdCoordinator({ endpoints: etcd.endpoints, clusterName, nodeId: 2, clusterId: 'otherClusterId', logger: quietLogger });
    const error = await other.start().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CoordinatorError);
    expect(error).toMatchObject({ code: 'cluster-id-mismatch' });
    expect(() => new EtcdCoordinator({ endpoints: etcd.endpoints, clusterName: 'a/b', nodeId: 1 })).toThrow(RangeError);
    expect(() => new EtcdCoordinator({ endpoints: etcd.endpoints, clusterName: 'x', nodeId: 1, leaseTtlSeconds: 1 })).toThrow(RangeError);
  });

  it('stores one key per partition with a small JSON value, under /oxbow/{cluster}/', async () => {
    const clusterName = uniqueCluster('layout');
    const c = await nodes.start({ clusterName, nodeId: 1 });
    await c.registerBroker(broker(1));
    const topic = await c.createTopic({ name: 'layout.t', partitions: 2, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } });
    const raw = new Etcd3({ hosts: [...etcd.endpoints] });
    try {
      const all = await raw.getAll().prefix(`/oxbow/${clusterName}/`).strings();
      const keys = Object.keys(all).map((k) => k.slice(`/oxbow/${clusterName}/`.length)).filter((k) => !k.startsWith('election/'));
      expect(keys.sort()).toEqual(['brokers/1', 'cluster-id', 'topic-names/layout_t', 'topics/layout.t/meta', 'topics/layout.t/partitions/0', 'topics/layout.t/partitions/1']);
      expect(JSON.parse(all[`/oxbow/${clusterName}/topics/layout.t/meta`] ?? '')).toEqual({ topicId: topic.topicId, configs: { 'cleanup.policy': 'compact' } });
      expect(JSON.parse(all[`/oxbow/${clusterName}/topics/layout.t/partitions/1`] ?? '')).toEqual({ replicas: [1], leader: 1, leaderEpoch: 0, isr: [1] });
      expect(JSON.parse(all[`/oxbow/${clusterName}/brokers/1`] ?? '')).toEqual({ host: '127.0.0.1', port: 9101, rack: null });
    } finally {
      raw.close();
    }
  });
});
