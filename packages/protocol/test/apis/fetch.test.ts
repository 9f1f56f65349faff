import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Fetch, type FetchRequest } from '../../src/apis/fetch.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, requestFrame, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('fetch');

interface KjsMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}
interface KjsFetchResult {
  responses: { topicName: string; partitions: ({ messages: KjsMessage[] } & Record<string, unknown>)[] }[];
}

// The responses carry records built by kafkajs's own record-batch and message-set encoders, which
// only this file needs.
const require = createRequire(import.meta.url);
type KjsRecordBatch = (a: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
type KjsRecord = (a: Record<string, unknown>) => unknown;
type KjsMessageSet = (a: Record<string, unknown>) => { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: KjsRecordBatch };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as KjsRecord;
const MessageSet = require('kafkajs/src/protocol/messageSet') as KjsMessageSet;

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const T0 = 1_700_000_000_000;

/** A record batch (magic 2) built by kafkajs itself: two records at offsets 1000 and 1001. */
async function kjsRecordBatch(): Promise<Buffer> {
  const records = [
    Record({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('hello') }),
    Record({ offsetDelta: 1, timestampDelta: 5, key: Buffer.from('k1'), value: Buffer.from('world') }),
  ];
  const batch = await RecordBatch({
    firstOffset: '1000',
    firstTimestamp: T0,
    maxTimestamp: T0 + 5,
    lastOffsetDelta: 1,
    records,
  });
  return batch.buffer;
}

/** A legacy message set, the only format kafkajs's v0-v3 Fetch decoders read. */
function kjsMessageSet(magic: 0 | 1): Buffer {
  return MessageSet({
    messageVersion: magic,
    entries: [
      { key: 'k0', value: 'hello', timestamp: T0 },
      { key: 'k1', value: 'world', timestamp: T0 + 5 },
    ],
  }).buffer;
}

describe('Fetch', () => {
  it('covers every kafkajs version', () => {
    expect(kafkajs.versions).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(Fetch.validVersions).toBe('0-17');
  });

  describe.each(kafkajs.versions)('kafkajs v%i', (version) => {
    it('decodes the request kafkajs encodes', async () => {
      const isolationLevel = version % 2; // alternate so both values are seen
      const frame = await kafkajs.goldenRequest(version, {
        maxWaitTime: 5000,
        minBytes: 1,
        maxBytes: 10_485_760,
        isolationLevel,
        sessionId: 12,
        sessionEpoch: 3,
        forgottenTopics: [{ topic: 'gone', partitions: [1, 2] }],
        rackId: 'rack-a',
        topics: [
          {
            topic: 'orders',
            partitions: [
              { partition: 0, fetchOffset: '100', maxBytes: 1_048_576, currentLeaderEpoch: 4, logStartOffset: 7 },
              { partition: 2, fetchOffset: '9007199254740993', maxBytes: 512 },
            ],
          },
        ],
      });

      const { header, body } = decodeRequestFrame(frame, only(Fetch));
      expect(header).toEqual({ apiKey: 1, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
      const req = body as FetchRequest;
      const partition = (p: number, offset: bigint, maxBytes: number, epoch: number, logStart: bigint) => ({
        partition: p,
        currentLeaderEpoch: version >= 9 ? epoch : -1,
        fetchOffset: offset,
        lastFetchedEpoch: -1,
        logStartOffset: version >= 5 ? logStart : -1n,
        partitionMaxBytes: maxBytes,
        replicaDirectoryId: ZERO_UUID,
      });
      expect(req).toEqual({
        clusterId: null,
        replicaId: -1, // kafkajs's consumer default
        replicaState: { replicaId: -1, replicaEpoch: -1n },
        maxWaitMs: 5000,
        minBytes: 1,
        maxBytes: version >= 3 ? 10_485_760 : 0x7fffffff,
        isolationLevel: version >= 4 ? isolationLevel : 0,
        sessionId: version >= 7 ? 12 : 0,
        sessionEpoch: version >= 7 ? 3 : -1,
        topics: [
          {
            topic: 'orders',
            topicId: ZERO_UUID,
            partitions: [
              partition(0, 100n, 1_048_576, 4, 7n),
              partition(2, 9_007_199_254_740_993n, 512, -1, -1n),
            ],
          },
        ],
        forgottenTopicsData: version >= 7 ? [{ topic: 'gone', topicId: ZERO_UUID, partitions: [1, 2] }] : [],
        rackId: version >= 11 ? 'rack-a' : '',
      });

      expect(requestFrame(Fetch, version, req)).toEqual(frame);
    });

    it('encodes a response with records that kafkajs decodes', async () => {
      const records = version >= 4 ? await kjsRecordBatch() : kjsMessageSet(version >= 2 ? 1 : 0);
      const bytes = responseBody(Fetch, version, {
        throttleTimeMs: 25,
        errorCode: 0,
        ...(version >= 7 ? { sessionId: 99 } : {}),
        responses: [
          {
            topic: 'orders',
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 1234n,
                lastStableOffset: 1200n,
                logStartOffset: 10n,
                abortedTransactions: [{ producerId: 77n, firstOffset: 1100n }],
                ...(version >= 11 ? { preferredReadReplica: 2 } : {}),
                records,
              },
              { partitionIndex: 1, errorCode: 0, highWatermark: 0n, records: null },
            ],
          },
        ],
      });
      const decoded = (await kafkajs.decodeResponse(version, bytes)) as KjsFetchResult;

      const [withData, empty] = decoded.responses[0]?.partitions ?? [];
      const { messages, ...fields } = withData ?? { messages: [] };
      const pairs = messages.map((m) => [m.key?.toString(), m.value?.toString()]);
      expect(pairs).toEqual([
        ['k0', 'hello'],
        ['k1', 'world'],
      ]);
      if (version >= 4) expect(messages.map((m) => m.offset)).toEqual(['1000', '1001']);
      expect(empty?.messages).toEqual([]);

      let expected: Record<string, unknown> = { partition: 0, errorCode: 0, highWatermark: '1234' };
      if (version >= 4) {
        expected = {
          ...expected,
          lastStableOffset: '1200',
          abortedTransactions: [{ producerId: '77', firstOffset: '1100' }],
        };
      }
      if (version >= 5) expected = { ...expected, lastStartOffset: '10' }; // kafkajs's spelling
      if (version >= 11) expected = { ...expected, preferredReadReplica: 2 };
      expect(fields).toEqual(expected);

      const { responses: _r, ...top } = decoded as KjsFetchResult & Record<string, unknown>;
      let expectedTop: Record<string, unknown> = {};
      if (version >= 1) expectedTop = { throttleTime: 25 };
      if (version >= 7) expectedTop = { ...expectedTop, errorCode: 0, sessionId: 99 };
      if (version >= 8) expectedTop = { ...expectedTop, throttleTime: 0, clientSideThrottleTime: 25 };
      expect(top).toEqual(expectedTop);
      expect(decoded.responses[0]?.topicName).toBe('orders');
    });
  });

  it('fills -1 defaults for absent tagged partition structs and writes only the set ones', () => {
    const w = new Writer();
    const partition = { partitionIndex: 0, errorCode: 0, highWatermark: 5n, records: null };
    Fetch.encodeResponse(w, 17, {
      responses: [
        {
          topicId: '0f2c8d5e-4b1a-4c3e-9d7f-112233445566',
          partitions: [partition, { ...partition, partitionIndex: 1, errorCode: 6, currentLeader: { leaderId: 3, leaderEpoch: 9 } }],
        },
      ],
      nodeEndpoints: [{ nodeId: 3, host: 'b3', port: 9094, rack: 'r3' }],
    });
    const bytes = w.toBuffer();
    const res = Fetch.decodeResponse(new Reader(bytes), 17);
    const [p0, p1] = res.responses[0]?.partitions ?? [];
    expect(p0).toMatchObject({
      lastStableOffset: -1n,
      logStartOffset: -1n,
      divergingEpoch: { epoch: -1, endOffset: -1n },
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
      snapshotId: { endOffset: -1n, epoch: -1 },
      preferredReadReplica: -1,
      records: null,
    });
    expect(p1?.currentLeader).toEqual({ leaderId: 3, leaderEpoch: 9 });
    expect(res.responses[0]?.topicId).toBe('0f2c8d5e-4b1a-4c3e-9d7f-112233445566');
    expect(res.responses[0]?.topic).toBe('');
    expect(res.nodeEndpoints).toEqual([{ nodeId: 3, host: 'b3', port: 9094, rack: 'r3' }]);
    // The tagged section of the second partition: one field, tag 1, 9 bytes (two int32s and the
    // struct's own empty tagged-field count).
    const tagged = Buffer.from([0x01, 0x01, 0x09, 0, 0, 0, 3, 0, 0, 0, 9, 0x00]);
    expect(bytes.includes(tagged)).toBe(true);
  });
});
