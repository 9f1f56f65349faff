import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/errors/protocol-error.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';

describe('Reader/Writer primitives', () => {
  it('round-trip varints, varlongs and unsigned varints at their limits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (i, l, u) => {
        const w = new Writer(4).writeVarint(i).writeVarlong(l).writeUnsignedVarint(u);
        const r = new Reader(w.toBuffer());
        expect([r.readVarint(), r.readVarlong(), r.readUnsignedVarint(), r.remaining]).toEqual([i, l, u, 0]);
      }),
      { seed: 1 },
    );
  });

  it('encodes varints as the protocol guide shows', () => {
    expect(new Writer().writeUnsignedVarint(300).toBuffer()).toEqual(Buffer.from([0xac, 0x02]));
    expect(new Writer().writeVarint(-1).toBuffer()).toEqual(Buffer.from([0x01]));
    expect(new Writer().writeVarint(1).toBuffer()).toEqual(Buffer.from([0x02]));
  });

  it('rejects varints that overflow 32 or 64 bits', () => {
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x1f])).readUnsignedVarint()).toThrow(/VARINT_OVERFLOW/);
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).readUnsignedVarint()).toThrow(/VARINT_OVERFLOW/);
    expect(() => new Reader(Buffer.alloc(11, 0xff)).readVarlong()).toThrow(/VARINT_OVERFLOW/);
    expect(() => new Reader(Buffer.from([0x80])).readUnsignedVarint()).toThrow(/TRUNCATED/);
  });

  it('round-trips classic and compact strings, bytes and nulls', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), fc.option(fc.uint8Array(), { nil: null }), (s, b) => {
        const buf = b === null ? null : Buffer.from(b);
        const w = new Writer().writeNullableString(s).writeCompactNullableString(s).writeNullableBytes(buf).writeCompactNullableBytes(buf);
        const r = new Reader(w.toBuffer());
        expect([r.readNullableString(), r.readCompactNullableString(), r.readNullableBytes(), r.readCompactNullableBytes()]).toEqual([s, s, buf, buf]);
      }),
      { seed: 2 },
    );
  });

  it('rejects invalid UTF-8 where a string is required', () => {
    const bad = Buffer.from([0x00, 0x02, 0xc3, 0x28]);
    expect(() => new Reader(bad).readString()).toThrow(expect.objectContaining({ code: 'INVALID_UTF8' }));
  });

  it('rejects lengths and counts that cannot fit in what is left', () => {
    const r = new Reader(Buffer.from([0x00, 0x00, 0x10, 0x00, 0x01]));
    expect(() => r.readArrayLength()).toThrow(expect.objectContaining({ code: 'ARRAY_TOO_LONG' }));
    expect(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff])).readNullableBytes()).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xfe])).readNullableBytes()).toThrow(expect.objectContaining({ code: 'NEGATIVE_LENGTH' }));
    expect(() => new Reader(Buffer.from([0xff, 0xfe])).readNullableString()).toThrow(ProtocolError);
  });

  it('keeps large blobs by reference and patches size prefixes', () => {
    const blob = Buffer.alloc(10_000, 1);
    const w = new Writer().writeInt32(0).writeInt16(5).writeRaw(blob).writeInt8(9);
    w.patchInt32(0, w.length - 4);
    const chunks = w.toChunks();
    expect(chunks).toContain(blob);
    const all = w.toBuffer();
    expect(all.readInt32BE(0)).toBe(2 + 10_000 + 1);
    expect(all[all.length - 1]).toBe(9);
  });

  it('reads uuids in canonical form', () => {
    const id = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    expect(new Reader(new Writer().writeUuid(id).toBuffer()).readUuid()).toBe(id);
    expect(() => new Writer().writeUuid('nope')).toThrow(ProtocolError);
  });
});
