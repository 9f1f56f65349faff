import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_APIS } from '../../src/apis/registry.js';
import { Reader } from '../../src/io/reader.js';
import { Writer } from '../../src/io/writer.js';
import type { Api } from '../../src/schema/api.js';
import { message } from '../support/arbitrary.js';

const RUNS = 25;

function roundTrip(
  encode: (w: Writer, v: number, body: never) => void,
  decode: (r: Reader, v: number) => Record<string, unknown>,
  version: number,
  body: Record<string, unknown>,
): void {
  const w = new Writer();
  encode(w, version, body as never);
  const bytes = w.toBuffer();
  const r = new Reader(bytes);
  const decoded = decode(r, version);
  expect(r.remaining).toBe(0);
  // Every value we chose comes back (nested structs also gain defaults for fields the version lacks).
  expect(decoded).toMatchObject(body);
  // And the decoded message encodes to the same bytes.
  const again = new Writer();
  encode(again, version, decoded as never);
  expect(again.toBuffer().equals(bytes)).toBe(true);
}

describe.each(ALL_APIS.map((api) => [api.name, api] as const))('%s', (_name, api: Api) => {
  const versions = Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i);
  it.each(versions)('request and response round-trip at v%i', (version) => {
    const flexible = api.isFlexible(version);
    fc.assert(
      fc.property(message(api.request, version, flexible), (body) =>
        roundTrip(api.encodeRequest.bind(api), api.decodeRequest.bind(api), version, body),
      ),
      { numRuns: RUNS, seed: 0x0b0 + api.apiKey * 100 + version },
    );
    fc.assert(
      fc.property(message(api.response, version, flexible), (body) =>
        roundTrip(api.encodeResponse.bind(api), api.decodeResponse.bind(api), version, body),
      ),
      { numRuns: RUNS, seed: 0x0b1 + api.apiKey * 100 + version },
    );
  });
});
