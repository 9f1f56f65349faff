import { describe, expect, it } from 'vitest';
import { OffsetCommit } from '../../src/apis/offset-commit.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('offsetCommit');

describe('OffsetCommit', () => {
  it.each([0, 1, 2, 3, 4, 5])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      groupId: 'consumers',
      groupGenerationId: 5,
      memberId: 'member-1',
      retentionTime: 86400000,
      topics: [
        {
          topic: 'orders',
          partitions: [
            { partition: 0, offset: '9007199254740993', timestamp: 1700000000000, metadata: 'm' },
            { partition: 2, offset: '0', timestamp: 1700000000001 },
          ],
        },
      ],
    });
    const { header, body } = decodeRequestFrame(frame, only(OffsetCommit));
    expect(header).toEqual({ apiKey: 8, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      groupId: 'consumers',
      generationIdOrMemberEpoch: version >= 1 ? 5 : -1,
      memberId: version >= 1 ? 'member-1' : '',
      groupInstanceId: null,
      // Only v2-v4 carry a retention time.
      retentionTimeMs: version >= 2 && version <= 4 ? 86400000n : -1n,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 9007199254740993n,
              committedLeaderEpoch: -1,
              // Only v1 carries the per-partition commit timestamp.
              commitTimestamp: version === 1 ? 1700000000000n : -1n,
              committedMetadata: 'm',
            },
            {
              partitionIndex: 2,
              committedOffset: 0n,
              committedLeaderEpoch: -1,
              commitTimestamp: version === 1 ? 1700000000001n : -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
  });

  it.each([0, 1, 2, 3, 4, 5])('kafkajs decodes our v%i responses', async (version) => {
    const bytes = responseBody(OffsetCommit, version, {
      throttleTimeMs: 20,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 2, errorCode: 22 },
          ],
        },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const responses = [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, errorCode: 0 },
          { partition: 2, errorCode: 22 },
        ],
      },
    ];
    if (version < 3) expect(decoded).toEqual({ responses });
    else if (version === 3) expect(decoded).toEqual({ responses, throttleTime: 20 });
    else expect(decoded).toEqual({ responses, throttleTime: 0, clientSideThrottleTime: 20 });
  });

  it('encodes v9 with the flexible layout', () => {
    const w = new Writer();
    OffsetCommit.encodeRequest(w, 9, {
      groupId: 'g',
      generationIdOrMemberEpoch: 3,
      memberId: 'm',
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 10n, committedLeaderEpoch: 4, committedMetadata: null }] }],
    });
    expect(w.toBuffer()).toEqual(
      Buffer.from([
        2, 0x67, // groupId "g"
        0, 0, 0, 3, // generationIdOrMemberEpoch
        2, 0x6d, // memberId "m"
        0, // groupInstanceId null
        2, // topics: 1 entry
        2, 0x74, // name "t"
        2, // partitions: 1 entry
        0, 0, 0, 1, // partitionIndex
        0, 0, 0, 0, 0, 0, 0, 10, // committedOffset
        0, 0, 0, 4, // committedLeaderEpoch
        0, // committedMetadata null
        0, // partition tagged fields
        0, // topic tagged fields
        0, // request tagged fields
      ]),
    );
    expect(OffsetCommit.decodeRequest(new Reader(w.toBuffer()), 9)).toMatchObject({ retentionTimeMs: -1n, generationIdOrMemberEpoch: 3 });
    // The v1-only commit timestamp is not ignorable.
    expect(() =>
      OffsetCommit.encodeRequest(new Writer(), 2, {
        groupId: 'g',
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 0n, commitTimestamp: 5n, committedMetadata: null }] }],
      }),
    ).toThrow();
  });
});
