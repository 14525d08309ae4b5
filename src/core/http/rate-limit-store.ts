import type { FastifyRateLimitStore } from '@fastify/rate-limit';

interface Counter {
  count: number;
  /** When the window began (ms since the epoch). */
  start: number;
}

/**
 * The rate limiter's counters when there is no Redis: fixed windows per key, in this process.
 *
 * Why not the plugin's own LocalStore: it hands every caller the same mutable record, which the
 * plugin reads only after an await. Requests of one address arriving together then all saw the
 * final count, and a burst that crossed the limit was refused as a whole, the requests within the
 * limit included. Here each caller gets the count as it stood at its own increment.
 *
 * Bounded: past `capacity` keys the least recently counted one is dropped (it starts afresh).
 */
export class LocalCounterStore implements FastifyRateLimitStore {
  private readonly counters = new Map<string, Counter>();

  constructor(
    _options?: unknown,
    private readonly capacity = 10_000,
  ) {}

  incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow = 60_000): void {
    const now = Date.now();
    let counter = this.counters.get(key);
    if (!counter || now - counter.start >= timeWindow) counter = { count: 0, start: now };
    counter.count += 1;
    // Re-inserted, so the Map's order is the order of last use and the first key the stalest.
    this.counters.delete(key);
    this.counters.set(key, counter);
    if (this.counters.size > this.capacity) {
      const stalest = this.counters.keys().next().value;
      if (stalest !== undefined) this.counters.delete(stalest);
    }
    callback(null, { current: counter.count, ttl: counter.start + timeWindow - now });
  }

  child(): LocalCounterStore {
    return new LocalCounterStore(undefined, this.capacity);
  }
}
