import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_APIS, lookupApi } from '../../src/apis/registry.js';
import { ProtocolError } from '../../src/errors/protocol-error.js';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame, FrameDecoder } from '../../src/framing.js';
import { scanBatches } from '../../src/records/batch-view.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../src/records/record-batch.js';
import type { Api } from '../../src/schema/api.js';
import { message } from '../support/arbitrary.js';

/** Deterministic PRNG (mulberry32) so every run mutates the same way. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutation: bit flips, truncation, a corrupted length/count, or a spliced byte run. */
function mutate(frame: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(frame);
  const pick = (n: number): number => Math.floor(rand() * n);
  switch (pick(5)) {
    case 0: {
      const flips = 1 + pick(4);
      for (let i = 0; i < flips && out.length > 0; i++) {
        const at = pick(out.length);
        out[at] = (out[at] as number) ^ (1 << pick(8));
      }
      return out;
    }
    case 1:
      return out.subarray(0, pick(out.length));
    case 2: {
      if (out.length < 4) return out;
      const at = pick(out.length - 3);
      const evil = [-1, -2, 0x7fffffff, 0x7fff, 0x8000, 0xffff, out.length, out.length + 1, 0x40000000][pick(9)] as number;
      if (rand() < 0.5) out.writeInt32BE(evil | 0, at);
      else out.writeUInt16BE(evil & 0xffff, at);
      return out;
    }
    case 3: {
      // Unsigned-varint bombs: a run of continuation bytes.
      const at = pick(out.length + 1);
      return Buffer.concat([out.subarray(0, at), Buffer.alloc(1 + pick(8), 0xff), out.subarray(at)]);
    }
    default: {
      const at = pick(out.length + 1);
      return Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + pick(6) }, () => pick(256))), out.subarray(at)]);
    }
  }
}

/** Valid seed frames for every API and version: requests (with header) and response bodies. */
function seeds(): { api: Api; version: number; request: Buffer; response: Buffer }[] {
  const out: { api: Api; version: number; request: Buffer; response: Buffer }[] = [];
  for (const api of ALL_APIS) {
    for (let version = api.minVersion; version <= api.maxVersion; version++) {
      const flexible = api.isFlexible(version);
      const [req] = fc.sample(message(api.request, version, flexible), { numRuns: 1, seed: api.apiKey * 31 + version });
      const [res] = fc.sample(message(api.response, version, flexible), { numRuns: 1, seed: api.apiKey * 37 + version });
      const request = Buffer.concat(encodeRequestFrame(api, { apiVersion: version, correlationId: 1, clientId: 'fuzz' }, req as never)).subarray(4);
      const response = Buffer.concat(encodeResponseFrame(api, version, 1, res as never)).subarray(4);
      out.push({ api, version, request, response });
    }
  }
  return out;
}

const FRAMES = 100_000;
const TIME_BUDGET_MS = 60_000;

describe('decoder fuzzing', () => {
  it(`decodes ${FRAMES} mutated frames with nothing but ProtocolError`, () => {
    const rand = rng(0x0b0b0b);
    const base = seeds();
    const started = Date.now();
    const outcomes = { ok: 0, protocolError: 0 };
    const codes = new Map<string, number>();
    let done = 0;
    for (; done < FRAMES && Date.now() - started < TIME_BUDGET_MS; done++) {
      const seed = base[Math.floor(rand() * base.length)];
      if (seed === undefined) continue;
      const asResponse = rand() < 0.3;
      const frame = mutate(asResponse ? seed.response : seed.request, rand);
      try {
        if (asResponse) decodeResponseFrame(frame, seed.api, seed.version);
        else decodeRequestFrame(frame, lookupApi);
        outcomes.ok++;
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw new Error(`non-ProtocolError for ${seed.api.name} v${seed.version}: ${String(err)}`, { cause: err });
        outcomes.protocolError++;
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      }
    }
    console.log(`fuzz: ${done} frames in ${Date.now() - started} ms`, outcomes, Object.fromEntries(codes));
    expect(done).toBe(FRAMES);
    expect(outcomes.protocolError).toBeGreaterThan(done / 4);
  }, 120_000);

  it('rejects oversize and negative frame sizes before allocating', () => {
    const d = new FrameDecoder(1024);
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(0x7fffffff);
    expect(() => d.push(huge)).toThrow(/FRAME_TOO_LARGE/);
    const neg = Buffer.alloc(4);
    neg.writeInt32BE(-5);
    expect(() => new FrameDecoder().push(neg)).toThrow(/NEGATIVE_LENGTH/);
  });

  it('decodes mutated record batches with nothing but ProtocolError', async () => {
    const rand = rng(42);
    const batches = await Promise.all(
      (['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const).map((compression) =>
        encodeRecordBatch({
          compression,
          records: Array.from({ length: 5 }, (_, i) => ({
            timestamp: 1_700_000_000_000n + BigInt(i),
            key: Buffer.from(`k${i}`),
            value: Buffer.alloc(40, i),
            headers: [{ key: 'h', value: Buffer.from('v') }],
          })),
        }),
      ),
    );
    let errors = 0;
    for (let i = 0; i < 5_000; i++) {
      const frame = mutate(batches[i % batches.length] as Buffer, rand);
      try {
        for (const view of scanBatches(frame)) await decodeRecordBatch(view, { verifyCrc: rand() < 0.5 });
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw new Error(`non-ProtocolError: ${String(err)}`, { cause: err });
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(1000);
  }, 60_000);
});
