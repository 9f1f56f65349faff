import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC32C (Castagnoli) as record batches v2 use it. Backed by @node-rs/crc32, which uses the
 * SSE4.2/ARMv8 CRC instructions; `bench/codec.bench.ts` compares it with a table-driven JS version.
 */
export function crc32c(data: Buffer, initial = 0): number {
  return nativeCrc32c(data, initial) >>> 0;
}
