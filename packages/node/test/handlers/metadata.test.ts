import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KafkaErrorCode, Metadata, type RequestInputOf } from '@oxbow/protocol';
import { createTopic, startTestBroker, type TestBroker } from '../test-broker.js';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const ILLEGAL_NAMES = ['bad name', 'a/b', '..', 'x'.repeat(250)];

const request = (names: string[] | null, allowAutoTopicCreation: boolean): RequestInputOf<typeof Metadata> => ({
  topics: names === null ? null : names.map((name) => ({ name, topicId: ZERO_UUID })),
  allowAutoTopicCreation,
  includeTopicAuthorizedOperations: false,
});

describe('Metadata with auto.create.topics.enable=true (the default)', () => {
  let b: TestBroker;

  beforeAll(async () => {
    b = await startTestBroker({ settings: { 'num.partitions': '3' } });
  });

  afterAll(async () => {
    await b.close();
  });

  it('creates an unknown topic when the client allows it, with num.partitions', async () => {
    const c = await b.client();
    const res = await c.send(Metadata, request(['auto-created'], true));
    const t = res.topics[0];
    expect(t).toMatchObject({ name: 'auto-created', errorCode: 0, isInternal: false });
    expect(t?.topicId).not.toBe(ZERO_UUID);
    expect(t?.partitions.map((p) => ({ partitionIndex: p.partitionIndex, leaderId: p.leaderId, replicaNodes: p.replicaNodes, isrNodes: p.isrNodes })).sort((x, y) => x.partitionIndex - y.partitionIndex)).toEqual(
      [0, 1, 2].map((partitionIndex) => ({ partitionIndex, leaderId: 0, replicaNodes: [0], isrNodes: [0] })),
    );
    // Asked again: the same topic, not a new one.
    const again = await c.send(Metadata, request(['auto-created'], true));
    expect(again.topics[0]?.topicId).toBe(t?.topicId);
  });

  it('does not create it when the client does not allow it (v4+)', async () => {
    const c = await b.client();
    const res = await c.send(Metadata, request(['not-wanted'], false));
    expect(res.topics[0]).toMatchObject({ name: 'not-wanted', errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] });
    const all = await c.send(Metadata, request(null, false));
    expect(all.topics.map((t) => t.name)).not.toContain('not-wanted');
  });

  it('creates topics for clients older than v4, which cannot say', async () => {
    const c = await b.client();
    const res = await c.send(Metadata, request(['legacy-auto'], true), 3);
    expect(res.topics[0]).toMatchObject({ name: 'legacy-auto', errorCode: 0 });
  });

  it.each(ILLEGAL_NAMES)('reports the illegal name %j with INVALID_TOPIC_EXCEPTION', async (name) => {
    const c = await b.client();
    for (const allow of [true, false]) {
      const res = await c.send(Metadata, request([name], allow));
      expect(res.topics[0]).toMatchObject({ name, errorCode: KafkaErrorCode.INVALID_TOPIC_EXCEPTION });
    }
  });

  it('lists every topic for a null topic list and describes topics by id (v10+)', async () => {
    const c = await b.client();
    await createTopic(c, 'listed', { partitions: 2 });
    const all = await c.send(Metadata, request(null, true));
    const listed = all.topics.find((t) => t.name === 'listed');
    expect(listed?.partitions.length).toBe(2);
    expect(all.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: b.port, rack: null }]);
    expect(all.controllerId).toBe(0);

    const byId = await c.send(Metadata, { topics: [{ name: null, topicId: listed?.topicId ?? ZERO_UUID }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, 12);
    expect(byId.topics[0]).toMatchObject({ name: 'listed', errorCode: 0, topicId: listed?.topicId });
    const unknownId = await c.send(Metadata, { topics: [{ name: null, topicId: '11111111-2222-3333-4444-555555555555' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false }, 12);
    expect(unknownId.topics[0]).toMatchObject({ errorCode: KafkaErrorCode.UNKNOWN_TOPIC_ID, name: null });
  });
});

describe('Metadata with auto.create.topics.enable=false', () => {
  let b: TestBroker | undefined;

  afterEach(async () => {
    await b?.close();
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION and creates nothing, even when the client allows it', async () => {
    b = await startTestBroker({ settings: { 'auto.create.topics.enable': 'false' } });
    const c = await b.client();
    for (const version of [3, 12]) {
      const res = await c.send(Metadata, request(['nope'], true), version);
      expect(res.topics[0]).toMatchObject({ name: 'nope', errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    }
    expect((await c.send(Metadata, request(null, true))).topics).toEqual([]);
  });

  it('still reports illegal names with INVALID_TOPIC_EXCEPTION', async () => {
    b = await startTestBroker({ settings: { 'auto.create.topics.enable': 'false' } });
    const c = await b.client();
    for (const name of ILLEGAL_NAMES) {
      const res = await c.send(Metadata, request([name], true));
      expect(res.topics[0]).toMatchObject({ name, errorCode: KafkaErrorCode.INVALID_TOPIC_EXCEPTION });
    }
  });
});
