import { ProtocolError } from '../errors/protocol-error.js';

/**
 * A version range as written in Kafka's message definitions: `"3+"`, `"0-7"`, `"5"` or `"none"`.
 */
export type VersionRange = string;

export interface ParsedRange {
  readonly min: number;
  readonly max: number;
}

const cache = new Map<string, ParsedRange | null>();

/** Parses a range; `null` means "none". */
export function parseRange(range: VersionRange): ParsedRange | null {
  const hit = cache.get(range);
  if (hit !== undefined) return hit;
  let parsed: ParsedRange | null;
  if (range === 'none') parsed = null;
  else {
    const m = /^(\d+)(\+|-(\d+))?$/.exec(range);
    if (m === null) throw new ProtocolError('INVALID_VALUE', `bad version range "${range}"`);
    const min = Number(m[1]);
    const max = m[2] === '+' ? Number.MAX_SAFE_INTEGER : m[3] === undefined ? min : Number(m[3]);
    parsed = { min, max };
  }
  cache.set(range, parsed);
  return parsed;
}

export function inRange(range: VersionRange | undefined, version: number): boolean {
  if (range === undefined) return false;
  const r = parseRange(range);
  return r !== null && version >= r.min && version <= r.max;
}
