import { createHash } from 'node:crypto';
import { DlmsError, InvocationCounters, meterOfSystemTitle } from '../../../drivers/dlms/index.js';
import type { DlmsLinkConfig } from '../config/gateway-config.js';
import type { GatewayEventName, KeySource } from '../gateway-types.js';
import { acceptPulled, DEVICE_TYPE, pulledEvent } from '../pulled-readings.js';
import { configuredMeter, securityKeysOf } from './dlms-push.js';
import { openDlmsSession } from './dlms-session.js';
import { failureOf } from './link-failure.js';
import type { PollOutcome } from './pull-link.js';

// One poll of a DLMS meter (docs/gateway.md "Polling"): the meter's GUEK and GAK from the core
// (lookupKeys of the link's `meter`), the association (HLS-GMAC proves both sides hold the GAK;
// suite 0 ciphers every APDU), the GETs of the link's objects, the release. Without keys from the
// core there is no association: the poll is the no_right / unknown_key / keys_expired event. The
// meter must be the one configured: another system title in the AARE is unexpected_answer.
//
// Our invocation counter must only grow for a meter (a meter refuses one it has seen, and a new
// association does not reset it): each session starts from the wall clock in eighths of a second
// since 2024 (fits 32 bits for 17 years), or 64 above the last start when the clock has not moved
// on that far — a session uses a dozen. Two processes asking one meter at once (the gateway and a
// `validate`) may still collide: the meter then refuses the later one.

const EPOCH_2024 = Date.UTC(2024, 0, 1);

/** The gateway's DLMS system title: `OEK` and five bytes of the gateway id's hash (a client needs one for HLS-GMAC and ciphering). */
export function gatewaySystemTitle(gatewayId: string): Buffer {
  return Buffer.concat([Buffer.from('OEK', 'latin1'), createHash('sha256').update(gatewayId).digest().subarray(0, 5)]);
}

export function dlmsPollOnce(o: { config: DlmsLinkConfig; keys: Pick<KeySource, 'lookupKeys' | 'missed'>; gatewayId: string; now?: () => number }): () => Promise<PollOutcome> {
  const now = o.now ?? Date.now;
  const link = o.config.name;
  const configured = configuredMeter(o.config.meter);
  const meter = configured === undefined ? undefined : { ...configured, deviceType: DEVICE_TYPE.electricity };
  const needsKeys = o.config.security !== 'none' || o.config.authentication === 'hls-gmac';
  /** The meter's counters across sessions: a replayed answer is refused. */
  const counters = new InvocationCounters();
  let lastStart = 0;
  const clientSystemTitle = gatewaySystemTitle(o.gatewayId);

  const event = (name: GatewayEventName, reason: string, detail: string): PollOutcome => ({
    results: [pulledEvent({ protocol: 'dlms', name, reason, link, receivedAt: new Date(), ...(meter === undefined ? {} : { meter }) })],
    ok: false,
    detail,
  });

  return async () => {
    let keys;
    if (needsKeys) {
      if (configured === undefined) return event('unknown_key', 'the link names no meter whose keys to use', 'no meter configured');
      const l = o.keys.lookupKeys(configured.manufacturer, configured.serial);
      if (l.kind === 'no-right') return event('no_right', 'the gateway token holds no keys of this meter: it is not asked', 'no right to the meter');
      if (l.kind === 'expired') return event('keys_expired', 'the key cache is past its offline limit: no key is used', 'keys expired');
      if (l.kind === 'not-synced') {
        o.keys.missed(configured.manufacturer, configured.serial);
        return event('unknown_key', 'no key: the key source has not synced yet', 'keys not synced');
      }
      keys = securityKeysOf(l);
      if (keys?.ak === undefined) return event('unknown_key', `the core granted ${keys === undefined ? 'no GUEK' : 'no GAK'} of this meter: no association`, 'GUEK or GAK missing');
    }
    const start = Math.max(lastStart + 64, Math.floor(((now() - EPOCH_2024) * 8) / 1000));
    lastStart = start;
    try {
      const session = await openDlmsSession(o.config.target, {
        client: o.config.client,
        serverUpper: o.config.server.logical,
        serverLower: o.config.server.physical,
        authentication: o.config.authentication,
        security: o.config.security,
        ...(keys === undefined ? {} : { keys }),
        ...(o.config.password === undefined ? {} : { password: o.config.password }),
        clientSystemTitle,
        counters,
        invocationCounter: start,
        modeE: o.config.modeE,
        ...(o.config.baud === undefined ? {} : { baudRate: o.config.baud }),
        timeoutMs: o.config.timeoutMs,
      });
      let read;
      let title: Buffer | undefined;
      try {
        ({ serverSystemTitle: title } = await session.connect());
        read = await session.readRegisters([...o.config.objects]);
      } finally {
        await session.close();
      }
      const who = title === undefined ? configured : meterOfSystemTitle(title);
      if (who === undefined) return event('unexpected_answer', 'the meter gave no system title and the link names no meter', 'meter unknown');
      if (configured !== undefined && (who.manufacturer !== configured.manufacturer || Number(who.serial) !== Number(configured.serial))) {
        return event('unexpected_answer', `the meter on this link is ${who.manufacturer}-${who.serial}, not the configured ${o.config.meter ?? ''}`, 'another meter');
      }
      const result = acceptPulled(o.keys, {
        protocol: 'dlms',
        manufacturer: who.manufacturer,
        serial: who.serial,
        deviceType: DEVICE_TYPE.electricity,
        media: 'electricity',
        fields: read.fields,
        verified: o.config.security === 'authenticated-encrypted' ? 'gcm-tag' : 'hdlc-fcs',
        receivedAt: new Date(),
        link,
      });
      return { results: [result], ok: true, detail: `${who.manufacturer}-${who.serial}, ${o.config.authentication}, ${read.objects.length} objects` };
    } catch (err) {
      const { result, detail } = failureOf(err instanceof DlmsError || err instanceof Error ? err : new Error(String(err)), { protocol: 'dlms', link, receivedAt: new Date(), ...(meter === undefined ? {} : { meter }) });
      return { results: [result], ok: false, detail };
    }
  };
}
