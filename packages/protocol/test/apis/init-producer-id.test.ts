import { describe, expect, it } from 'vitest';
import { InitProducerId } from '../../src/apis/init-producer-id.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('initProducerId');

describe('InitProducerId', () => {
  it.each([
    [0, null],
    [1, 'my-txn'],
  ] as const)('decodes kafkajs v%i requests (transactionalId %s)', async (version, transactionalId) => {
    const frame = await kafkajs.goldenRequest(version, { transactionalId, transactionTimeout: 30000 });
    const { header, body } = decodeRequestFrame(frame, only(InitProducerId));
    expect(header).toEqual({ apiKey: 22, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body).toEqual({ transactionalId, transactionTimeoutMs: 30000, producerId: -1n, producerEpoch: -1 });
  });

  it.each([0, 1])('encodes v%i responses kafkajs reads back', async (version) => {
    const bytes = responseBody(InitProducerId, version, {
      throttleTimeMs: 100,
      errorCode: 0,
      producerId: 9007199254740993n,
      producerEpoch: 5,
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const throttle = version === 0 ? { throttleTime: 100 } : { throttleTime: 0, clientSideThrottleTime: 100 };
    expect(decoded).toEqual({ ...throttle, errorCode: 0, producerId: '9007199254740993', producerEpoch: 5 });
  });

  it('encodes v5 exactly as the spec lays it out', () => {
    const w = new Writer();
    InitProducerId.encodeRequest(w, 5, { transactionalId: 'tx', transactionTimeoutMs: 60000, producerId: 42n, producerEpoch: 3 });
    const expected = Buffer.from([
      0x03, 0x74, 0x78, // transactionalId: compact string "tx"
      0x00, 0x00, 0xea, 0x60, // transactionTimeoutMs: 60000
      0, 0, 0, 0, 0, 0, 0, 42, // producerId
      0x00, 0x03, // producerEpoch
      0x00, // tagged fields: none
    ]);
    expect(w.toBuffer()).toEqual(expected);
    expect(InitProducerId.decodeRequest(new Reader(expected), 5)).toEqual({
      transactionalId: 'tx',
      transactionTimeoutMs: 60000,
      producerId: 42n,
      producerEpoch: 3,
    });
  });
});
