import { describe, expect, it } from 'vitest';
import { AddPartitionsToTxn } from '../../src/apis/add-partitions-to-txn.js';
import { ProtocolError } from '../../src/errors/protocol-error.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('addPartitionsToTxn');

describe('AddPartitionsToTxn', () => {
  it.each([0, 1])('decodes kafkajs v%i requests into the single-transaction fields', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      transactionalId: 'my-txn',
      producerId: '1099511627776',
      producerEpoch: 4,
      topics: [
        { topic: 'orders', partitions: [0, 3] },
        { topic: 'audit', partitions: [] },
      ],
    });
    const { header, body } = decodeRequestFrame(frame, only(AddPartitionsToTxn));
    expect(header).toEqual({ apiKey: 24, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({
      transactions: [],
      v3AndBelowTransactionalId: 'my-txn',
      v3AndBelowProducerId: 1099511627776n,
      v3AndBelowProducerEpoch: 4,
      v3AndBelowTopics: [
        { name: 'orders', partitions: [0, 3] },
        { name: 'audit', partitions: [] },
      ],
    });
  });

  it.each([0, 1])('encodes v%i responses kafkajs reads back', async (version) => {
    const bytes = responseBody(AddPartitionsToTxn, version, {
      throttleTimeMs: 20,
      resultsByTopicV3AndBelow: [
        {
          name: 'orders',
          resultsByPartition: [
            { partitionIndex: 0, partitionErrorCode: 0 },
            { partitionIndex: 3, partitionErrorCode: 48 },
          ],
        },
      ],
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const throttle = version === 0 ? { throttleTime: 20 } : { throttleTime: 0, clientSideThrottleTime: 20 };
    expect(decoded).toEqual({
      ...throttle,
      errors: [
        {
          topic: 'orders',
          partitionErrors: [
            { partition: 0, errorCode: 0 },
            { partition: 3, errorCode: 48 },
          ],
        },
      ],
    });
  });

  it('encodes the batched v5 request exactly, with a tagged field', () => {
    const w = new Writer();
    AddPartitionsToTxn.encodeRequest(w, 5, {
      transactions: [
        { transactionalId: 'tx', producerId: 7n, producerEpoch: 1, verifyOnly: true, topics: [{ name: 't', partitions: [0, 2] }] },
      ],
      _unknownTaggedFields: [{ tag: 5, data: Buffer.from([0xab]) }],
    });
    const expected = Buffer.from([
      0x02, // transactions: compact array of 1
      0x03, 0x74, 0x78, //   transactionalId "tx"
      0, 0, 0, 0, 0, 0, 0, 7, //   producerId
      0x00, 0x01, //   producerEpoch
      0x01, //   verifyOnly
      0x02, //   topics: compact array of 1
      0x02, 0x74, //     name "t"
      0x03, 0, 0, 0, 0, 0, 0, 0, 2, //     partitions [0, 2]
      0x00, //     topic tagged fields
      0x00, //   transaction tagged fields
      0x01, 0x05, 0x01, 0xab, // tagged fields: one, tag 5, 1 byte
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(AddPartitionsToTxn.decodeRequest(new Reader(expected), 5)).toEqual({
      transactions: [
        { transactionalId: 'tx', producerId: 7n, producerEpoch: 1, verifyOnly: true, topics: [{ name: 't', partitions: [0, 2] }] },
      ],
      v3AndBelowTransactionalId: '',
      v3AndBelowProducerId: 0n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [],
      _unknownTaggedFields: [{ tag: 5, data: Buffer.from([0xab]) }],
    });
  });

  it('encodes the batched v5 response exactly', () => {
    const w = new Writer();
    AddPartitionsToTxn.encodeResponse(w, 5, {
      throttleTimeMs: 0,
      errorCode: 0,
      resultsByTransaction: [
        { transactionalId: 'tx', topicResults: [{ name: 't', resultsByPartition: [{ partitionIndex: 2, partitionErrorCode: 49 }] }] },
      ],
    });
    const expected = Buffer.from([
      0, 0, 0, 0, // throttleTimeMs
      0x00, 0x00, // errorCode
      0x02, // resultsByTransaction: compact array of 1
      0x03, 0x74, 0x78, //   transactionalId "tx"
      0x02, //   topicResults: compact array of 1
      0x02, 0x74, //     name "t"
      0x02, //     resultsByPartition: compact array of 1
      0, 0, 0, 2, //       partitionIndex
      0x00, 0x31, //       partitionErrorCode 49
      0x00, 0x00, 0x00, // tagged fields of partition, topic, transaction
      0x00, // top-level tagged fields
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(AddPartitionsToTxn.decodeResponse(new Reader(expected), 5).resultsByTopicV3AndBelow).toEqual([]);
  });

  it('keeps the two shapes apart: v3 has no batched transactions, v4 no single-transaction fields', () => {
    const batched = { transactions: [{ transactionalId: 'tx', producerId: 1n, producerEpoch: 0, topics: [] }] };
    expect(() => AddPartitionsToTxn.encodeRequest(new Writer(), 3, batched)).toThrow(ProtocolError);
    expect(() => AddPartitionsToTxn.encodeRequest(new Writer(), 4, { v3AndBelowTransactionalId: 'tx' })).toThrow(ProtocolError);
  });
});
