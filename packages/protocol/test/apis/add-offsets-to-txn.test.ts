import { describe, expect, it } from 'vitest';
import { AddOffsetsToTxn } from '../../src/apis/add-offsets-to-txn.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('addOffsetsToTxn');

describe('AddOffsetsToTxn', () => {
  it.each([0, 1])('decodes kafkajs v%i requests', async (version) => {
    const frame = await kafkajs.goldenRequest(version, {
      transactionalId: 'my-txn',
      producerId: '123456789012',
      producerEpoch: 2,
      groupId: 'consumers',
    });
    const { header, body } = decodeRequestFrame(frame, only(AddOffsetsToTxn));
    expect(header).toEqual({ apiKey: 25, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({ transactionalId: 'my-txn', producerId: 123456789012n, producerEpoch: 2, groupId: 'consumers' });
  });

  it.each([0, 1])('encodes v%i responses kafkajs reads back', async (version) => {
    const bytes = responseBody(AddOffsetsToTxn, version, { throttleTimeMs: 15, errorCode: 51 });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const throttle = version === 0 ? { throttleTime: 15 } : { throttleTime: 0, clientSideThrottleTime: 15 };
    expect(decoded).toEqual({ ...throttle, errorCode: 51 });
  });

  it('encodes v4 exactly as the spec lays it out', () => {
    const w = new Writer();
    AddOffsetsToTxn.encodeRequest(w, 4, { transactionalId: 'tx', producerId: 9n, producerEpoch: 0, groupId: 'g' });
    const expected = Buffer.from([
      0x03, 0x74, 0x78, // transactionalId: compact string "tx"
      0, 0, 0, 0, 0, 0, 0, 9, // producerId
      0x00, 0x00, // producerEpoch
      0x02, 0x67, // groupId "g"
      0x00, // tagged fields: none
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(AddOffsetsToTxn.decodeRequest(new Reader(expected), 4)).toEqual({
      transactionalId: 'tx',
      producerId: 9n,
      producerEpoch: 0,
      groupId: 'g',
    });
  });
});
