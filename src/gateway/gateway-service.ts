import type { Logger } from 'pino';
import { parseLinkHeader } from '../../drivers/wmbus/index.js';
import { meterSelected, type GatewayConfig } from './config/gateway-config.js';
import type { GatewayEvent, GatewayResult, HeardTelegram, KeySource, KeySourceStatus, Publisher, PublisherStatus } from './gateway-types.js';
import { meterKeyOf } from './gateway-types.js';
import { startLinks, type LinkView, type RunningLinks } from './links.js';
import { createMeterBook, type MeterView } from './meter-book.js';
import { createGatewayPipeline } from './pipeline.js';
import { isLoopbackHost, startStatusPage, type StatusPage } from './status-page.js';

// The gateway as one service: every configured link (links.ts: wM-Bus sticks → the one decode
// pipeline with the key source; KMP, IEC 62056-21 and DLMS meters polled or pushing → readings and
// events whose grant is checked in pulled-readings.ts) → the MQTT publisher, plus the per-meter
// book behind `gateway validate` and the status page. Nothing a stick delivers can stop it: the pipeline never throws, and a failure of one
// telegram is logged and counted, not fatal. docs/gateway.md tells the whole story.

export type { MeterView } from './meter-book.js';
export type { LinkView } from './links.js';

export interface GatewayStatusView {
  gatewayId: string;
  links: LinkView[];
  keys: KeySourceStatus;
  mqtt: PublisherStatus;
  readings: number;
  events: number;
  startedAt: string;
}

export interface GatewayHandle {
  status(): GatewayStatusView;
  meters(): MeterView[];
  /** The status page's address, null when it is disabled. */
  httpUrl: string | null;
  /** Stops the links, the page and the timers; closes the publisher (status offline) and key source it opened. */
  close(): Promise<void>;
}

/** The same kind of event for the same meter is published at most this often (a meter without a key sends every 16 s, forever). */
const REPEAT_EVENT_MS = 60_000;
const QUIET_REPEATS = new Set<GatewayEvent['name']>(['unknown_key', 'no_right', 'keys_expired', 'needs_full_frame', 'not_encrypted']);

/** The meter's DLL address, read before the pipeline so that filters apply before any key lookup; null when unreadable (the pipeline will say why). */
function addressKey(telegram: Buffer): string | null {
  if (telegram.length < 10) return null;
  try {
    return meterKeyOf(parseLinkHeader(telegram, { crc: 'stripped' }).link.address);
  } catch {
    return null;
  }
}

export async function startGateway(o: { config: GatewayConfig; log: Logger; keys?: KeySource; publisher?: Publisher }): Promise<GatewayHandle> {
  const { config, log } = o;
  const startedAt = new Date().toISOString();
  const opened: { close(): Promise<void> }[] = [];
  const closeOpened = async (): Promise<void> => {
    for (const c of opened.splice(0).reverse()) await c.close().catch((err: unknown) => log.warn({ err }, 'closing failed'));
  };

  // meters.include / exclude, as the configuration defines them; remembered per meter (a site hears the same meters all day).
  const selected = new Map<string, boolean>();
  const filter = (meterKey: string): boolean => {
    let ok = selected.get(meterKey);
    if (ok === undefined) {
      ok = meterSelected(config.meters, meterKey);
      if (selected.size < 100_000) selected.set(meterKey, ok);
    }
    return ok;
  };
  let keys: KeySource;
  let publisher: Publisher;
  try {
    // Loaded only when not handed in: the key source's and the MQTT client's modules are the heavy part.
    keys = o.keys ?? (await (await import('./keys/key-source.js')).openKeySource({ config: config.core, log: log.child({ part: 'keys' }) }));
    if (!o.keys) opened.push(keys);
    publisher = o.publisher ?? (await (await import('./mqtt/index.js')).openPublisher({ config: config.mqtt, gatewayId: config.gatewayId, log: log.child({ part: 'mqtt' }) }));
    if (!o.publisher) opened.push(publisher);
  } catch (err) {
    await closeOpened();
    throw err;
  }

  const pipeline = createGatewayPipeline({ keys });
  const book = createMeterBook({ keys });
  const lastEventAt = new Map<string, number>();
  let readings = 0;
  let events = 0;
  let failures = 0;
  let keysExpired = false;

  const publishEvent = (e: GatewayEvent): void => {
    events += 1;
    if (QUIET_REPEATS.has(e.name) && e.meterKey !== undefined) {
      const id = `${e.meterKey}/${e.name}`;
      const last = lastEventAt.get(id);
      const now = e.receivedAt.getTime();
      if (last !== undefined && now - last < REPEAT_EVENT_MS) return;
      if (lastEventAt.size > 200_000) lastEventAt.clear();
      lastEventAt.set(id, now);
    }
    publisher.event(e);
  };

  const onHeard = (heard: HeardTelegram): void => {
    const key = addressKey(heard.telegram);
    if (key !== null && !filter(key)) return;
    let result: GatewayResult;
    try {
      result = pipeline.handle(heard);
    } catch (err) {
      failures += 1;
      if (failures <= 10) log.error({ err, link: heard.link }, 'a telegram could not be handled');
      return;
    }
    if (result.kind === 'reading' && result.reading.verified !== 'none' && keysExpired) {
      // Belt and braces: the key source said expired; nothing decrypted with a stale key is published.
      result = { kind: 'event', event: { name: 'keys_expired', meter: result.reading.meter, meterKey: result.reading.meterKey, reason: 'the cached keys have expired', rssiDbm: result.reading.rssiDbm, receivedAt: heard.receivedAt, link: heard.link } };
    }
    book.record(result, { rssiDbm: heard.rssiDbm ?? null, receivedAt: heard.receivedAt });
    if (result.kind === 'reading') {
      readings += 1;
      publisher.reading(result.reading);
    } else publishEvent(result.event);
  };

  /** A reading or event of a KMP, IEC 62056-21 or DLMS meter: the same filter, book and publisher as a telegram's. */
  const onResult = (input: GatewayResult): void => {
    let result = input;
    const meterKey = result.kind === 'reading' ? result.reading.meterKey : result.event.meterKey;
    if (meterKey !== undefined && !filter(meterKey)) return;
    if (result.kind === 'reading' && keysExpired) {
      const r = result.reading;
      result = { kind: 'event', event: { name: 'keys_expired', meter: r.meter, meterKey: r.meterKey, reason: 'the cached keys have expired', rssiDbm: null, receivedAt: r.receivedAt, link: r.link } };
    }
    book.record(result, { rssiDbm: null, receivedAt: result.kind === 'reading' ? result.reading.receivedAt : result.event.receivedAt });
    if (result.kind === 'reading') {
      readings += 1;
      publisher.reading(result.reading);
    } else publishEvent(result.event);
  };

  const links: RunningLinks = startLinks({ config, keys, log, sinks: { onTelegram: onHeard, onResult } });

  // The publisher decides MQTT availability itself (a timer per meter, docs/mqtt.md); this sweep
  // only marks the meter book's view and logs, and follows the key source's state.
  const timeoutMs = config.mqtt.availabilityTimeoutSeconds * 1000;
  const sweepMs = Math.min(5000, Math.max(200, Math.floor(timeoutMs / 10)));
  const sweep = setInterval(() => {
    for (const meterKey of book.staleSince(new Date(Date.now() - timeoutMs))) {
      log.info({ meter: meterKey }, 'meter offline: no verified reading within the availability timeout');
    }
    const state = keys.status().state;
    if (state === 'expired' && !keysExpired) log.error({ keys: keys.status() }, 'the key cache has expired: no readings are published until the core is reachable again');
    else if (state !== 'expired' && keysExpired) log.info({ state }, 'keys usable again');
    keysExpired = state === 'expired';
  }, sweepMs);
  sweep.unref();
  keysExpired = keys.status().state === 'expired';

  const status = (): GatewayStatusView => ({
    gatewayId: config.gatewayId,
    links: links.views(),
    keys: keys.status(),
    mqtt: publisher.status(),
    readings,
    events,
    startedAt,
  });
  const meters = (): MeterView[] => book.views();

  let page: StatusPage | null = null;
  if (config.http.enabled) {
    try {
      page = await startStatusPage({ host: config.http.host, port: config.http.port, source: { status, meters } });
    } catch (err) {
      clearInterval(sweep);
      await links.close();
      await closeOpened();
      throw err;
    }
    if (isLoopbackHost(config.http.host)) log.info({ url: page.url }, 'status page');
    else log.warn({ url: page.url }, 'status page reachable beyond this machine (http.host in the configuration): it shows meter addresses and readings to anyone who can reach it');
  }
  log.info({ gatewayId: config.gatewayId, links: config.links.map((l) => l.name) }, 'gateway started');

  let closing: Promise<void> | null = null;
  return {
    status,
    meters,
    httpUrl: page?.url ?? null,
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        await links.close();
        await page?.close();
        await closeOpened();
        log.info({ readings, events }, 'gateway stopped');
      })();
      return closing;
    },
  };
}
