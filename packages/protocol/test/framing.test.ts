import { describe, expect, it } from 'vitest';
import { ApiVersions } from '../src/apis/api-versions.js';
import { lookupApi } from '../src/apis/registry.js';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame, FrameDecoder } from '../src/framing.js';

describe('framing and headers', () => {
  it('reassembles frames split at every byte boundary', () => {
    const frame = Buffer.concat(encodeRequestFrame(ApiVersions, { apiVersion: 3, correlationId: 42, clientId: 'c' }, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }));
    const stream = Buffer.concat([frame, frame, frame]);
    for (let cut = 1; cut < stream.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(frames).toHaveLength(3);
      for (const f of frames) expect(decodeRequestFrame(f, lookupApi).header.correlationId).toBe(42);
      expect(d.bufferedBytes).toBe(0);
    }
  });

  it('asks its allocator only for frames that span chunks, showing the frame\'s first bytes', () => {
    const frame = Buffer.concat(encodeRequestFrame(ApiVersions, { apiVersion: 3, correlationId: 7, clientId: 'c' }, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }));
    const asked: { size: number; apiKey: number }[] = [];
    const d = new FrameDecoder(undefined, (size, head) => {
      asked.push({ size, apiKey: head.readInt16BE(0) });
      return Buffer.alloc(size);
    });
    expect(d.push(frame)).toHaveLength(1); // whole in one chunk: a view, no allocation
    expect(asked).toEqual([]);
    const frames = [...d.push(frame.subarray(0, 10)), ...d.push(frame.subarray(10))];
    expect(frames).toHaveLength(1);
    expect(asked).toEqual([{ size: frame.length - 4, apiKey: ApiVersions.apiKey }]);
    expect(decodeRequestFrame(frames[0] ?? Buffer.alloc(0), lookupApi).header.correlationId).toBe(7);
  });

  it('uses request header v2 with tagged fields for flexible versions and v1 otherwise', () => {
    const v3 = Buffer.concat(encodeRequestFrame(ApiVersions, { apiVersion: 3, correlationId: 1, clientId: 'ab' }, {})).subarray(4);
    const v2 = Buffer.concat(encodeRequestFrame(ApiVersions, { apiVersion: 2, correlationId: 1, clientId: 'ab' }, {})).subarray(4);
    // key(2) version(2) correlation(4) clientId(int16 2 + 2) = 12; v2 header adds the tagged-field count.
    expect(v2.length).toBe(12);
    expect(v3[12]).toBe(0);
  });

  it('answers ApiVersions with response header v0 even in flexible versions', () => {
    const frame = Buffer.concat(encodeResponseFrame(ApiVersions, 3, 77, { errorCode: 0, apiKeys: [] })).subarray(4);
    // correlation id then straight into the body (error code), no header tagged fields
    expect(frame.readInt32BE(0)).toBe(77);
    expect(frame.readInt16BE(4)).toBe(0);
    expect(decodeResponseFrame(frame, ApiVersions, 3).correlationId).toBe(77);
  });

  it('reports unknown API keys with a typed error', () => {
    const frame = Buffer.from([0x03, 0xe7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff]);
    expect(() => decodeRequestFrame(frame, lookupApi)).toThrow(expect.objectContaining({ code: 'UNKNOWN_API' }));
  });

  it('reports unsupported versions with UNSUPPORTED_VERSION after reading the header', () => {
    const frame = Buffer.concat(encodeRequestFrame(ApiVersions, { apiVersion: 3, correlationId: 9, clientId: null }, {})).subarray(4);
    frame.writeInt16BE(99, 2);
    expect(() => decodeRequestFrame(frame, lookupApi)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION', kafkaErrorCode: 35 }));
  });

  it('tolerates and reports trailing bytes after a request body, as Kafka does', () => {
    const frame = Buffer.concat([...encodeRequestFrame(ApiVersions, { apiVersion: 1, correlationId: 1, clientId: null }, {}), Buffer.from([0])]).subarray(4);
    expect(decodeRequestFrame(frame, lookupApi).trailingBytes).toBe(1);
  });
});
