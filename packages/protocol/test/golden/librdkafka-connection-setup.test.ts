/**
 * librdkafka's connection-setup golden frames: ApiVersions (from the python client and from
 * kcat), SaslHandshake and SaslAuthenticate.
 * Loading and the scenario's constants: librdkafka-fixtures.ts.
 */
import { describe, expect, it } from 'vitest';
import { ApiVersions } from '../../src/apis/api-versions.js';
import { SaslAuthenticate } from '../../src/apis/sasl-authenticate.js';
import { SaslHandshake } from '../../src/apis/sasl-handshake.js';
import { index, KCAT, request } from './librdkafka-fixtures.js';

describe('librdkafka golden frames', () => {
  describe('connection setup', () => {
    it('ApiVersions v3: client software name and version', () => {
      expect(request('ApiVersions-v3.bin', ApiVersions)).toEqual({
        clientSoftwareName: 'confluent-kafka-python',
        clientSoftwareVersion: `${index.confluentKafkaPython}-rdkafka-${index.librdkafka}`,
      });
      expect(request('ApiVersions-v3-kcat.bin', ApiVersions, KCAT)).toEqual({
        clientSoftwareName: 'librdkafka',
        clientSoftwareVersion: index.librdkafka,
      });
    });

    it('SaslHandshake v1: PLAIN', () => {
      expect(request('SaslHandshake-v1.bin', SaslHandshake)).toEqual({ mechanism: 'PLAIN' });
    });

    it('SaslAuthenticate v0: PLAIN token (authzid, user, password)', () => {
      const body = request('SaslAuthenticate-v0.bin', SaslAuthenticate);
      expect(body.authBytes).toEqual(Buffer.from('\0golden\0golden-secret', 'utf8'));
    });
  });
});
