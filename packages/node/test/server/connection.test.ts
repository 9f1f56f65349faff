import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiVersions,
  decodeRecordBatch,
  decodeResponseFrame,
  encodeRequestFrame,
  Fetch,
  KafkaErrorCode,
  ListOffsets,
  Metadata,
  Produce,
  scanBatches,
  type RequestInputOf,
} from '@oxbow/protocol';
import { advertisedVersions } from '../../src/handlers/api-versions.js';
import { createHandlers } from '../../src/handlers/registry.js';
import { createTopic, produce, produceBody, PRODUCE_VERSION, recordBatch, startTestBroker, type TestBroker, type TestRawConnection } from '../test-broker.js';

const FETCH_VERSION = 12; // flexible, topics by name
const METADATA_VERSION = 12;

function fetchBody(topic: string, offset: bigint, options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number } = {}): RequestInputOf<typeof Fetch> {
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: options.maxBytes ?? 50 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: options.partitionMaxBytes ?? 10 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

const metadataBody = (topics: string[] | null = null): RequestInputOf<typeof Metadata> => ({
  topics: topics === null ? null : topics.map((name) => ({ name, topicId: '00000000-0000-0000-0000-000000000000' })),
  allowAutoTopicCreation: false,
  includeTopicAuthorizedOperations: false,
});

/** A request frame with a hand-written header (for API keys and versions our codec cannot encode). */
function handMadeFrame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const clientId = Buffer.from('raw');
  const frame = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length + body.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt16BE(apiKey, 4);
  frame.writeInt16BE(apiVersion, 6);
  frame.writeInt32BE(correlationId, 8);
  frame.writeInt16BE(clientId.length, 12);
  clientId.copy(frame, 14);
  body.copy(frame, 14 + clientId.length);
  return frame;
}

/** Requests handled so far, per API, from the broker's Prometheus endpoint. */
async function handledRequests(b: TestBroker, api: string): Promise<number> {
  const { host, port } = b.broker.adminAddress();
  const text = await (await fetch(`http://${host}:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('oxbow_kafka_requests') && l.includes(`api="${api}"`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** A connection that works: Metadata answers with this broker. */
async function expectServing(b: TestBroker): Promise<void> {
  const c = await b.client();
  const md = await c.send(Metadata, metadataBody());
  expect(md.brokers.map((x) => x.port)).toEqual([b.port]);
}

describe('Connection', () => {
  let b: TestBroker;

  beforeAll(async () => {
    b = await startTestBroker({ settings: { 'socket.request.max.bytes': String(1 << 20) } });
    const c = await b.client();
    await createTopic(c, 'empty');
    await createTopic(c, 'pipelined');
    await createTopic(c, 'fire-and-forget');
    await createTopic(c, 'split-frames');
  });

  afterAll(async () => {
    await b.close();
  });

  it('writes responses in request order even when a later request finishes first', async () => {
    const raw = await b.raw();
    const started = Date.now();
    const fetchId = raw.send(Fetch, FETCH_VERSION, fetchBody('empty', 0n, { maxWaitMs: 500, minBytes: 1 }));
    const metadataId = raw.send(Metadata, METADATA_VERSION, metadataBody(['empty']));
    const first = await raw.next(Fetch, FETCH_VERSION);
    const waited = Date.now() - started;
    const second = await raw.next(Metadata, METADATA_VERSION);
    expect(first.correlationId).toBe(fetchId);
    // The fetch really long-polled: the metadata answer, ready at once, was held back behind it.
    expect(waited).toBeGreaterThanOrEqual(400);
    expect(second.correlationId).toBe(metadataId);
    expect(second.body.topics[0]?.name).toBe('empty');
  });

  it('gives pipelined produce requests to one partition increasing offsets in send order', async () => {
    const raw = await b.raw();
    const batches = await Promise.all(Array.from({ length: 30 }, (_, i) => recordBatch(i % 3 + 1, { tag: `req${i}` })));
    const ids = batches.map((records) => raw.send(Produce, PRODUCE_VERSION, produceBody('pipelined', 0, records, 1)));
    const offsets: bigint[] = [];
    for (const id of ids) {
      const r = await raw.next(Produce, PRODUCE_VERSION);
      expect(r.correlationId).toBe(id);
      const p = r.body.responses[0]?.partitionResponses[0];
      expect(p?.errorCode).toBe(0);
      offsets.push(p?.baseOffset ?? -1n);
    }
    let expected = 0n;
    for (const [i, offset] of offsets.entries()) {
      expect(offset).toBe(expected);
      expected += BigInt(i % 3 + 1);
    }
    // And the log holds them in send order.
    const c = await b.client();
    const fetched = await c.send(Fetch, fetchBody('pipelined', 0n), FETCH_VERSION);
    const tags: string[] = [];
    for (const batch of scanBatches(fetched.responses[0]?.partitions[0]?.records ?? Buffer.alloc(0))) {
      tags.push(((await decodeRecordBatch(batch)).records[0]?.value ?? Buffer.alloc(0)).toString().split('-')[0] ?? '');
    }
    expect(tags).toEqual(ids.map((_, i) => `req${i}`));
  });

  it('stores produce frames that span socket reads byte for byte while their buffers are reused', async () => {
    const raw = await b.raw();
    // Different sizes and contents, so a buffer handed to the next frame too early shows up below.
    const batches = await Promise.all(Array.from({ length: 24 }, (_, i) => recordBatch(1 + (i % 4), { valueBytes: 1_000 + 997 * (i % 7), tag: `f${i}` })));
    const frames = batches.map((records, i) => Buffer.concat(encodeRequestFrame(Produce, { apiVersion: PRODUCE_VERSION, correlationId: i, clientId: 'split' }, produceBody('split-frames', 0, records, 1))));
    const stream = Buffer.concat(frames);
    for (let at = 0; at < stream.length; at += 8_191) {
      raw.write(stream.subarray(at, at + 8_191));
      await new Promise((r) => setImmediate(r)); // separate socket reads on the broker's side
    }
    for (let i = 0; i < frames.length; i++) {
      const r = await raw.next(Produce, PRODUCE_VERSION);
      expect(r.correlationId).toBe(i);
      expect(r.body.responses[0]?.partitionResponses[0]?.errorCode).toBe(0);
    }
    const c = await b.client();
    const fetched = await c.send(Fetch, fetchBody('split-frames', 0n), FETCH_VERSION);
    const stored = [...scanBatches(fetched.responses[0]?.partitions[0]?.records ?? Buffer.alloc(0))];
    expect(stored).toHaveLength(batches.length);
    for (const [i, batch] of stored.entries()) {
      const sent = await decodeRecordBatch(batches[i] ?? Buffer.alloc(0));
      const got = await decodeRecordBatch(batch);
      expect(got.records.map((x) => x.value)).toEqual(sent.records.map((x) => x.value));
    }
  }, 20_000);

  it('serves Fetch responses byte for byte while storage reuses read buffers, also while a response waits to be written', async () => {
    const c = await b.client();
    await createTopic(c, 'recycled');
    // ~70 kB batches with distinct contents: every read is large enough to come from the pool.
    const batches = await Promise.all(Array.from({ length: 12 }, (_, i) => recordBatch(1, { valueBytes: 70_000 + 1_009 * i, tag: `r${i}` })));
    for (const records of batches) await produce(c, 'recycled', 0, records);
    // The batches as stored (the broker sets offsets and the leader epoch), read once up front.
    const whole = (await c.send(Fetch, fetchBody('recycled', 0n), FETCH_VERSION)).responses[0]?.partitions[0]?.records ?? Buffer.alloc(0);
    const stored: Buffer[] = [];
    for (let pos = 0; pos < whole.length; pos += 12 + whole.readInt32BE(pos + 8)) stored.push(Buffer.from(whole.subarray(pos, pos + 12 + whole.readInt32BE(pos + 8))));
    expect(stored).toHaveLength(batches.length);
    const ask = (i: number): { offset: number; maxBytes: number } => ({ offset: (i * 5) % 12, maxBytes: (1 + (i % 12)) * 82_000 });
    /** Whole stored batches from `offset` within `maxBytes`, the first always. */
    const expected = (a: { offset: number; maxBytes: number }): Buffer => {
      const want = [stored[a.offset] as Buffer];
      let size = want[0]?.length ?? 0;
      for (let o = a.offset + 1; o < stored.length && size + (stored[o]?.length ?? 0) <= a.maxBytes; o++) {
        want.push(stored[o] as Buffer);
        size += stored[o]?.length ?? 0;
      }
      return Buffer.concat(want);
    };
    const fetchAll = async (raw: TestRawConnection, asks: readonly { offset: number; maxBytes: number }[], whileWaiting: () => Promise<void> = () => Promise.resolve()): Promise<void> => {
      const ids = asks.map((a) => raw.send(Fetch, FETCH_VERSION, fetchBody('recycled', BigInt(a.offset), { partitionMaxBytes: a.maxBytes })));
      await whileWaiting();
      for (const [i, a] of asks.entries()) {
        const r = await raw.next(Fetch, FETCH_VERSION);
        expect(r.correlationId).toBe(ids[i]);
        expect((r.body.responses[0]?.partitions[0]?.records ?? Buffer.alloc(0)).equals(expected(a))).toBe(true);
      }
    };
    // A client that reads nothing for a while: tens of MB of its responses wait in the broker while
    // another client's fetches read into pooled memory; bytes given back before they were written
    // would show up in the first client's responses.
    const slow = await b.raw();
    const busy = await b.raw();
    slow.socket.pause();
    await fetchAll(slow, Array.from({ length: 40 }, (_, i) => ({ offset: i % 3, maxBytes: 12 * 82_000 })), async () => {
      await new Promise((r) => setTimeout(r, 300));
      await fetchAll(busy, Array.from({ length: 60 }, (_, i) => ask(i)));
      slow.socket.resume();
    });
  }, 30_000);

  it('sends no response to acks=0 produce: the next response is the next request\'s', async () => {
    const raw = await b.raw();
    raw.send(Produce, PRODUCE_VERSION, produceBody('fire-and-forget', 0, await recordBatch(2), 0));
    const metadataId = raw.send(Metadata, METADATA_VERSION, metadataBody(['fire-and-forget']));
    const next = await raw.next(Metadata, METADATA_VERSION);
    expect(next.correlationId).toBe(metadataId);
    const listId = raw.send(ListOffsets, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'fire-and-forget', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }] });
    const listed = await raw.next(ListOffsets, 7);
    expect(listed.correlationId).toBe(listId);
    expect(listed.body.topics[0]?.partitions[0]?.offset).toBe(2n);
  });

  it('closes the connection when an acks=0 produce fails, without a response', async () => {
    for (const [topic, partition, records] of [
      ['fire-and-forget', 7, await recordBatch(1)], // no such partition
      ['fire-and-forget', 0, null], // no records
    ] as const) {
      const raw = await b.raw();
      raw.send(Produce, PRODUCE_VERSION, produceBody(topic, partition, records, 0));
      expect(await raw.nextFrame()).toBeNull();
      expect(raw.closed).toBe(true);
    }
    await expectServing(b);
  });

  describe('malformed input closes that connection only', () => {
    const cases: [string, () => Buffer][] = [
      // A valid Metadata v9 header followed by bytes that are not a Metadata request.
      ['a garbage body', () => handMadeFrame(Metadata.apiKey, 9, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f, 0x01]))],
      ['garbage instead of a header', () => Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from([1, 2, 3])])],
      ['a negative frame size', () => Buffer.from([0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0])],
      ['a frame over socket.request.max.bytes', () => {
        const prefix = Buffer.alloc(4);
        prefix.writeInt32BE((1 << 20) + 1, 0);
        return prefix; // the announced size alone must be enough: the body is never sent
      }],
      ['an unknown API key', () => handMadeFrame(32_000, 0, 1)],
    ];

    it.each(cases)('%s', async (_name, bytes) => {
      const bystander = await b.raw();
      const bad = await b.raw();
      bad.write(bytes());
      expect(await bad.waitClosed()).toBe(true);
      // The other connection, open all along, still works, and so do new ones.
      const id = bystander.send(Metadata, METADATA_VERSION, metadataBody());
      expect((await bystander.next(Metadata, METADATA_VERSION)).correlationId).toBe(id);
      await expectServing(b);
    });

    it('a version no handler serves (Produce v2)', async () => {
      const bad = await b.raw();
      bad.send(Produce, 2, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'pipelined', partitionData: [{ index: 0, records: null }] }] });
      expect(await bad.nextFrame()).toBeNull();
      await expectServing(b);
    });

    it('a version below a handler\'s range (Fetch v3)', async () => {
      const bad = await b.raw();
      bad.send(Fetch, 3, fetchBody('empty', 0n));
      expect(await bad.nextFrame()).toBeNull();
      await expectServing(b);
    });
  });

  it('answers ApiVersions at an unknown version with a v0 response: UNSUPPORTED_VERSION and the API list', async () => {
    const raw = await b.raw();
    raw.write(handMadeFrame(ApiVersions.apiKey, 99, 4242, Buffer.from([0, 0, 0])));
    const frame = await raw.nextFrame();
    if (frame === null) throw new Error('connection closed instead of answering');
    const { correlationId, body } = decodeResponseFrame(frame, ApiVersions, 0);
    expect(correlationId).toBe(4242);
    expect(body.errorCode).toBe(KafkaErrorCode.UNSUPPORTED_VERSION);
    expect(body.apiKeys).toEqual(advertisedVersions(createHandlers()));
    expect(body.apiKeys.find((k) => k.apiKey === ApiVersions.apiKey)).toMatchObject({ minVersion: 0, maxVersion: 4 });
    // The connection stays usable: the client retries at a version we serve.
    const id = raw.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1.0' });
    const retry = await raw.next(ApiVersions, 3);
    expect(retry.correlationId).toBe(id);
    expect(retry.body.errorCode).toBe(0);
  });
});

describe('Connection back-pressure', () => {
  let b: TestBroker;

  beforeAll(async () => {
    b = await startTestBroker({ settings: { 'queued.max.request.bytes': '1000' } });
    const c = await b.client();
    await createTopic(c, 'big');
    await produce(c, 'big', 0, await recordBatch(1, { valueBytes: 900_000 }));
  });

  afterAll(async () => {
    await b.close();
  });

  it('stops reading from a client that does not read its responses instead of buffering them without bound', async () => {
    const raw = await b.raw();
    raw.socket.pause(); // never reads
    const requests = 200;
    const ids: number[] = [];
    // Every request asks for the same ~900 KB: answering them all would buffer ~180 MB.
    for (let i = 0; i < requests; i++) ids.push(raw.send(Fetch, FETCH_VERSION, fetchBody('big', 0n, { maxWaitMs: 0 })));
    const rssBefore = process.memoryUsage().rss;

    // Give the broker time to do everything it is going to do.
    let handled = -1;
    for (let stable = 0; stable < 5; ) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await handledRequests(b, 'Fetch');
      stable = now === handled ? stable + 1 : 0;
      handled = now;
    }
    // Loopback socket buffers take a few MB of responses; the broker must stop well short of all.
    expect(handled).toBeGreaterThan(0);
    expect(handled).toBeLessThan(requests / 4);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 << 20);

    // Once the client reads, every response arrives, in order.
    raw.socket.resume();
    for (const id of ids) {
      const r = await raw.next(Fetch, FETCH_VERSION, 20_000);
      expect(r.correlationId).toBe(id);
      expect(r.body.responses[0]?.partitions[0]?.records?.length).toBeGreaterThan(900_000);
    }
    expect(await handledRequests(b, 'Fetch')).toBe(requests);
  }, 60_000);

  it('keeps serving other clients while one does not read', async () => {
    const stuck = await b.raw();
    stuck.socket.pause();
    for (let i = 0; i < 50; i++) stuck.send(Fetch, FETCH_VERSION, fetchBody('big', 0n, { maxWaitMs: 0 }));
    await new Promise((r) => setTimeout(r, 300));
    await expectServing(b);
    stuck.destroy();
  }, 30_000);
});

// Not via TestRawConnection: a client that connects and closes at once must not upset the broker.
it('survives a client that connects and disconnects immediately', async () => {
  const b = await startTestBroker();
  try {
    await new Promise<void>((resolve) => {
      const s = connect({ host: b.host, port: b.port }, () => s.end(resolve));
    });
    await expectServing(b);
  } finally {
    await b.close();
  }
});
