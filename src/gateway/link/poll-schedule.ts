// When a pull link (KMP, IEC 62056-21, DLMS) asks its meter: every `intervalMs`, each wait moved
// by up to ±`jitter` of it so that links started together (and gateways of one site) do not all
// wake the meters in the same second; never two polls of a link at once (the next wait starts when
// a poll ends, however long it took); after a failure the next try comes sooner at first and then
// later and later (backoff), so that a meter back on the eye is read again soon but a dead one does
// not drain its battery or fill the log. docs/gateway.md "Polling".

export interface PollScheduleOptions {
  intervalMs: number;
  /** The share of the interval by which each wait may move either way (default 0.1). */
  jitter?: number;
  /** The wait before the first poll: at most this (default: min(interval, 2 s)), jittered from 0. */
  firstWithinMs?: number;
  /** After the n-th failure in a row: min(capMs, initialMs·2^(n-1)); defaults in backoffFor(). */
  backoff?: { initialMs: number; capMs: number };
  /** One poll; a rejection counts as a failure (the caller has already reported why). */
  poll(): Promise<void>;
  /** For tests: [0, 1). */
  random?: () => number;
}

export interface PollScheduleState {
  polls: number;
  failures: number;
  /** Failures since the last success. */
  failingInRow: number;
  running: boolean;
  lastPollAt: string | null;
  lastOkAt: string | null;
  nextPollAt: string | null;
}

export interface PollSchedule {
  state(): PollScheduleState;
  /** Stops the timer and waits for a poll under way to end. */
  close(): Promise<void>;
}

/** Retry 10 s after a failure (or sooner for short intervals), doubling, capped at 4 intervals but at most an hour (never below one interval). */
export function backoffFor(intervalMs: number): { initialMs: number; capMs: number } {
  return { initialMs: Math.min(intervalMs, 10_000), capMs: Math.max(intervalMs, Math.min(4 * intervalMs, 3_600_000)) };
}

/** The wait after a poll: the interval jittered after a success, the backoff after failures. */
export function nextWaitMs(o: { intervalMs: number; jitter: number; backoff: { initialMs: number; capMs: number }; failingInRow: number; random: number }): number {
  if (o.failingInRow > 0) return Math.min(o.backoff.capMs, o.backoff.initialMs * 2 ** Math.min(o.failingInRow - 1, 30));
  const spread = o.intervalMs * o.jitter;
  return Math.max(0, Math.round(o.intervalMs - spread + 2 * spread * o.random));
}

export function startPollSchedule(o: PollScheduleOptions): PollSchedule {
  const random = o.random ?? Math.random;
  const jitter = o.jitter ?? 0.1;
  const backoff = o.backoff ?? backoffFor(o.intervalMs);
  const s: PollScheduleState = { polls: 0, failures: 0, failingInRow: 0, running: false, lastPollAt: null, lastOkAt: null, nextPollAt: null };
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> | null = null;
  let closed = false;

  const arm = (ms: number): void => {
    if (closed) return;
    s.nextPollAt = new Date(Date.now() + ms).toISOString();
    timer = setTimeout(run, ms);
  };

  function run(): void {
    timer = null;
    if (closed) return;
    s.running = true;
    s.nextPollAt = null;
    s.lastPollAt = new Date().toISOString();
    s.polls += 1;
    current = o.poll().then(
      () => {
        s.failingInRow = 0;
        s.lastOkAt = new Date().toISOString();
      },
      () => {
        s.failures += 1;
        s.failingInRow += 1;
      },
    );
    void current.finally(() => {
      s.running = false;
      current = null;
      arm(nextWaitMs({ intervalMs: o.intervalMs, jitter, backoff, failingInRow: s.failingInRow, random: random() }));
    });
  }

  arm(Math.round((o.firstWithinMs ?? Math.min(o.intervalMs, 2000)) * random()));
  return {
    state: () => ({ ...s }),
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      s.nextPollAt = null;
      await current;
    },
  };
}
