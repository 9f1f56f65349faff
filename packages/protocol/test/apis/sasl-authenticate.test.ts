import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SaslAuthenticate, type SaslAuthenticateRequest } from '../../src/apis/sasl-authenticate.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('saslAuthenticate');

const require = createRequire(import.meta.url);
// kafkajs's PLAIN mechanism: its encode() already yields length-prefixed bytes, which the
// SaslAuthenticate request then writes verbatim.
const plainRequest = require('kafkajs/src/protocol/sasl/plain/request') as (a: {
  username: string;
  password: string;
}) => { encode: () => Promise<Buffer> };

const KJS_VERSIONS = [0, 1];

/** kafkajs hands response auth bytes back with their int32 length prefix still on. */
const withLength = (b: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length);
  return Buffer.concat([len, b]);
};

describe('SaslAuthenticate', () => {
  it.each(KJS_VERSIONS)('decodes kafkajs v%i request bytes (PLAIN token)', async (version) => {
    const authBytes = await plainRequest({ username: 'alice', password: 's3cret' }).encode();
    const frame = await kafkajs.goldenRequest(version, { authBytes });
    const { header, body } = decodeRequestFrame(frame, only(SaslAuthenticate));
    expect(header).toEqual({ apiKey: 36, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body as SaslAuthenticateRequest).toEqual({ authBytes: Buffer.from('\0alice\0s3cret') });
  });

  it.each(KJS_VERSIONS)('encodes a v%i response kafkajs can read', async (version) => {
    const serverBytes = Buffer.from('server-final');
    const bytes = responseBody(SaslAuthenticate, version, {
      errorCode: 0,
      errorMessage: null,
      authBytes: serverBytes,
      sessionLifetimeMs: 3_600_000n,
    });
    const decoded = await kafkajs.decodeResponse(version, bytes);
    const common = { errorCode: 0, errorMessage: null, authBytes: withLength(serverBytes) };
    // v0 has no session lifetime (the field is ignorable, so it is dropped); kafkajs reads it as a string.
    if (version === 0) expect(decoded).toEqual(common);
    else expect(decoded).toEqual({ ...common, sessionLifetimeMs: '3600000' });
  });

  it('v2 request and response: compact bytes', () => {
    const req = { authBytes: Buffer.from([1, 2, 3]) };
    const reqBytes = Buffer.from([
      4, 1, 2, 3, // authBytes: compact length 3
      0, // tagged fields
    ]);
    const w = new Writer();
    SaslAuthenticate.encodeRequest(w, 2, req);
    expect(w.toBuffer()).toEqual(reqBytes);
    expect(SaslAuthenticate.decodeRequest(new Reader(reqBytes), 2)).toEqual(req);

    const res = { errorCode: 58, errorMessage: 'no', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    const resBytes = Buffer.from([
      0, 58, // errorCode SASL_AUTHENTICATION_FAILED
      3, 0x6e, 0x6f, // errorMessage "no"
      1, // authBytes: compact length 0
      0, 0, 0, 0, 0, 0, 0, 0, // sessionLifetimeMs
      0, // tagged fields
    ]);
    const w2 = new Writer();
    SaslAuthenticate.encodeResponse(w2, 2, res);
    expect(w2.toBuffer()).toEqual(resBytes);
    expect(SaslAuthenticate.decodeResponse(new Reader(resBytes), 2)).toEqual(res);
  });
});
