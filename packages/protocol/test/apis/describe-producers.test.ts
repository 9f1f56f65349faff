import { describe, expect, it } from 'vitest';
import { DescribeProducers } from '../../src/apis/describe-producers.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

// kafkajs has no DescribeProducers, so the bytes below are laid out by hand from the spec.
// v0 is both the lowest and the highest version.
describe('DescribeProducers', () => {
  it('encodes the v0 request exactly, with a tagged field', () => {
    const body = {
      topics: [{ name: 't', partitionIndexes: [0, 1] }],
      _unknownTaggedFields: [{ tag: 0, data: Buffer.from([0x01, 0x02]) }],
    };
    const w = new Writer();
    DescribeProducers.encodeRequest(w, 0, body);
    const expected = Buffer.from([
      0x02, // topics: compact array of 1
      0x02, 0x74, //   name "t"
      0x03, 0, 0, 0, 0, 0, 0, 0, 1, //   partitionIndexes [0, 1]
      0x00, //   topic tagged fields
      0x01, 0x00, 0x02, 0x01, 0x02, // tagged fields: one, tag 0, 2 bytes
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(DescribeProducers.decodeRequest(new Reader(expected), 0)).toEqual(body);
  });

  it('encodes the v0 response exactly', () => {
    const body = {
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 1,
              errorCode: 0,
              errorMessage: null,
              activeProducers: [
                {
                  producerId: 5n,
                  producerEpoch: 2,
                  lastSequence: 10,
                  lastTimestamp: 256n,
                  coordinatorEpoch: 1,
                  currentTxnStartOffset: -1n,
                },
              ],
            },
          ],
        },
      ],
    };
    const w = new Writer();
    DescribeProducers.encodeResponse(w, 0, body);
    const expected = Buffer.from([
      0, 0, 0, 0, // throttleTimeMs
      0x02, // topics: compact array of 1
      0x02, 0x74, //   name "t"
      0x02, //   partitions: compact array of 1
      0, 0, 0, 1, //     partitionIndex
      0x00, 0x00, //     errorCode
      0x00, //     errorMessage: null
      0x02, //     activeProducers: compact array of 1
      0, 0, 0, 0, 0, 0, 0, 5, //       producerId
      0, 0, 0, 2, //       producerEpoch (int32 here)
      0, 0, 0, 10, //       lastSequence
      0, 0, 0, 0, 0, 0, 1, 0, //       lastTimestamp 256
      0, 0, 0, 1, //       coordinatorEpoch
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, //       currentTxnStartOffset -1
      0x00, 0x00, 0x00, // tagged fields of producer, partition, topic
      0x00, // top-level tagged fields
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(DescribeProducers.decodeResponse(new Reader(expected), 0)).toEqual(body);
  });
});
