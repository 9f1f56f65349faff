import { describe, expect, it } from 'vitest';
import { TxnOffsetCommit } from '../../src/apis/txn-offset-commit.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('txnOffsetCommit');

describe('TxnOffsetCommit', () => {
  it.each([0, 1])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      transactionalId: 'my-txn',
      groupId: 'consumers',
      producerId: '5000000000',
      producerEpoch: 1,
      topics: [
        {
          topic: 'orders',
          partitions: [
            { partition: 0, offset: '9007199254740993', metadata: 'm' },
            { partition: 1, offset: '10', metadata: null },
          ],
        },
      ],
    });
    const { header, body } = decodeRequestFrame(frame, only(TxnOffsetCommit));
    expect(header).toEqual({ apiKey: 28, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      transactionalId: 'my-txn',
      groupId: 'consumers',
      producerId: 5000000000n,
      producerEpoch: 1,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, committedOffset: 9007199254740993n, committedLeaderEpoch: -1, committedMetadata: 'm' },
            { partitionIndex: 1, committedOffset: 10n, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    });
  });

  it.each([0, 1])('encodes v%i responses kafkajs reads back', async (version) => {
    const bytes = responseBody(TxnOffsetCommit, version, {
      throttleTimeMs: 8,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 16 }] }],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const throttle = version === 0 ? { throttleTime: 8 } : { throttleTime: 0, clientSideThrottleTime: 8 };
    expect(decoded).toEqual({
      ...throttle,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, errorCode: 0 }, { partition: 1, errorCode: 16 }] }],
    });
  });

  it('encodes v4 exactly as the spec lays it out', () => {
    const body = {
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 3n,
      producerEpoch: 0,
      generationId: 5,
      memberId: 'm',
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 100n, committedLeaderEpoch: 2, committedMetadata: null }] }],
    };
    const w = new Writer();
    TxnOffsetCommit.encodeRequest(w, 4, body);
    const expected = Buffer.from([
      0x03, 0x74, 0x78, // transactionalId "tx"
      0x02, 0x67, // groupId "g"
      0, 0, 0, 0, 0, 0, 0, 3, // producerId
      0x00, 0x00, // producerEpoch
      0, 0, 0, 5, // generationId
      0x02, 0x6d, // memberId "m"
      0x00, // groupInstanceId: null compact string
      0x02, // topics: compact array of 1
      0x02, 0x74, //   name "t"
      0x02, //   partitions: compact array of 1
      0, 0, 0, 1, //     partitionIndex
      0, 0, 0, 0, 0, 0, 0, 100, //     committedOffset
      0, 0, 0, 2, //     committedLeaderEpoch
      0x00, //     committedMetadata: null
      0x00, 0x00, // tagged fields of partition, topic
      0x00, // top-level tagged fields
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(TxnOffsetCommit.decodeRequest(new Reader(expected), 4)).toEqual(body);
  });
});
