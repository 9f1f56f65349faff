import { describe, expect, it } from 'vitest';
import { SaslHandshake, type SaslHandshakeRequest } from '../../src/apis/sasl-handshake.js';
import { decodeRequestFrame } from '../../src/framing.js';
import { GOLDEN_CLIENT_ID, GOLDEN_CORRELATION_ID, kafkajsApi, only, responseBody } from '../support/kafkajs.js';

const kafkajs = kafkajsApi('saslHandshake');

const KJS_VERSIONS = [0, 1];

describe('SaslHandshake', () => {
  it.each(KJS_VERSIONS)('decodes kafkajs v%i request bytes', async (version) => {
    const frame = await kafkajs.goldenRequest(version, { mechanism: 'SCRAM-SHA-256' });
    const { header, body } = decodeRequestFrame(frame, only(SaslHandshake));
    expect(header).toEqual({ apiKey: 17, apiVersion: version, correlationId: GOLDEN_CORRELATION_ID, clientId: GOLDEN_CLIENT_ID });
    expect(body as SaslHandshakeRequest).toEqual({ mechanism: 'SCRAM-SHA-256' });
  });

  it.each(KJS_VERSIONS)('encodes a v%i response kafkajs can read', async (version) => {
    const bytes = responseBody(SaslHandshake, version, { errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-512'] });
    expect(await kafkajs.decodeResponse(version, bytes)).toEqual({
      errorCode: 33,
      enabledMechanisms: ['PLAIN', 'SCRAM-SHA-512'],
    });
  });
});
