import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CoordinatorError, EmbeddedCoordinator, type CoordinatorEvent, type EmbeddedCoordinatorOptions, type TopicRecord } from '../src/index.js';
import { describeCoordinator } from '../src/testing/index.js';

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'oxbow-coordinator-'));
const quiet = (): void => undefined;

describeCoordinator('embedded', async () => {
  const dataDir = await tempDir();
  const open = async (): Promise<EmbeddedCoordinator> => {
    const c = new EmbeddedCoordinator({ dataDir, nodeId: 1, onListenerError: quiet });
    await c.start();
    return c;
  };
  let current = await open();
  return {
    coordinator: current,
    restart: async () => {
      await current.close();
      current = await open();
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

describe('EmbeddedCoordinator', () => {
  const dirs: string[] = [];
  const open: EmbeddedCoordinator[] = [];

  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function fresh(options: Partial<EmbeddedCoordinatorOptions> = {}): Promise<{ c: EmbeddedCoordinator; dataDir: string }> {
    const dataDir = options.dataDir ?? (await tempDir());
    dirs.push(dataDir);
    const c = new EmbeddedCoordinator({ nodeId: 7, onListenerError: quiet, ...options, dataDir });
    open.push(c);
    await c.start();
    return { c, dataDir };
  }

  const brokers = async (c: EmbeddedCoordinator, count: number): Promise<void> => {
    for (let id = 1; id <= count; id++) await c.registerBroker({ nodeId: id, host: 'localhost', port: 9000 + id, rack: null });
  };

  const readState = async (c: EmbeddedCoordinator): Promise<{ version: number; clusterId: string; topics: TopicRecord[] }> =>
    JSON.parse(await readFile(c.statePath, 'utf8'));

  it('keeps state in {dataDir}/coordinator/state.json, valid JSON matching the view after every write', async () => {
    const { c, dataDir } = await fresh();
    expect(c.statePath).toBe(join(dataDir, 'coordinator', 'state.json'));
    const check = async (): Promise<void> => {
      const state = await readState(c);
      // nextProducerId appears once producer ids have been allocated (or any write since).
      const { nextProducerId, ...rest } = state as typeof state & { nextProducerId?: string };
      expect(rest).toEqual({ version: 1, clusterId: c.clusterId, topics: JSON.parse(JSON.stringify(c.topics())) });
      if (nextProducerId !== undefined) expect(nextProducerId).toMatch(/^\d+$/);
      expect(await readdir(join(dataDir, 'coordinator'))).toEqual(['state.json']);
    };
    await check();
    await brokers(c, 3);
    await check();
    await c.createTopic({ name: 'b', partitions: 3, replicationFactor: 2, configs: { x: 'y' } });
    await check();
    await c.createTopic({ name: 'a', partitions: 1, replicationFactor: 3, configs: {} });
    await check();
    await c.setTopicConfigs('b', { 'retention.ms': '1' });
    await check();
    await c.createPartitions('b', 6);
    await check();
    await c.updatePartition('a', 0, 0, { replicas: c.topic('a')?.partitions[0]?.replicas ?? [], leader: -1, leaderEpoch: 1, isr: [] });
    await check();
    await c.deleteTopic('b');
    await check();
    expect((await readState(c)).topics.map((t) => t.name)).toEqual(['a']);
    // Owner-only, since topic configs may carry credentials.
    expect((await stat(c.statePath)).mode & 0o777).toBe(0o600);
  });

  it('creates a missing data directory', async () => {
    const root = await tempDir();
    dirs.push(root);
    const { c } = await fresh({ dataDir: join(root, 'not', 'yet') });
    expect(JSON.parse(await readFile(c.statePath, 'utf8'))).toMatchObject({ version: 1, clusterId: c.clusterId, topics: [] });
  });

  it('generates a 22-character base64url cluster id once and keeps it', async () => {
    const { c, dataDir } = await fresh();
    expect(c.clusterId).toMatch(/^[A-Za-z0-9_]{22}$/);
    expect(Buffer.from(c.clusterId, 'base64url')).toHaveLength(16);
    const id = c.clusterId;
    await c.close();
    const { c: again } = await fresh({ dataDir });
    expect(again.clusterId).toBe(id);
    const { c: other } = await fresh();
    expect(other.clusterId).not.toBe(id);
  });

  it('uses a configured cluster id for a fresh data dir and refuses a data dir of another cluster', async () => {
    const { c, dataDir } = await fresh({ clusterId: 'MkU3OEVBNTcwNTJENDM2Qk' });
    expect(c.clusterId).toBe('MkU3OEVBNTcwNTJENDM2Qk');
    await c.close();
    const wrong = new EmbeddedCoordinator({ dataDir, nodeId: 7, clusterId: 'some-other-cluster' });
    const error = await wrong.start().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CoordinatorError);
    expect(error).toMatchObject({ code: 'cluster-id-mismatch' });
    expect(String(error)).toContain(c.statePath);
    expect(() => new EmbeddedCoordinator({ dataDir, nodeId: 7, clusterId: 'bad/id' })).toThrow(RangeError);
  });

  it('refuses a corrupt state file with an error naming the file, and starts once it is repaired', async () => {
    const { c, dataDir } = await fresh();
    await brokers(c, 1);
    await c.createTopic({ name: 't', partitions: 1, replicationFactor: 1, configs: {} });
    await c.close();
    const good = await readFile(c.statePath, 'utf8');
    const state = JSON.parse(good);
    const corruptions: [string, RegExp][] = [
      ['{"version": 1, "clusterId": "abc", "top', /not valid JSON/],
      ['', /not valid JSON/],
      ['[]', /top level/],
      [JSON.stringify({ ...state, version: 99 }), /version 99/],
      [JSON.stringify({ ...state, clusterId: 5 }), /clusterId/],
      [JSON.stringify({ ...state, topics: [{ ...state.topics[0], topicId: 'nope' }] }), /topicId/],
      [JSON.stringify({ ...state, topics: [state.topics[0], state.topics[0]] }), /twice/],
      [JSON.stringify({ ...state, topics: [{ ...state.topics[0], partitions: [{ partition: 0, replicas: [1], leader: 2, leaderEpoch: 0, isr: [1] }] }] }), /leader 2/],
      [JSON.stringify({ ...state, topics: [{ ...state.topics[0], configs: { a: 1 } }] }), /config a/],
    ];
    for (const [text, reason] of corruptions) {
      await writeFile(c.statePath, text);
      const broken = new EmbeddedCoordinator({ dataDir, nodeId: 7 });
      const error = await broken.start().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(CoordinatorError);
      expect(error).toMatchObject({ code: 'corrupt-state' });
      expect(String(error)).toContain(c.statePath);
      expect(String(error)).toMatch(reason);
    }
    const repaired = new EmbeddedCoordinator({ dataDir, nodeId: 7 });
    await expect(repaired.start()).rejects.toThrow(CoordinatorError);
    await writeFile(c.statePath, good);
    await repaired.start();
    open.push(repaired);
    expect(repaired.topic('t')?.topicId).toBe(state.topics[0].topicId);
  });

  it('fires events only once the state file holds the change', async () => {
    const { c } = await fresh();
    await brokers(c, 2);
    const observed: string[] = [];
    c.watch((event: CoordinatorEvent) => {
      if (event.type === 'brokers-changed') return;
      const onDisk = (JSON.parse(readFileSync(c.statePath, 'utf8')) as { topics: TopicRecord[] }).topics.find((t) => t.name === event.topic.name);
      if (event.type === 'topic-deleted') observed.push(`${event.type}:${onDisk === undefined}`);
      else observed.push(`${event.type}:${JSON.stringify(onDisk) === JSON.stringify(event.topic)}`);
    });
    await c.createTopic({ name: 'd', partitions: 2, replicationFactor: 2, configs: {} });
    await c.setTopicConfigs('d', { k: 'v' });
    await c.createPartitions('d', 4);
    await c.updatePartition('d', 0, 0, { replicas: c.topic('d')?.partitions[0]?.replicas ?? [], leader: -1, leaderEpoch: 1, isr: [] });
    await c.deleteTopic('d');
    expect(observed).toEqual(['topic-created:true', 'topic-changed:true', 'topic-changed:true', 'topic-changed:true', 'topic-deleted:true']);
  });

  it('leaves state and listeners untouched when the file cannot be written, and recovers', async () => {
    const { c } = await fresh();
    await brokers(c, 1);
    const events: CoordinatorEvent[] = [];
    c.watch((e) => events.push(e));
    // A directory where the temp file goes makes the write fail.
    await mkdir(`${c.statePath}.tmp`);
    const error = await c.createTopic({ name: 'lost', partitions: 1, replicationFactor: 1, configs: {} }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CoordinatorError);
    expect(error).toMatchObject({ code: 'io' });
    expect(String(error)).toContain(c.statePath);
    expect(c.topic('lost')).toBeUndefined();
    expect(events).toEqual([]);
    expect((await readState(c)).topics).toEqual([]);
    await rm(`${c.statePath}.tmp`, { recursive: true });
    await c.createTopic({ name: 'kept', partitions: 1, replicationFactor: 1, configs: {} });
    expect(events.map((e) => e.type)).toEqual(['topic-created']);
    expect((await readState(c)).topics.map((t) => t.name)).toEqual(['kept']);
  });

  it('removes a temp file left by an interrupted write and loads the last complete state', async () => {
    const { c, dataDir } = await fresh();
    await brokers(c, 1);
    await c.createTopic({ name: 'ok', partitions: 1, replicationFactor: 1, configs: {} });
    await c.close();
    await writeFile(`${c.statePath}.tmp`, '{"half": ');
    const { c: again } = await fresh({ dataDir });
    expect(again.topics().map((t) => t.name)).toEqual(['ok']);
    expect(await readdir(join(dataDir, 'coordinator'))).toEqual(['state.json']);
  });

  it('is its own controller, and enforces the lifecycle', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const c = new EmbeddedCoordinator({ dataDir, nodeId: 42 });
    expect(c.controllerId()).toBe(-1);
    expect(() => c.topics()).toThrow(/start\(\)/);
    expect(() => c.clusterId).toThrow(CoordinatorError);
    await expect(c.registerBroker({ nodeId: 42, host: 'h', port: 1, rack: null })).rejects.toMatchObject({ code: 'lifecycle' });
    await c.start();
    expect(c.controllerId()).toBe(42);
    await expect(c.start()).rejects.toMatchObject({ code: 'lifecycle' });
    await c.close();
    expect(c.controllerId()).toBe(-1);
    await expect(c.createTopic({ name: 'x', partitions: 1, replicationFactor: 1, configs: {} })).rejects.toMatchObject({ code: 'lifecycle' });
    expect(() => new EmbeddedCoordinator({ dataDir, nodeId: -1 })).toThrow(RangeError);
  });

  it('reports listener errors to onListenerError and keeps going', async () => {
    const reported: [unknown, string][] = [];
    const { c } = await fresh({ onListenerError: (error, event) => reported.push([error, event.type]) });
    const boom = new Error('boom');
    c.watch(() => {
      throw boom;
    });
    await brokers(c, 1);
    await c.createTopic({ name: 'x', partitions: 1, replicationFactor: 1, configs: {} });
    expect(reported).toEqual([
      [boom, 'brokers-changed'],
      [boom, 'topic-created'],
    ]);
  });

  it('hands out frozen records and emits nothing for an identical re-registration', async () => {
    const { c } = await fresh();
    await brokers(c, 1);
    const events: CoordinatorEvent[] = [];
    c.watch((e) => events.push(e));
    await c.registerBroker({ nodeId: 1, host: 'localhost', port: 9001, rack: null });
    expect(events).toEqual([]);
    const t = await c.createTopic({ name: 'f', partitions: 1, replicationFactor: 1, configs: { a: 'b' } });
    expect(Object.isFrozen(t) && Object.isFrozen(t.configs) && Object.isFrozen(t.partitions)).toBe(true);
    expect(Object.isFrozen(t.partitions[0]) && Object.isFrozen(t.partitions[0]?.isr)).toBe(true);
    expect(Object.isFrozen(c.topics()) && Object.isFrozen(c.brokers()) && Object.isFrozen(c.brokers()[0])).toBe(true);
    await expect(c.registerBroker({ nodeId: 2, host: '', port: 1, rack: null })).rejects.toThrow(RangeError);
  });
});
