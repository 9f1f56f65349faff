import { describe, expect, it } from 'vitest';
import { ApiVersions } from '../../src/apis/api-versions.js';
import { ProtocolError } from '../../src/errors/protocol-error.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

describe('field-table codec', () => {
  it('round-trips ApiVersions v3 with tagged fields and keeps unknown tags', () => {
    const w = new Writer();
    ApiVersions.encodeResponse(w, 3, {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 11 }],
      throttleTimeMs: 5,
      finalizedFeaturesEpoch: 7n,
      _unknownTaggedFields: [{ tag: 9, data: Buffer.from([1, 2, 3]) }],
    });
    const decoded = ApiVersions.decodeResponse(new Reader(w.toBuffer()), 3);
    expect(decoded.apiKeys).toEqual([{ apiKey: 0, minVersion: 3, maxVersion: 11 }]);
    expect(decoded.finalizedFeaturesEpoch).toBe(7n);
    expect(decoded.zkMigrationReady).toBe(false);
    expect(decoded._unknownTaggedFields).toEqual([{ tag: 9, data: Buffer.from([1, 2, 3]) }]);
  });

  it('fills defaults for fields a version does not carry', () => {
    const w = new Writer();
    ApiVersions.encodeResponse(w, 0, { errorCode: 35, apiKeys: [] });
    const decoded = ApiVersions.decodeResponse(new Reader(w.toBuffer()), 0);
    expect(decoded).toMatchObject({ errorCode: 35, apiKeys: [], throttleTimeMs: 0, finalizedFeaturesEpoch: -1n });
  });

  it('rejects a non-default value for a field the version lacks unless ignorable', () => {
    const w = new Writer();
    expect(() => ApiVersions.encodeRequest(w, 2, { clientSoftwareName: 'x' })).toThrow(ProtocolError);
  });

  it('names the field path of a truncated frame', () => {
    const w = new Writer();
    ApiVersions.encodeResponse(w, 1, { errorCode: 0, apiKeys: [{ apiKey: 1, minVersion: 0, maxVersion: 1 }] });
    const bytes = w.toBuffer().subarray(0, 9);
    try {
      ApiVersions.decodeResponse(new Reader(bytes), 1);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe('TRUNCATED');
      expect((err as ProtocolError).path).toBe('ApiVersions v1 response.apiKeys[0].minVersion');
    }
  });
});
