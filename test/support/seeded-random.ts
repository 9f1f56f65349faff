/**
 * A small seeded PRNG (mulberry32) so randomized e2e and chaos scenarios can print their seed and
 * be replayed exactly: `SEED=1234 npx vitest run e2e/...`.
 */
export interface SeededRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** n pseudo-random bytes. */
  bytes(n: number): Buffer;
}

/** The seed from the SEED environment variable, else a fresh one. */
export function seedFromEnv(): number {
  const fromEnv = process.env.SEED;
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : (Math.random() * 0x1_0000_0000) >>> 0;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const nextU32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => nextU32() / 0x1_0000_0000;
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    bytes(n) {
      const out = Buffer.allocUnsafe(n);
      let i = 0;
      for (; i + 4 <= n; i += 4) out.writeUInt32LE(nextU32(), i);
      for (; i < n; i++) out[i] = nextU32() & 0xff;
      return out;
    },
  };
}
