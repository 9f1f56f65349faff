import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AddOffsetsToTxn } from '../../src/apis/add-offsets-to-txn.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
}
type EncodeFrame = (a: { correlationId: number; clientId: string; request: KafkajsRequest }) => Promise<{ buffer: Buffer }>;
interface KafkajsArgs {
  transactionalId: string;
  producerId: string;
  producerEpoch: number;
  groupId: string;
}
interface KafkajsApi {
  protocol: (o: { version: number }) => (args: KafkajsArgs) => { request: KafkajsRequest };
}
interface KafkajsResponse {
  decode: (buffer: Buffer) => Promise<unknown>;
}

const encodeFrame = require('kafkajs/src/protocol/request') as EncodeFrame;
const kafkajs = require('kafkajs/src/protocol/requests/addOffsetsToTxn/index.js') as KafkajsApi;
const kafkajsResponse = (v: number): KafkajsResponse =>
  require(`kafkajs/src/protocol/requests/addOffsetsToTxn/v${v}/response`) as KafkajsResponse;

async function goldenFrame(version: number, args: KafkajsArgs): Promise<Buffer> {
  const { request } = kafkajs.protocol({ version })(args);
  return (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer.subarray(4);
}

const lookup = (k: number) => (k === AddOffsetsToTxn.apiKey ? AddOffsetsToTxn : undefined);

describe('AddOffsetsToTxn', () => {
  it.each([0, 1])('decodes kafkajs v%i requests', async (version) => {
    const frame = await goldenFrame(version, {
      transactionalId: 'my-txn',
      producerId: '123456789012',
      producerEpoch: 2,
      groupId: 'consumers',
    });
    const { header, body } = decodeRequestFrame(frame, lookup);
    expect(header).toEqual({ apiKey: 25, apiVersion: version, correlationId: 7, clientId: 'golden' });
    expect(body).toEqual({ transactionalId: 'my-txn', producerId: 123456789012n, producerEpoch: 2, groupId: 'consumers' });
  });

  it.each([0, 1])('encodes v%i responses kafkajs reads back', async (version) => {
    const w = new Writer();
    AddOffsetsToTxn.encodeResponse(w, version, { throttleTimeMs: 15, errorCode: 51 });
    const decoded = await kafkajsResponse(version).decode(w.toBuffer());
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
