/** ClusterController: three EtcdCoordinators (nodes 1-3) in one process against real etcd, TTL 2 s. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterController, changeIsr, electLeader, expandIsr, shrinkIsr, type EtcdCoordinator, type TopicRecord } from '../../src/index.js';
import { startEtcd, type EtcdServer } from '../../src/testing/index.js';
import { Coordinators, eventually, quietLogger, uniqueCluster } from './helpers.js';

let etcd: EtcdServer;
let nodes: Coordinators;
const controllers: ClusterController[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  nodes = new Coordinators(etcd.endpoints);
});
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop();
  await nodes.closeAll();
});
afterAll(async () => etcd?.stop());

const TTL_MS = 2000;

interface Node {
  readonly coordinator: EtcdCoordinator;
  readonly controller: ClusterController;
}

async function startNode(clusterName: string, nodeId: number): Promise<Node> {
  const coordinator = await nodes.start({ clusterName, nodeId });
  await coordinator.registerBroker({ nodeId, host: '127.0.0.1', port: 9100 + nodeId, rack: null });
  const controller = new ClusterController(coordinator, { logger: quietLogger, retryDelayMs: 200 });
  controllers.push(controller);
  controller.start();
  return { coordinator, controller };
}

async function cluster(label: string): Promise<Node[]> {
  const clusterName = uniqueCluster(label);
  const all = [await startNode(clusterName, 1), await startNode(clusterName, 2), await startNode(clusterName, 3)];
  for (const n of all) await eventually(() => n.coordinator.brokers().length === 3, 2000, 'all brokers registered');
  await eventually(() => all.filter((n) => n.controller.active).length === 1, 4000, 'one active controller');
  return all;
}

/** Simulates a crash: no lease revoke, no resign; registrations and the campaign expire by TTL. */
async function crash(node: Node): Promise<void> {
  await node.controller.stop();
  await node.coordinator.close({ revokeLease: false });
}

function ledBy(topic: TopicRecord | undefined, nodeId: number): number[] {
  return (topic?.partitions ?? []).filter((p) => p.leader === nodeId).map((p) => p.partition);
}

describe('ClusterController', () => {
  it('moves the partitions of a crashed broker to in-sync replicas with higher epochs within TTL + 2 s', async () => {
    const all = await cluster('failover');
    const controllerNode = all.find((n) => n.controller.active);
    const victim = all.find((n) => n !== controllerNode);
    if (controllerNode === undefined || victim === undefined) throw new Error('setup');
    const before = await controllerNode.coordinator.createTopic({ name: 'orders', partitions: 6, replicationFactor: 3, configs: {} });
    const moved = ledBy(before, victim.coordinator.nodeId);
    expect(moved.length).toBeGreaterThan(0);

    await crash(victim);
    const c = controllerNode.coordinator;
    const tookMs = await eventually(() => ledBy(c.topic('orders'), victim.coordinator.nodeId).length === 0, TTL_MS + 2000, 'new leaders');
    const after = c.topic('orders');
    for (const p of moved) {
      const was = before.partitions[p];
      const now = after?.partitions[p];
      expect(now?.leader).not.toBe(-1);
      expect(was?.isr).toContain(now?.leader);
      expect(now?.leaderEpoch).toBe((was?.leaderEpoch ?? 0) + 1);
      expect(now?.isr).not.toContain(victim.coordinator.nodeId);
    }
    // Partitions led by live brokers were left alone.
    for (const p of before.partitions.filter((q) => !moved.includes(q.partition))) expect(after?.partitions[p.partition]).toEqual(p);
    expect(tookMs).toBeLessThan(TTL_MS + 2000);
  });

  it('keeps working when the controller itself crashes: another node takes over and re-elects its partitions', async () => {
    const all = await cluster('controller-crash');
    const first = all.find((n) => n.controller.active);
    if (first === undefined) throw new Error('setup');
    const before = await first.coordinator.createTopic({ name: 'events', partitions: 6, replicationFactor: 2, configs: {} });
    const moved = ledBy(before, first.coordinator.nodeId);
    expect(moved.length).toBeGreaterThan(0);
    const rest = all.filter((n) => n !== first);

    await crash(first);
    await eventually(() => rest.filter((n) => n.controller.active).length === 1, TTL_MS * 2 + 2000, 'a new controller');
    const observer = rest[0]?.coordinator;
    await eventually(() => ledBy(observer?.topic('events'), first.coordinator.nodeId).length === 0, TTL_MS + 3000, 're-elected');
    for (const p of moved) {
      const now = observer?.topic('events')?.partitions[p];
      expect(now?.leaderEpoch).toBe((before.partitions[p]?.leaderEpoch ?? 0) + 1);
      expect(now?.leader === -1 || before.partitions[p]?.isr.includes(now?.leader ?? -2)).toBe(true);
    }
  });

  it('takes a partition offline when no in-sync replica is left, and elects its ISR member when it returns', async () => {
    const all = await cluster('offline');
    const controllerNode = all.find((n) => n.controller.active);
    const victim = all.find((n) => n !== controllerNode);
    if (controllerNode === undefined || victim === undefined) throw new Error('setup');
    const c = controllerNode.coordinator;
    const id = victim.coordinator.nodeId;
    await c.createTopic({ name: 'solo', partitions: 1, replicationFactor: 1, configs: {}, assignments: [[id]] });

    await crash(victim);
    await eventually(() => c.topic('solo')?.partitions[0]?.leader === -1, TTL_MS + 2000, 'offline');
    expect(c.topic('solo')?.partitions[0]).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [id] });

    // The broker comes back (a new process, a new session).
    const back = await nodes.start({ clusterName: c.keyPrefix.split('/')[2] ?? '', nodeId: id });
    await back.registerBroker({ nodeId: id, host: '127.0.0.1', port: 9100 + id, rack: null });
    await eventually(() => c.topic('solo')?.partitions[0]?.leader === id, 3000, 'elected again');
    expect(c.topic('solo')?.partitions[0]).toMatchObject({ leader: id, leaderEpoch: 2, isr: [id] });
  });

  it('lets the partition leader shrink and expand its ISR within its epoch, and refuses a fenced leader', async () => {
    const all = await cluster('isr');
    const c = all[0]?.coordinator;
    if (c === undefined) throw new Error('setup');
    await c.createTopic({ name: 'isr', partitions: 1, replicationFactor: 3, configs: {}, assignments: [[1, 2, 3]] });
    expect(await shrinkIsr(c, 'isr', 0, 1, 0, [3])).toMatchObject({ leader: 1, leaderEpoch: 0, isr: [1, 2] });
    expect(await expandIsr(c, 'isr', 0, 1, 0, [3])).toMatchObject({ isr: [1, 2, 3] });
    expect(await changeIsr(c, { topic: 'isr', partition: 0, leaderId: 2, leaderEpoch: 0, isr: [2] })).toBeNull();
    expect(await c.updatePartition('isr', 0, 0, { replicas: [1, 2, 3], leader: 2, leaderEpoch: 1, isr: [2, 3] })).not.toBeNull();
    expect(await shrinkIsr(c, 'isr', 0, 1, 0, [3])).toBeNull();
    expect(c.topic('isr')?.partitions[0]?.isr).toEqual([2, 3]);
    await expect(changeIsr(c, { topic: 'isr', partition: 0, leaderId: 2, leaderEpoch: 1, isr: [3] })).rejects.toMatchObject({ errorName: 'INVALID_REQUEST' });
  });
});

describe('electLeader', () => {
  const p = { partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 4, isr: [1, 3] };
  it('leaves a partition with a live leader alone', () => {
    expect(electLeader(p, new Set([1, 2, 3]))).toBeUndefined();
  });
  it('elects the first live ISR member in replica order, bumping the epoch and dropping dead ISR members', () => {
    expect(electLeader(p, new Set([2, 3]))).toEqual({ replicas: [1, 2, 3], leader: 3, leaderEpoch: 5, isr: [3] });
    expect(electLeader({ ...p, isr: [1, 3, 2] }, new Set([2, 3]))).toEqual({ replicas: [1, 2, 3], leader: 2, leaderEpoch: 5, isr: [3, 2] });
  });
  it('goes offline without a live ISR member unless unclean election is on', () => {
    expect(electLeader(p, new Set([2]))).toEqual({ replicas: [1, 2, 3], leader: -1, leaderEpoch: 5, isr: [1, 3] });
    expect(electLeader(p, new Set([2]), true)).toEqual({ replicas: [1, 2, 3], leader: 2, leaderEpoch: 5, isr: [2] });
    expect(electLeader({ ...p, leader: -1 }, new Set([2]))).toBeUndefined();
    expect(electLeader({ ...p, leader: -1 }, new Set([3]))).toEqual({ replicas: [1, 2, 3], leader: 3, leaderEpoch: 5, isr: [3] });
  });
});
