// A small seeded PRNG (mulberry32): the bench is reproducible from its seed.
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  int(maxExclusive: number): number;
}

export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, between: (min, max) => min + (max - min) * next(), int: (n) => Math.floor(next() * n) };
}

/** A value that drifts by at most `step` per call and stays within [min, max]. */
export function drift(rng: Rng, value: number, step: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value + rng.between(-step, step)));
}
