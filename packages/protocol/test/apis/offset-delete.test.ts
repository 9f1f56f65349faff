import { describe, expect, it } from 'vitest';
import { OffsetDelete } from '../../src/apis/offset-delete.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { only } from '../support/kafkajs.js';

// kafkajs has no OffsetDelete, so the expected bytes are written out from the spec. v0 is both the
// lowest and the highest version, and it is not flexible, so there is no tagged field to show.
describe('OffsetDelete', () => {
  const requestBytes = Buffer.from([
    0, 2, 0x67, 0x31, // groupId "g1"
    0, 0, 0, 1, // topics: 1 entry
    0, 1, 0x74, // name "t"
    0, 0, 0, 2, // partitions: 2 entries
    0, 0, 0, 0, // partitionIndex 0
    0, 0, 0, 3, // partitionIndex 3
  ]);
  const request = { groupId: 'g1', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }, { partitionIndex: 3 }] }] };

  it('encodes and decodes the v0 request', () => {
    const w = new Writer();
    OffsetDelete.encodeRequest(w, 0, request);
    expect(w.toBuffer()).toEqual(requestBytes);
    expect(OffsetDelete.decodeRequest(new Reader(requestBytes), 0)).toEqual(request);
  });

  it('decodes a v0 request frame with a v1 header', () => {
    const frame = Buffer.concat([
      Buffer.from([0, 47, 0, 0, 0, 0, 0, 7, 0, 6]), // apiKey 47, version 0, correlationId 7, clientId length 6
      Buffer.from('golden'),
      requestBytes,
    ]);
    const { header, body } = decodeRequestFrame(frame, only(OffsetDelete));
    expect(header).toEqual({ apiKey: 47, apiVersion: 0, correlationId: 7, clientId: 'golden' });
    expect(body).toEqual(request);
  });

  it('encodes and decodes the v0 response (error code before throttle time)', () => {
    const bytes = Buffer.from([
      0, 0, // errorCode
      0, 0, 0, 10, // throttleTimeMs
      0, 0, 0, 1, // topics: 1 entry
      0, 1, 0x74, // name "t"
      0, 0, 0, 2, // partitions: 2 entries
      0, 0, 0, 0, 0, 0, // partitionIndex 0, errorCode 0
      0, 0, 0, 3, 0, 86, // partitionIndex 3, errorCode 86 (GROUP_SUBSCRIBED_TO_TOPIC)
    ]);
    const response = {
      errorCode: 0,
      throttleTimeMs: 10,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 3, errorCode: 86 }] }],
    };
    const w = new Writer();
    OffsetDelete.encodeResponse(w, 0, response);
    expect(w.toBuffer()).toEqual(bytes);
    expect(OffsetDelete.decodeResponse(new Reader(bytes), 0)).toEqual(response);
  });

  it('is not flexible and has only v0', () => {
    expect(OffsetDelete.isFlexible(0)).toBe(false);
    expect(OffsetDelete.supports(1)).toBe(false);
    expect(OffsetDelete.requestHeaderVersion(0)).toBe(1);
  });
});
