import { describe, expect, it } from 'vitest';
import { OffsetFetch } from '../../src/apis/offset-fetch.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('offsetFetch');

describe('OffsetFetch', () => {
  // kafkajs has no v0 (the ZooKeeper-backed version).
  it.each([1, 2, 3, 4])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      groupId: 'consumers',
      topics: [
        { topic: 'orders', partitions: [{ partition: 0 }, { partition: 3 }] },
        { topic: 'audit', partitions: [] },
      ],
    });
    const { header, body } = decodeRequestFrame(frame, only(OffsetFetch));
    expect(header).toEqual({ apiKey: 9, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      groupId: 'consumers',
      topics: [
        { name: 'orders', partitionIndexes: [0, 3] },
        { name: 'audit', partitionIndexes: [] },
      ],
      groups: [],
      requireStable: false,
    });
  });

  it.each([3, 4])('reads the null topic list kafkajs v%i sends for "all topics"', async (version) => {
    // kafkajs writes an empty topic list as a null array from v3 (nullable since v2).
    const frame = await kafkajs.goldenRequest(version, { groupId: 'consumers', topics: [] });
    expect(decodeRequestFrame(frame, only(OffsetFetch)).body.topics).toBeNull();
  });

  it.each([1, 2, 3, 4])('kafkajs decodes our v%i responses', async (version) => {
    const bytes = responseBody(OffsetFetch, version, {
      throttleTimeMs: 9,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, committedOffset: 9007199254740993n, metadata: 'm', errorCode: 0 },
            { partitionIndex: 3, committedOffset: -1n, metadata: null, errorCode: 0 },
          ],
        },
      ],
      errorCode: 0,
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const responses = [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, offset: '9007199254740993', metadata: 'm', errorCode: 0 },
          { partition: 3, offset: '-1', metadata: null, errorCode: 0 },
        ],
      },
    ];
    if (version === 1) expect(decoded).toEqual({ responses });
    else if (version === 2) expect(decoded).toEqual({ responses, errorCode: 0 });
    else if (version === 3) expect(decoded).toEqual({ responses, errorCode: 0, throttleTime: 9 });
    else expect(decoded).toEqual({ responses, errorCode: 0, throttleTime: 0, clientSideThrottleTime: 9 });
  });

  it('kafkajs v2 reads our top-level error code', async () => {
    const bytes = responseBody(OffsetFetch, 2, { topics: [], errorCode: 16 });
    expect(await kafkajs.decodeResponse(2, bytes)).toEqual({ responses: [], errorCode: 16 });
  });

  it('encodes the v9 multi-group form', () => {
    const w = new Writer();
    OffsetFetch.encodeRequest(w, 9, {
      groups: [
        { groupId: 'a', memberId: 'm', memberEpoch: 2, topics: [{ name: 't', partitionIndexes: [1] }] },
        { groupId: 'b', topics: null },
      ],
      requireStable: true,
    });
    expect(w.toBuffer()).toEqual(
      Buffer.from([
        3, // groups: 2 entries
        2, 0x61, // groupId "a"
        2, 0x6d, // memberId "m"
        0, 0, 0, 2, // memberEpoch
        2, // topics: 1 entry
        2, 0x74, // name "t"
        2, 0, 0, 0, 1, // partitionIndexes [1]
        0, // topic tagged fields
        0, // group tagged fields
        2, 0x62, // groupId "b"
        0, // memberId null (default)
        0xff, 0xff, 0xff, 0xff, // memberEpoch -1 (default)
        0, // topics null: all topics
        0, // group tagged fields
        1, // requireStable
        0, // request tagged fields
      ]),
    );
    expect(OffsetFetch.decodeRequest(new Reader(w.toBuffer()), 9)).toEqual({
      groupId: '',
      topics: [],
      groups: [
        { groupId: 'a', memberId: 'm', memberEpoch: 2, topics: [{ name: 't', partitionIndexes: [1] }] },
        { groupId: 'b', memberId: null, memberEpoch: -1, topics: null },
      ],
      requireStable: true,
    });
    // The single-group fields do not exist from v8 and are not ignorable.
    expect(() => OffsetFetch.encodeRequest(new Writer(), 8, { groupId: 'a', groups: [] })).toThrow();
  });

  it('round-trips a v8 per-group response', () => {
    const w = new Writer();
    OffsetFetch.encodeResponse(w, 8, {
      throttleTimeMs: 0,
      groups: [
        {
          groupId: 'a',
          topics: [
            { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: 1, metadata: '', errorCode: 0 }] },
          ],
          errorCode: 0,
        },
      ],
    });
    expect(OffsetFetch.decodeResponse(new Reader(w.toBuffer()), 8)).toEqual({
      throttleTimeMs: 0,
      topics: [],
      errorCode: 0,
      groups: [
        {
          groupId: 'a',
          topics: [
            { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: 1, metadata: '', errorCode: 0 }] },
          ],
          errorCode: 0,
        },
      ],
    });
  });
});
