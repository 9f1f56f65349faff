import fc from 'fast-check';
import { scanBatches } from '@oxbow/protocol';
import { describe, expect, it } from 'vitest';
import { InThreadParquetCodec, PARQUET_WRITERS, planParquetRead, type ParquetEncodeResult } from '../../src/index.js';
import { batchBounds, buildBatches, decodeAll, partitionArb, visible } from './helpers.js';

/** The byte ranges a Fetch path would GET, cut out of the file. */
function fetchRanges(encoded: ParquetEncodeResult, fromOffset: bigint, maxBytes: number) {
  const ranges = planParquetRead(encoded, fromOffset, maxBytes).map((r) => ({ offset: r.offset, bytes: encoded.file.subarray(r.offset, r.offset + r.length) }));
  return { fileSize: encoded.file.length, ranges };
}

describe.each(PARQUET_WRITERS)('Parquet codec (%s)', (writer) => {
  const codec = new InThreadParquetCodec({ writer });
  const runs = writer === 'parquetjs-lite' ? 15 : 40;

  it('round-trips random batches: every Kafka-visible field, original compression', async () => {
    await fc.assert(
      fc.asyncProperty(partitionArb, fc.integer({ min: 200, max: 5000 }), async ({ firstOffset, batches }, rowGroupBytes) => {
        const input = await buildBatches(firstOffset, batches);
        const encoded = await codec.encode(input, { rowGroupBytes });
        const bounds = batchBounds(input);
        expect(encoded.batches).toBe(bounds.length);
        expect(encoded.firstOffset).toBe(bounds[0]?.base);
        expect(encoded.lastOffset).toBe(bounds[bounds.length - 1]?.last);
        const want = await decodeAll(input);
        expect(encoded.rows).toBe(want.reduce((n, b) => n + b.records.length, 0));

        const all = await codec.decode(encoded.file, 0n, Number.MAX_SAFE_INTEGER);
        expect(all.endOfFile).toBe(true);
        expect(all.nextOffset).toBe(encoded.lastOffset + 1n);
        const got = await decodeAll(all.batches);
        expect(got.map((b) => visible(b, true))).toEqual(want.map((b) => visible(b, true)));
        // Uncompressed batches come back byte for byte (same fields, same CRC).
        const inViews = scanBatches(input);
        const outViews = scanBatches(all.batches);
        inViews.forEach((v, i) => {
          if (v.compression === 'none') expect(outViews[i]?.bytes().equals(v.bytes())).toBe(true);
          else expect(outViews[i]?.size).toBeGreaterThan(0);
        });
      }),
      { numRuns: runs },
    );
    // Property runs take seconds alone and much longer beside the rest of `npm test` on 2 cores.
  }, 120_000);

  it('decodes from any offset with Kafka fetch sizing, from whole files and fetched ranges', async () => {
    await fc.assert(
      fc.asyncProperty(partitionArb, fc.nat(), fc.integer({ min: 1, max: 4000 }), fc.constantFrom('none' as const, 'zstd' as const), async ({ firstOffset, batches }, pick, maxBytes, recompress) => {
        const input = await buildBatches(firstOffset, batches);
        const bounds = batchBounds(input);
        const encoded = await codec.encode(input, { rowGroupBytes: 600 });
        const span = bounds[bounds.length - 1]!.last - firstOffset + 3n;
        const from = firstOffset + BigInt(pick) % span;
        // Kafka: start at the batch containing `from` (or the next), first batch whole, then while within maxBytes.
        const start = bounds.findIndex((b) => b.last >= from);
        const fromWhole = await codec.decode(encoded.file, from, maxBytes, { batchCompression: recompress });
        const fromRanges = await codec.decode(fetchRanges(encoded, from, maxBytes), from, maxBytes, { batchCompression: recompress });
        for (const result of [fromWhole, fromRanges]) {
          const got = await decodeAll(result.batches);
          if (start === -1) {
            expect(got).toEqual([]);
            expect(result.endOfFile).toBe(true);
            continue;
          }
          expect(got.length).toBeGreaterThan(0);
          expect(got[0]?.baseOffset).toBe(bounds[start]?.base);
          expect(got.every((b) => b.compression === recompress)).toBe(true);
          expect(result.batches.length <= maxBytes || got.length === 1).toBe(true);
          const want = (await decodeAll(input)).slice(start, start + got.length);
          expect(got.map((b) => visible(b, false))).toEqual(want.map((b) => visible(b, false)));
          expect(result.nextOffset).toBe((bounds[start + got.length - 1]?.last ?? 0n) + 1n);
        }
        // The ranged read may stop earlier (at the last row group fetched), never return something else.
        expect(fromRanges.batchCount).toBeLessThanOrEqual(fromWhole.batchCount);
      }),
      {
        numRuns: runs,
        examples: [
          // Found in CI: a fetch starting inside a record-less batch stored after the last row group.
          [
            {
              firstOffset: 0n,
              batches: [
                { kind: 'plain', compression: 'none', logAppend: false, leaderEpoch: 0, producerId: 0n, producerEpoch: 0, baseSequence: 0, baseTimestamp: 0n, records: [{ key: null, value: Buffer.alloc(0), headers: [], tsDelta: 0n, gap: 0 }], tailGap: 0, gapBefore: 0 },
                { kind: 'plain', compression: 'none', logAppend: false, leaderEpoch: 0, producerId: 0n, producerEpoch: 0, baseSequence: 0, baseTimestamp: 0n, records: [], tailGap: 0, gapBefore: 1 },
              ],
            },
            6,
            1,
            'none',
          ],
        ],
      },
    );
    // Property runs take seconds alone and much longer beside the rest of `npm test` on 2 cores.
  }, 120_000);

  it('keeps int64 exact and row groups aligned to batches', async () => {
    const input = await buildBatches(2n ** 63n - 1000n, [
      { kind: 'idempotent', compression: 'zstd', logAppend: true, leaderEpoch: 3, producerId: 2n ** 62n + 1n, producerEpoch: 5, baseSequence: 2 ** 31 - 2, baseTimestamp: 2n ** 53n + 1n, records: Array.from({ length: 5 }, (_, i) => ({ key: null, value: Buffer.from([i]), headers: [], tsDelta: BigInt(i), gap: 0 })), tailGap: 0, gapBefore: 0 },
      { kind: 'plain', compression: 'none', logAppend: false, leaderEpoch: 3, producerId: 0n, producerEpoch: 0, baseSequence: 0, baseTimestamp: 1n, records: [{ key: Buffer.alloc(0), value: null, headers: [{ key: 'a', value: null }], tsDelta: 0n, gap: 0 }], tailGap: 0, gapBefore: 0 },
    ]);
    const encoded = await codec.encode(input, { rowGroupBytes: 1 });
    expect(encoded.rowGroups.map((g) => [g.firstOffset, g.lastOffset, g.rows, g.batches])).toEqual([
      [2n ** 63n - 1000n, 2n ** 63n - 996n, 5, 1],
      [2n ** 63n - 995n, 2n ** 63n - 995n, 1, 1],
    ]);
    const got = await decodeAll((await codec.decode(encoded.file, 0n, 1 << 20)).batches);
    expect(got[0]?.producerId).toBe(2n ** 62n + 1n);
    expect(got[0]?.records[4]?.timestamp).toBe(2n ** 53n + 1n + 777n);
  });

  it('rejects input that is not record batches, and options the writer cannot honour', async () => {
    await expect(codec.encode(Buffer.from('not a batch at all, certainly'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const input = await buildBatches(0n, [{ kind: 'plain', compression: 'none', logAppend: false, leaderEpoch: 0, producerId: 0n, producerEpoch: 0, baseSequence: 0, baseTimestamp: 0n, records: [{ key: null, value: null, headers: [], tsDelta: 0n, gap: 0 }], tailGap: 0, gapBefore: 0 }]);
    await expect(codec.encode(Buffer.concat([input, input]))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    if (writer === 'parquetjs-lite') await expect(codec.encode(input, { compression: 'brotli' })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    const encoded = await codec.encode(input, { compression: 'gzip' });
    await expect(codec.decode(encoded.file.subarray(0, encoded.file.length - 10), 0n, 100)).rejects.toMatchObject({ code: expect.stringMatching(/CORRUPT_FILE|MISSING_RANGE/) });
    await expect(codec.decode({ fileSize: encoded.file.length, ranges: [] }, 0n, 100)).rejects.toMatchObject({ code: 'MISSING_RANGE' });
  });
});
