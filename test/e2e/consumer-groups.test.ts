/**
 * Consumer groups (classic protocol) with real clients against one broker process: kafkajs's
 * consumer-group API and librdkafka (python3-confluent-kafka) subscribe(). Short session timeouts
 * (6 s) and no initial rebalance delay keep the suite bounded.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import kafkajs, { type Admin, type Consumer, type Kafka as KafkaClient, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../support/broker-process.js';
import { SYSTEM_PYTHON } from '../support/client-process.js';

const { Kafka, logLevel, Partitioners } = kafkajs;

const PARTITIONS = 8;
const SESSION_MS = 6000;
const CLIENTS_DIR = fileURLToPath(new URL('./clients/', import.meta.url));

let broker: BrokerProcess;
let kafka: KafkaClient;
let admin: Admin;
let producer: Producer;

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function produce(topic: string, from: number, count: number): Promise<void> {
  const messages = Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` }));
  await producer.send({ topic, messages });
}

/** Partitions assigned to each member: no partition twice, all covered. */
function expectSplit(assignments: readonly (readonly number[])[]): void {
  const all = assignments.flat().sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: PARTITIONS }, (_, i) => i));
  for (const a of assignments) expect(a.length).toBeGreaterThan(0);
}

interface KjsMember {
  readonly consumer: Consumer;
  assignment: number[];
  joins: number;
  readonly seen: string[];
}

async function kjsMember(group: string, topic: string, autoCommit = true): Promise<KjsMember> {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: SESSION_MS, heartbeatInterval: 500, rebalanceTimeout: 10_000, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  const member: KjsMember = { consumer, assignment: [], joins: 0, seen: [] };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    member.assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    member.joins++;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit,
    autoCommitInterval: 100,
    eachMessage: async ({ message }) => {
      member.seen.push(message.key?.toString() ?? '');
      await Promise.resolve();
    },
  });
  return member;
}

/** Waits until the members' latest assignments split the topic exactly. */
async function settledSplit(members: readonly { assignment: readonly number[] }[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    'a clean split',
    () => {
      const all = members.flatMap((m) => m.assignment);
      return all.length === PARTITIONS && new Set(all).size === PARTITIONS && members.every((m) => m.assignment.length > 0);
    },
    timeoutMs,
  );
  expectSplit(members.map((m) => m.assignment));
}

interface PyMember {
  readonly child: ChildProcessWithoutNullStreams;
  readonly events: Record<string, unknown>[];
  /** The latest assignment (librdkafka's eager protocol: revoke then assign). */
  assignment: number[];
  assigns: number;
  readonly exited: Promise<void>;
  stderr: string;
}

function pyMember(group: string, topic: string, instanceId?: string): PyMember {
  const args = [`${CLIENTS_DIR}rdkafka_group_consume.py`, broker.bootstrap, group, topic, ...(instanceId === undefined ? [] : [instanceId])];
  const child = spawn(SYSTEM_PYTHON, args, { cwd: CLIENTS_DIR, stdio: ['pipe', 'pipe', 'pipe'] });
  const member: PyMember = { child, events: [], assignment: [], assigns: 0, exited: new Promise((r) => child.once('exit', () => r())), stderr: '' };
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString('utf8');
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const event = JSON.parse(line) as Record<string, unknown>;
      member.events.push(event);
      if (event.event === 'assigned') {
        member.assignment = event.partitions as number[];
        member.assigns++;
      }
      if (event.event === 'revoked') member.assignment = [];
    }
  });
  child.stderr.on('data', (d: Buffer) => (member.stderr += d.toString('utf8')));
  return member;
}

async function closePy(m: PyMember): Promise<void> {
  m.child.stdin.end();
  await m.exited;
}

const records = (m: PyMember): { partition: number; offset: number; key: string }[] =>
  m.events.filter((e) => e.event === 'record') as unknown as { partition: number; offset: number; key: string }[];

beforeAll(async () => {
  broker = await startBroker({
    settings: { 'group.min.session.timeout.ms': '1000', 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '10' },
  });
  kafka = new Kafka({ clientId: 'oxbow-groups', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.cleanup();
});

describe('consumer groups with kafkajs', () => {
  it('splits 8 partitions over two then three consumers, rebalances when one leaves, resumes from committed offsets', async () => {
    const topic = 'cg-kjs';
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    await produce(topic, 0, 400);
    const a = await kjsMember('kjs-group', topic);
    const b = await kjsMember('kjs-group', topic);
    await settledSplit([a, b]);
    const c = await kjsMember('kjs-group', topic);
    await settledSplit([a, b, c]);
    const described = await admin.describeGroups(['kjs-group']);
    expect(described.groups[0]?.state).toBe('Stable');
    expect(described.groups[0]?.members).toHaveLength(3);
    await waitFor('all 400 records', () => a.seen.length + b.seen.length + c.seen.length >= 400);
    await c.consumer.disconnect();
    await settledSplit([a, b]);
    await produce(topic, 400, 200);
    await waitFor('600 records', () => a.seen.length + b.seen.length + c.seen.length >= 600);
    await a.consumer.disconnect();
    await b.consumer.disconnect();
    const seen = [...a.seen, ...b.seen, ...c.seen];
    expect(new Set(seen).size).toBe(600);
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-group', topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    for (const p of offsets[0]?.partitions ?? []) expect(p.offset).toBe(ends.find((e) => e.partition === p.partition)?.offset);
    // A restarted consumer resumes after the committed offsets: only the new records, once each.
    await produce(topic, 600, 100);
    const d = await kjsMember('kjs-group', topic);
    await waitFor('100 new records', () => d.seen.length >= 100);
    await new Promise((r) => setTimeout(r, 500));
    expect([...d.seen].sort()).toEqual(Array.from({ length: 100 }, (_, i) => `k${600 + i}`).sort());
    await d.consumer.disconnect();
    const listed = await admin.listGroups();
    expect(listed.groups.map((g) => g.groupId)).toContain('kjs-group');
  });
});

describe('consumer groups with librdkafka', () => {
  it('splits partitions, expires a killed consumer within the session timeout and reassigns its partitions', async () => {
    const topic = 'cg-rdk';
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    await produce(topic, 0, 200);
    const a = pyMember('rdk-group', topic);
    const b = pyMember('rdk-group', topic);
    try {
      await settledSplit([a, b]);
      const c = pyMember('rdk-group', topic);
      await settledSplit([a, b, c]);
      c.child.kill('SIGKILL');
      await c.exited;
      const killedAt = Date.now();
      await settledSplit([a, b], SESSION_MS + 15_000);
      expect(Date.now() - killedAt).toBeLessThan(SESSION_MS + 12_000);
      await waitFor('200 records', () => new Set([...records(a), ...records(b), ...records(c)].map((r) => r.key)).size >= 200);
      // A clean close leaves the group: the survivor takes every partition.
      await closePy(b);
      await waitFor('one consumer with all partitions', () => a.assignment.length === PARTITIONS, 20_000);
      await produce(topic, 200, 100);
      await waitFor('300 records', () => new Set([...records(a), ...records(b), ...records(c)].map((r) => r.key)).size >= 300);
      await closePy(a);
      // Restart: a new consumer in the group resumes from the committed offsets (no loss, no duplicates).
      await produce(topic, 300, 50);
      const d = pyMember('rdk-group', topic);
      await waitFor('50 new records', () => records(d).length >= 50);
      await new Promise((r) => setTimeout(r, 500));
      expect(records(d).map((r) => r.key).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `k${300 + i}`).sort());
      await closePy(d);
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
    }
  });

  it('lets a static member (group.instance.id) rejoin without a rebalance', async () => {
    const topic = 'cg-static';
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    const a = pyMember('static-group', topic, 'instance-a');
    let b = pyMember('static-group', topic, 'instance-b');
    try {
      await settledSplit([a, b]);
      const before = { a: a.assigns, assignment: b.assignment };
      const generation = (await admin.describeGroups(['static-group'])).groups[0];
      // A static member's close sends no LeaveGroup; it comes back with the same instance id.
      b.child.kill('SIGKILL');
      await b.exited;
      b = pyMember('static-group', topic, 'instance-b');
      await waitFor('the static member back', () => b.assigns > 0, 15_000);
      expect(b.assignment).toEqual(before.assignment);
      await new Promise((r) => setTimeout(r, 1500));
      expect(a.assigns).toBe(before.a);
      const after = (await admin.describeGroups(['static-group'])).groups[0];
      expect(after?.members).toHaveLength(2);
      expect(after?.state).toBe('Stable');
      expect(generation?.state).toBe('Stable');
      await closePy(a);
      await closePy(b);
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
    }
  });
});

describe('consumer groups across a broker restart', () => {
  it('re-forms the group and keeps committed offsets', async () => {
    const topic = 'cg-restart';
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    await produce(topic, 0, 300);
    const a = await kjsMember('restart-group', topic);
    const b = await kjsMember('restart-group', topic);
    await settledSplit([a, b]);
    await waitFor('300 records', () => new Set([...a.seen, ...b.seen]).size >= 300);
    await new Promise((r) => setTimeout(r, 500));
    const committed = await admin.fetchOffsets({ groupId: 'restart-group', topics: [topic] });
    await broker.stop();
    broker = await broker.restart();
    const afterRestart = await admin.fetchOffsets({ groupId: 'restart-group', topics: [topic] });
    expect(afterRestart).toEqual(committed);
    await produce(topic, 300, 100);
    await waitFor('all 400 records after the restart', () => new Set([...a.seen, ...b.seen]).size >= 400, 40_000);
    await settledSplit([a, b]);
    await a.consumer.disconnect();
    await b.consumer.disconnect();
    const seen = [...a.seen, ...b.seen];
    expect(new Set(seen).size).toBe(400);
  });
});
