import { describe, expect, it } from 'vitest';
import { ListTransactions } from '../../src/apis/list-transactions.js';
import { ProtocolError } from '../../src/errors/protocol-error.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

// kafkajs has no ListTransactions, so the bytes below are laid out by hand from the spec.
describe('ListTransactions', () => {
  it('encodes the v0 request exactly; the duration filter reads back as -1', () => {
    const w = new Writer();
    ListTransactions.encodeRequest(w, 0, { stateFilters: ['Ongoing'], producerIdFilters: [5n] });
    const expected = Buffer.from([
      0x02, // stateFilters: compact array of 1
      0x08, 0x4f, 0x6e, 0x67, 0x6f, 0x69, 0x6e, 0x67, //   "Ongoing"
      0x02, 0, 0, 0, 0, 0, 0, 0, 5, // producerIdFilters [5]
      0x00, // tagged fields: none
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(ListTransactions.decodeRequest(new Reader(expected), 0)).toEqual({
      stateFilters: ['Ongoing'],
      producerIdFilters: [5n],
      durationFilter: -1n,
    });
  });

  it('encodes the v1 request exactly, with a tagged field', () => {
    const body = {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: 1000n,
      _unknownTaggedFields: [{ tag: 1, data: Buffer.from([0x2a]) }],
    };
    const w = new Writer();
    ListTransactions.encodeRequest(w, 1, body);
    const expected = Buffer.from([
      0x01, // stateFilters: empty compact array
      0x01, // producerIdFilters: empty compact array
      0, 0, 0, 0, 0, 0, 0x03, 0xe8, // durationFilter 1000
      0x01, 0x01, 0x01, 0x2a, // tagged fields: one, tag 1, 1 byte
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(ListTransactions.decodeRequest(new Reader(expected), 1)).toEqual(body);
  });

  it('refuses a duration filter at v0, which cannot carry it', () => {
    expect(() =>
      ListTransactions.encodeRequest(new Writer(), 0, { stateFilters: [], producerIdFilters: [], durationFilter: 1000n }),
    ).toThrow(ProtocolError);
  });

  it('encodes the v1 response exactly', () => {
    const body = {
      throttleTimeMs: 0,
      errorCode: 0,
      unknownStateFilters: ['X'],
      transactionStates: [{ transactionalId: 'a', producerId: 5n, transactionState: 'Empty' }],
    };
    const w = new Writer();
    ListTransactions.encodeResponse(w, 1, body);
    const expected = Buffer.from([
      0, 0, 0, 0, // throttleTimeMs
      0x00, 0x00, // errorCode
      0x02, 0x02, 0x58, // unknownStateFilters ["X"]
      0x02, // transactionStates: compact array of 1
      0x02, 0x61, //   transactionalId "a"
      0, 0, 0, 0, 0, 0, 0, 5, //   producerId
      0x06, 0x45, 0x6d, 0x70, 0x74, 0x79, //   transactionState "Empty"
      0x00, //   state tagged fields
      0x00, // top-level tagged fields
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(ListTransactions.decodeResponse(new Reader(expected), 1)).toEqual(body);
  });
});
