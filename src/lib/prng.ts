// One seeded PRNG (mulberry32) for everything that must be reproducible from a seed: the demo
// inventory (`demo seed --seed S`), the simulated meters and receivers of the bench, and the
// tests' random inputs. Small and fast, and never for keys or tokens: those come from node:crypto
// (docs/security.md, SEC-10). The sequence for a seed is part of the contract (prng.test.ts pins it).

/** Every method is a closure over the state, so it may be taken off the object (`const { next, int } = rng`). */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** One of the items; throws on an empty list rather than inventing a value. */
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    between: (min, max) => min + (max - min) * next(),
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick from nothing');
      return item;
    },
  };
}

/** A value that drifts by at most `step` per call and stays within [min, max]. */
export function drift(rng: Rng, value: number, step: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value + rng.between(-step, step)));
}
