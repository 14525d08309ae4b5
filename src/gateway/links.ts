import type { Logger } from 'pino';
import { InvocationCounters } from '../../drivers/dlms/index.js';
import { stickCodecs } from '../../drivers/wmbus-sticks/index.js';
import type { GatewayConfig, LinkConfig } from './config/gateway-config.js';
import type { GatewayResult, HeardTelegram, KeySource } from './gateway-types.js';
import { listenDlmsPushes } from './link/dlms-push-link.js';
import { dlmsPollOnce } from './link/dlms-link.js';
import { createDlmsPushHandler } from './link/dlms-push.js';
import { iecPollOnce } from './link/iec-link.js';
import { kmpPollOnce } from './link/kmp-link.js';
import { startPullLink, type PollOutcome, type PullLink } from './link/pull-link.js';
import { startStickLink, type LinkStatus } from './link/stick-link.js';

// Every configured link started the way its protocol needs (docs/gateway.md "Links"): a wM-Bus
// stick is listened to and hands telegrams to the pipeline; a KMP, IEC 62056-21 or DLMS meter is
// polled on a schedule (pull-link.ts) and hands readings and events; a DLMS link with `push: true`
// is listened to for DataNotifications. One view per link for the status page.

export interface LinkView {
  name: string;
  protocol: LinkConfig['protocol'];
  state: 'connected' | 'disconnected';
  detail: string;
  /** Pull links: how often, when last and next, and how many polls failed. */
  poll?: { intervalSeconds: number; polls: number; failures: number; lastPollAt: string | null; lastOkAt: string | null; nextPollAt: string | null };
}

export interface RunningLinks {
  views(): LinkView[];
  close(): Promise<void>;
}

export interface LinkSinks {
  /** A wM-Bus telegram, for the decode pipeline. */
  onTelegram(heard: HeardTelegram): void;
  /** A reading or event of a pulled or pushing meter, the grant already checked (pulled-readings.ts). */
  onResult(result: GatewayResult): void;
}

interface Running {
  view(): Omit<LinkView, 'name' | 'protocol'>;
  close(): Promise<void>;
}

function stickLink(lc: Extract<LinkConfig, { protocol: 'wmbus' }>, sinks: LinkSinks, log: Logger): Running {
  const base = stickCodecs[lc.stick];
  const codec = lc.baud === undefined ? base : { ...base, baudRate: lc.baud };
  let state: Omit<LinkView, 'name' | 'protocol'> = { state: 'disconnected', detail: 'connecting' };
  const link = startStickLink({
    target: lc.target,
    codec,
    ...(lc.mode === undefined ? {} : { receiveMode: lc.mode }),
    onTelegram: (ev) => sinks.onTelegram({ telegram: ev.telegram, ...(ev.rssiDbm === undefined ? {} : { rssiDbm: ev.rssiDbm }), receivedAt: new Date(), link: lc.name }),
    onStatus: (s: LinkStatus) => {
      state = s.kind === 'connected' ? { state: 'connected', detail: s.link } : { state: 'disconnected', detail: `${s.reason}; retrying in ${s.retryInMs} ms` };
      if (s.kind === 'connected') log.info({ link: lc.name, target: s.link, stick: lc.stick }, 'link connected');
      else log.warn({ link: lc.name, target: s.link, reason: s.reason, retryInMs: s.retryInMs }, 'link disconnected');
    },
  });
  return { view: () => state, close: () => link.close() };
}

function dlmsPushLink(lc: Extract<LinkConfig, { protocol: 'dlms' }>, keys: KeySource, counters: InvocationCounters, sinks: LinkSinks, log: Logger): Running {
  const handler = createDlmsPushHandler({ config: lc, keys, counters });
  let pushes = 0;
  let state: Omit<LinkView, 'name' | 'protocol'> = { state: 'disconnected', detail: 'connecting' };
  let where = '';
  const link = listenDlmsPushes(lc.target, {
    ...(lc.baud === undefined ? {} : { baudRate: lc.baud }),
    onFrame: (bytes) => {
      for (const r of handler.read(bytes, new Date())) {
        if (r.kind === 'reading') pushes += 1;
        sinks.onResult(r);
      }
      state = { state: 'connected', detail: `${where}; ${pushes} push(es) read` };
    },
    onGarbage: (bytes) => log.debug({ link: lc.name, bytes: bytes.length }, 'bytes that are no push'),
    onStatus: (s: LinkStatus) => {
      where = s.link;
      state = s.kind === 'connected' ? { state: 'connected', detail: `${s.link}; listening for pushes` } : { state: 'disconnected', detail: `${s.reason}; retrying in ${s.retryInMs} ms` };
      if (s.kind === 'connected') log.info({ link: lc.name, target: s.link }, 'push link connected');
      else log.warn({ link: lc.name, target: s.link, reason: s.reason, retryInMs: s.retryInMs }, 'push link disconnected');
    },
  });
  return { view: () => state, close: () => link.close() };
}

function pullLink(name: string, intervalSeconds: number, pollOnce: () => Promise<PollOutcome>, sinks: LinkSinks, log: Logger): Running {
  let lastOk: boolean | null = null;
  const link: PullLink = startPullLink({
    intervalSeconds,
    pollOnce: async () => {
      const outcome = await pollOnce();
      // Logged when it changes, not per poll: a meter off the eye for a day is one warning.
      if (outcome.ok !== lastOk) {
        if (outcome.ok) log.info({ link: name, detail: outcome.detail }, 'meter answers');
        else log.warn({ link: name, detail: outcome.detail }, 'meter does not answer');
      }
      lastOk = outcome.ok;
      return outcome;
    },
    onResult: sinks.onResult,
  });
  return {
    view() {
      const v = link.view();
      const { intervalSeconds: i, polls, failures, lastPollAt, lastOkAt, nextPollAt } = v.poll;
      return { state: v.state, detail: v.detail, poll: { intervalSeconds: i, polls, failures, lastPollAt, lastOkAt, nextPollAt } };
    },
    close: () => link.close(),
  };
}

/** A link the gateway asks (KMP, IEC 62056-21, DLMS). */
export type PullLinkConfig = Exclude<LinkConfig, { protocol: 'wmbus' }>;

/** One poll of a pull link, as the service runs it on its schedule and `gateway validate` runs it once. */
export function pollOnceFor(lc: PullLinkConfig, keys: Pick<KeySource, 'lookupKeys' | 'missed'>, gatewayId: string): () => Promise<PollOutcome> {
  switch (lc.protocol) {
    case 'kmp':
      return kmpPollOnce({ config: lc, keys });
    case 'iec62056-21':
      return iecPollOnce({ config: lc, keys });
    case 'dlms':
      return dlmsPollOnce({ config: lc, keys, gatewayId });
  }
}

export function startLinks(o: { config: GatewayConfig; keys: KeySource; log: Logger; sinks: LinkSinks }): RunningLinks {
  // One replay guard for every push link: the same push heard again on another port is a replay too.
  const counters = new InvocationCounters();
  const running = o.config.links.map((lc): { lc: LinkConfig; run: Running } => {
    if (lc.protocol === 'wmbus') return { lc, run: stickLink(lc, o.sinks, o.log) };
    if (lc.protocol === 'dlms' && lc.push) return { lc, run: dlmsPushLink(lc, o.keys, counters, o.sinks, o.log) };
    return { lc, run: pullLink(lc.name, lc.pollSeconds, pollOnceFor(lc, o.keys, o.config.gatewayId), o.sinks, o.log) };
  });
  return {
    views: () => running.map(({ lc, run }) => ({ name: lc.name, protocol: lc.protocol, ...run.view() })),
    close: async () => {
      await Promise.all(running.map(({ run }) => run.close()));
    },
  };
}
