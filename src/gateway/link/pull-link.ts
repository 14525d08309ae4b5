import type { GatewayResult } from '../gateway-types.js';
import { startPollSchedule, type PollSchedule, type PollScheduleState } from './poll-schedule.js';

// One pull link (KMP, IEC 62056-21, DLMS polled): the schedule of poll-schedule.ts around one
// protocol's `pollOnce`, which opens the port, asks the meter, closes the port and answers what it
// read as gateway results (readings and events). pollOnce never throws: the protocol's adapter
// (kmp-link.ts, iec-link.ts, dlms-link.ts) turns every failure into an event with its reason.

export interface PollOutcome {
  results: GatewayResult[];
  /** Whether the meter answered (a failure makes the schedule back off). */
  ok: boolean;
  /** In words, for the status page: "serial 71234567, 10 registers" or "no answer within 2000 ms". */
  detail: string;
}

export interface PullLinkView {
  state: 'connected' | 'disconnected';
  detail: string;
  poll: PollScheduleState & { intervalSeconds: number };
}

export interface PullLink {
  view(): PullLinkView;
  close(): Promise<void>;
}

export function startPullLink(o: {
  intervalSeconds: number;
  pollOnce(): Promise<PollOutcome>;
  onResult(r: GatewayResult): void;
  /** For tests: the schedule's jitter source and first wait. */
  schedule?: { random?: () => number; firstWithinMs?: number };
}): PullLink {
  let detail = 'first poll pending';
  let lastOk: boolean | null = null;
  const schedule: PollSchedule = startPollSchedule({
    intervalMs: o.intervalSeconds * 1000,
    ...(o.schedule?.random === undefined ? {} : { random: o.schedule.random }),
    ...(o.schedule?.firstWithinMs === undefined ? {} : { firstWithinMs: o.schedule.firstWithinMs }),
    async poll() {
      const outcome = await o.pollOnce();
      detail = outcome.detail;
      lastOk = outcome.ok;
      for (const r of outcome.results) o.onResult(r);
      if (!outcome.ok) throw new Error(outcome.detail);
    },
  });
  return {
    view: () => ({ state: lastOk === true ? 'connected' : 'disconnected', detail, poll: { ...schedule.state(), intervalSeconds: o.intervalSeconds } }),
    close: () => schedule.close(),
  };
}
