import { describe, expect, it } from 'vitest';
import { DescribeTransactions } from '../../src/apis/describe-transactions.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

// kafkajs has no DescribeTransactions, so the bytes below are laid out by hand from the spec.
// v0 is both the lowest and the highest version.
describe('DescribeTransactions', () => {
  it('encodes the v0 request exactly, with a tagged field', () => {
    const body = { transactionalIds: ['a', 'bc'], _unknownTaggedFields: [{ tag: 3, data: Buffer.from([0x07]) }] };
    const w = new Writer();
    DescribeTransactions.encodeRequest(w, 0, body);
    const expected = Buffer.from([
      0x03, // transactionalIds: compact array of 2
      0x02, 0x61, //   "a"
      0x03, 0x62, 0x63, //   "bc"
      0x01, 0x03, 0x01, 0x07, // tagged fields: one, tag 3, 1 byte
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(DescribeTransactions.decodeRequest(new Reader(expected), 0)).toEqual(body);
  });

  it('encodes the v0 response exactly', () => {
    const body = {
      throttleTimeMs: 0,
      transactionStates: [
        {
          errorCode: 0,
          transactionalId: 'a',
          transactionState: 'Ongoing',
          transactionTimeoutMs: 60000,
          transactionStartTimeMs: 256n,
          producerId: 5n,
          producerEpoch: 1,
          topics: [{ topic: 't', partitions: [0] }],
        },
      ],
    };
    const w = new Writer();
    DescribeTransactions.encodeResponse(w, 0, body);
    const expected = Buffer.from([
      0, 0, 0, 0, // throttleTimeMs
      0x02, // transactionStates: compact array of 1
      0x00, 0x00, //   errorCode
      0x02, 0x61, //   transactionalId "a"
      0x08, 0x4f, 0x6e, 0x67, 0x6f, 0x69, 0x6e, 0x67, //   transactionState "Ongoing"
      0x00, 0x00, 0xea, 0x60, //   transactionTimeoutMs 60000
      0, 0, 0, 0, 0, 0, 1, 0, //   transactionStartTimeMs 256
      0, 0, 0, 0, 0, 0, 0, 5, //   producerId
      0x00, 0x01, //   producerEpoch (int16)
      0x02, //   topics: compact array of 1
      0x02, 0x74, //     topic "t"
      0x02, 0, 0, 0, 0, //     partitions [0]
      0x00, //     topic tagged fields
      0x00, //   state tagged fields
      0x00, // top-level tagged fields
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(DescribeTransactions.decodeResponse(new Reader(expected), 0)).toEqual(body);
  });
});
