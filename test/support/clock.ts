import type { Clock } from '../../src/lib/clock.js';

/** A clock that only moves when a test moves it. */
export class FixedClock implements Clock {
  private current: number;
  constructor(start: string | Date = '2026-11-28T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(at: string | Date): void {
    this.current = new Date(at).getTime();
  }
}
