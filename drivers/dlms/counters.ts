import { DlmsError } from './errors.js';

// The replay guard of ciphered APDUs: per system title, the invocation counter must rise strictly
// (DLMS UA 1000-2 9.2.7: a receiver refuses a counter not above the last accepted). The map is
// bounded: past `max` titles the one heard least recently is forgotten, so a replay for a title
// forgotten that way is accepted once — the price of bounded memory, the same trade-off as the
// wM-Bus pipeline's per-meter caches.

export const INVOCATION_COUNTERS_MAX = 10_000;

export class InvocationCounters {
  private readonly lastByTitle = new Map<string, number>();
  private readonly max: number;

  constructor(max = INVOCATION_COUNTERS_MAX) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max ${max} must be a positive integer`);
    this.max = max;
  }

  /** Records `ic` for the title, or throws DlmsError 'counter-replay' (at `offset`) when it is not above the last. */
  accept(systemTitleHex: string, ic: number, offset = 0): void {
    const last = this.lastByTitle.get(systemTitleHex);
    if (last !== undefined) {
      if (ic <= last) throw new DlmsError('counter-replay', offset, `invocation counter ${ic} is not above the last accepted ${last} for system title ${systemTitleHex}`);
      this.lastByTitle.delete(systemTitleHex); // re-inserted below: most recently heard last
    } else if (this.lastByTitle.size >= this.max) {
      const oldest = this.lastByTitle.keys().next();
      if (!oldest.done) this.lastByTitle.delete(oldest.value);
    }
    this.lastByTitle.set(systemTitleHex, ic);
  }

  last(systemTitleHex: string): number | undefined {
    return this.lastByTitle.get(systemTitleHex);
  }

  get size(): number {
    return this.lastByTitle.size;
  }
}
