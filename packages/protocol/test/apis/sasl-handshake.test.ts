import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SaslHandshake, type SaslHandshakeRequest } from '../../src/apis/sasl-handshake.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Writer } from '../../src/io/writer.js';

const require = createRequire(import.meta.url);

interface KjsRequest {
  apiKey: number;
  apiVersion: number;
}
type KjsProtocol = (o: { version: number }) => (args: Record<string, unknown>) => { request: KjsRequest };
type KjsDecode = (buffer: Buffer) => Promise<unknown>;

const encodeFrame = require('kafkajs/src/protocol/request') as (a: {
  correlationId: number;
  clientId: string;
  request: KjsRequest;
}) => Promise<{ buffer: Buffer }>;
const { protocol } = require('kafkajs/src/protocol/requests/saslHandshake/index.js') as { protocol: KjsProtocol };
const kjsDecoder = (v: number): KjsDecode =>
  (require(`kafkajs/src/protocol/requests/saslHandshake/v${v}/response`) as { decode: KjsDecode }).decode;

const KJS_VERSIONS = [0, 1];

describe('SaslHandshake', () => {
  it.each(KJS_VERSIONS)('decodes kafkajs v%i request bytes', async (version) => {
    const { request } = protocol({ version })({ mechanism: 'SCRAM-SHA-256' });
    const frame = (await encodeFrame({ correlationId: 7, clientId: 'golden', request })).buffer.subarray(4);
    const { header, body } = decodeRequestFrame(frame, (k) => (k === SaslHandshake.apiKey ? SaslHandshake : undefined));
    expect(header).toEqual({ apiKey: 17, apiVersion: version, correlationId: 7, clientId: 'golden' });
    expect(body as SaslHandshakeRequest).toEqual({ mechanism: 'SCRAM-SHA-256' });
  });

  it.each(KJS_VERSIONS)('encodes a v%i response kafkajs can read', async (version) => {
    const w = new Writer();
    SaslHandshake.encodeResponse(w, version, { errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-512'] });
    expect(await kjsDecoder(version)(w.toBuffer())).toEqual({
      errorCode: 33,
      enabledMechanisms: ['PLAIN', 'SCRAM-SHA-512'],
    });
  });
});
