/**
 * What a test sent, in one client-neutral shape, so records read back through kafkajs's decoder or
 * through @oxbow/protocol's can be compared byte for byte with what was produced.
 */
import type { KafkaRecord } from '@oxbow/protocol';
import type { KafkajsRecord } from './kafkajs-broker.js';

export interface SentRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Header pairs in wire order (a key may repeat). */
  readonly headers: readonly (readonly [string, Buffer])[];
  readonly timestamp: bigint;
}

/** kafkajs headers object: repeated keys as arrays. Wire order is the object's key order. */
export type KafkajsHeaders = Record<string, Buffer | Buffer[]>;

/**
 * Groups header pairs into kafkajs's object form. Only valid when each key's pairs are adjacent
 * and keys are not integer-like (JS reorders those), which `sentRecordHeaders` guarantees.
 */
export function toKafkajsHeaders(headers: SentRecord['headers']): KafkajsHeaders {
  const out: KafkajsHeaders = {};
  for (const [k, v] of headers) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function fromKafkajs(m: KafkajsRecord): SentRecord {
  const headers: (readonly [string, Buffer])[] = [];
  for (const [k, v] of Object.entries(m.headers)) {
    for (const one of Array.isArray(v) ? v : [v]) headers.push([k, one]);
  }
  return { key: m.key, value: m.value, headers, timestamp: BigInt(m.timestamp) };
}

export function fromProtocol(r: KafkaRecord): SentRecord {
  return {
    key: r.key,
    value: r.value,
    headers: r.headers.map((h) => [h.key, h.value ?? Buffer.alloc(0)] as const),
    timestamp: r.timestamp,
  };
}

function bytesDiff(what: string, expected: Buffer | null, actual: Buffer | null): string | null {
  if (expected === null || actual === null) {
    return expected === actual ? null : `${what}: expected ${expected === null ? 'null' : `${expected.length} B`}, got ${actual === null ? 'null' : `${actual.length} B`}`;
  }
  if (expected.equals(actual)) return null;
  return `${what}: expected ${expected.length} B, got ${actual.length} B (bytes differ)`;
}

/** Why `actual` is not `expected`, or null when they are the same record. */
export function recordDiff(expected: SentRecord, actual: SentRecord): string | null {
  const problems: string[] = [];
  const key = bytesDiff('key', expected.key, actual.key);
  if (key !== null) problems.push(key);
  const value = bytesDiff('value', expected.value, actual.value);
  if (value !== null) problems.push(value);
  if (expected.timestamp !== actual.timestamp) problems.push(`timestamp: expected ${expected.timestamp}, got ${actual.timestamp}`);
  if (expected.headers.length !== actual.headers.length) {
    problems.push(`headers: expected ${expected.headers.length}, got ${actual.headers.length}`);
  } else {
    expected.headers.forEach(([k, v], i) => {
      const a = actual.headers[i];
      if (a === undefined || a[0] !== k || !a[1].equals(v)) problems.push(`header ${i} (${k}) differs`);
    });
  }
  return problems.length === 0 ? null : problems.join('; ');
}

/** Compares two sequences record by record; returns at most `limit` descriptions of differences. */
export function sequenceDiff(expected: readonly SentRecord[], actual: readonly SentRecord[], firstOffset = 0n, limit = 10): string[] {
  const out: string[] = [];
  if (expected.length !== actual.length) out.push(`expected ${expected.length} records, got ${actual.length}`);
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n && out.length < limit; i++) {
    const d = recordDiff(expected[i] as SentRecord, actual[i] as SentRecord);
    if (d !== null) out.push(`offset ${firstOffset + BigInt(i)}: ${d}`);
  }
  return out;
}
