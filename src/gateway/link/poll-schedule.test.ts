import { describe, expect, it } from 'vitest';
import { backoffFor, nextWaitMs, startPollSchedule } from './poll-schedule.js';

// The pull links' schedule (docs/gateway.md "Polling"): jitter within its bounds, backoff doubling
// to its cap, and never two polls of one link at once — checked on real timers with short intervals.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('nextWaitMs', () => {
  const backoff = backoffFor(900_000);
  it('after a success: the interval moved by at most the jitter either way', () => {
    expect(nextWaitMs({ intervalMs: 900_000, jitter: 0.1, backoff, failingInRow: 0, random: 0 })).toBe(810_000);
    expect(nextWaitMs({ intervalMs: 900_000, jitter: 0.1, backoff, failingInRow: 0, random: 0.5 })).toBe(900_000);
    expect(nextWaitMs({ intervalMs: 900_000, jitter: 0.1, backoff, failingInRow: 0, random: 0.99 })).toBe(988_200);
  });

  it('after failures: 10 s, doubling, capped at an hour for a 15-minute interval; never beyond one interval for a short one', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => nextWaitMs({ intervalMs: 900_000, jitter: 0.1, backoff, failingInRow: n, random: 0.5 }));
    expect(waits).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 2_560_000]);
    expect(nextWaitMs({ intervalMs: 900_000, jitter: 0.1, backoff, failingInRow: 40, random: 0.5 })).toBe(3_600_000);
    expect(backoffFor(30_000)).toEqual({ initialMs: 10_000, capMs: 120_000 });
    expect(backoffFor(5_000)).toEqual({ initialMs: 5_000, capMs: 20_000 });
  });
});

describe('startPollSchedule', () => {
  it('a poll slower than the interval: the next starts only after it ended, never two at once', async () => {
    let running = 0;
    let most = 0;
    const starts: number[] = [];
    const schedule = startPollSchedule({
      intervalMs: 20, jitter: 0, firstWithinMs: 0, random: () => 0,
      async poll() {
        running += 1;
        most = Math.max(most, running);
        starts.push(Date.now());
        await sleep(60);
        running -= 1;
      },
    });
    await sleep(300);
    await schedule.close();
    expect(most).toBe(1);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(starts.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < starts.length; i += 1) expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBeGreaterThanOrEqual(75);
    const s = schedule.state();
    expect(s).toMatchObject({ failures: 0, failingInRow: 0, running: false, nextPollAt: null });
    expect(s.polls).toBe(starts.length);
  });

  it('failures back off (10, 20, 40 ms here), a success resets to the interval; close() stops it for good', async () => {
    const at: number[] = [];
    let n = 0;
    const schedule = startPollSchedule({
      intervalMs: 200, jitter: 0, firstWithinMs: 0, random: () => 0, backoff: { initialMs: 10, capMs: 1000 },
      poll: async () => {
        at.push(Date.now());
        n += 1;
        if (n <= 3) throw new Error('no answer');
      },
    });
    await sleep(150);
    expect(at).toHaveLength(4);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(19);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(schedule.state()).toMatchObject({ polls: 4, failures: 3, failingInRow: 0 });
    expect(schedule.state().lastOkAt).not.toBeNull();
    await schedule.close();
    await sleep(250);
    expect(at).toHaveLength(4);
  });
});
