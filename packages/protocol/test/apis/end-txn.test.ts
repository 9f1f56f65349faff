import { describe, expect, it } from 'vitest';
import { EndTxn } from '../../src/apis/end-txn.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('endTxn');

describe('EndTxn', () => {
  it.each([
    [0, true],
    [1, false],
  ] as const)('decodes kafkajs v%i requests (committed %s)', async (version, committed) => {
    const frame = await kafkajs.goldenRequest(version, {
      transactionalId: 'my-txn',
      producerId: '77',
      producerEpoch: 12,
      transactionResult: committed,
    });
    const { header, body } = decodeRequestFrame(frame, only(EndTxn));
    expect(header).toEqual({ apiKey: 26, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({ transactionalId: 'my-txn', producerId: 77n, producerEpoch: 12, committed });
  });

  it.each([0, 1])('encodes v%i responses kafkajs reads back', async (version) => {
    const bytes = responseBody(EndTxn, version, { throttleTimeMs: 3, errorCode: 0 });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const throttle = version === 0 ? { throttleTime: 3 } : { throttleTime: 0, clientSideThrottleTime: 3 };
    expect(decoded).toEqual({ ...throttle, errorCode: 0 });
  });

  it('encodes the v5 response with the next producer id and epoch', () => {
    const w = new Writer();
    EndTxn.encodeResponse(w, 5, { throttleTimeMs: 0, errorCode: 0, producerId: 77n, producerEpoch: 13 });
    const expected = Buffer.from([
      0, 0, 0, 0, // throttleTimeMs
      0x00, 0x00, // errorCode
      0, 0, 0, 0, 0, 0, 0, 77, // producerId
      0x00, 0x0d, // producerEpoch 13
      0x00, // tagged fields: none
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(EndTxn.decodeResponse(new Reader(expected), 5)).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: 77n,
      producerEpoch: 13,
    });
  });

  it('drops the v5-only response fields at older versions and reads them back as -1', () => {
    const w = new Writer();
    EndTxn.encodeResponse(w, 4, { throttleTimeMs: 0, errorCode: 0, producerId: 77n, producerEpoch: 13 });
    expect(w.toBuffer()).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0]));
    expect(EndTxn.decodeResponse(new Reader(w.toBuffer()), 4)).toMatchObject({ producerId: -1n, producerEpoch: -1 });
  });
});
