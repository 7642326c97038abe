// A small seeded PRNG for the demo data: xoshiro128** seeded through splitmix32.
// Math.random is never used, so the same seed always gives the same genome, reads and manifests.

export interface Rng {
  /** Uniform unsigned 32-bit integer. */
  nextU32: () => number;
  /** Uniform float in [0, 1). */
  next: () => number;
  /** Uniform integer in [min, max] (both inclusive). */
  int: (min: number, max: number) => number;
  /** True with probability p. */
  chance: (p: number) => boolean;
  /** One element of a non-empty array. */
  pick: <T>(items: readonly T[]) => T;
  /** A new array with the items in random order (Fisher–Yates). */
  shuffle: <T>(items: readonly T[]) => T[];
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`PRNG seed must be an integer, got ${seed}`);
  const init = splitmix32(seed);
  let s0 = init();
  let s1 = init();
  let s2 = init();
  let s3 = init();
  // xoshiro's state must not be all zero; splitmix32 makes that practically impossible, but be sure.
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  };
  const next = (): number => nextU32() / 0x1_0000_0000;
  const int = (min: number, max: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new Error(`bad integer range [${min}, ${max}]`);
    }
    return min + Math.floor(next() * (max - min + 1));
  };
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty array');
    return item;
  };
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(0, i);
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  };
  return { nextU32, next, int, chance: (p) => next() < p, pick, shuffle };
}

/**
 * A derived seed for one purpose (e.g. dwgsim's `-z` for one sample and haplotype): FNV-1a over
 * the master seed and the labels, mixed once more. Always a positive 31-bit integer, so every
 * tool accepts it.
 */
export function deriveSeed(master: number, ...labels: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of [String(master), ...labels.map(String)].join('\u0000')) {
    h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  }
  const mixed = splitmix32(h)();
  return mixed & 0x7fffffff || 1;
}
