import { METER_DRIVERS, createTelegramPipeline, type MeterIdentity, type TelegramOutcome } from '../../drivers/wmbus/index.js';
import { meterKeyOf, type GatewayEvent, type GatewayEventName, type GatewayResult, type HeardTelegram, type KeyLookup, type KeySource, type Reading } from './gateway-types.js';

// The gateway's layer on top of the decode pipeline (docs/decode-pipeline.md): keys from the key
// source, replay detection per meter, and every outcome mapped to a reading or an event. Only what
// decryption verified becomes a reading: an unencrypted telegram is a `not_encrypted` event (anyone
// in radio range could have sent it), a replayed one a `counter_replay` event.

/** Meters whose last accepted counter is remembered; the least recently heard is forgotten past this. */
export const REPLAY_MAX_METERS = 10_000;

/** The access number is 8 bit and wraps: this many behind the last accepted one counts as a replay. */
const ACCESS_REPLAY_WINDOW = 128;

interface LastAccepted {
  accessNumber: number;
  frameCounter: number | undefined;
  telegram: Buffer;
}

export interface GatewayPipeline {
  handle(t: HeardTelegram): GatewayResult;
}

/**
 * Whether a verified telegram is not newer than the meter's last accepted one: a frame counter (when
 * both have one) must grow; otherwise the access number is compared modulo 256, the 128 behind the
 * last one being replays. The same counter counts as a replay only with the same bytes (meters send
 * several telegrams per access number, e.g. a full and a compact frame).
 */
export function isReplay(last: LastAccepted, accessNumber: number, frameCounter: number | undefined, telegram: Buffer): boolean {
  if (frameCounter !== undefined && last.frameCounter !== undefined) {
    if (frameCounter === last.frameCounter) return telegram.equals(last.telegram);
    return frameCounter < last.frameCounter;
  }
  const behind = (last.accessNumber - accessNumber) & 0xff;
  if (behind === 0) return telegram.equals(last.telegram);
  return behind <= ACCESS_REPLAY_WINDOW;
}

export function createGatewayPipeline(o: { keys: KeySource }): GatewayPipeline {
  const pipeline = createTelegramPipeline();
  const accepted = new Map<string, LastAccepted>();
  // What the key source said for the telegram in hand: set by keysFor, read after pipeline.read.
  // keysFor and opts are made once, not per telegram.
  let lookup: KeyLookup | undefined;
  const opts: { driver?: string } = {};
  const noKeys: readonly Buffer[] = [];
  const keysFor = (m: MeterIdentity): readonly Buffer[] => {
    lookup = o.keys.lookup(m.manufacturer, m.id);
    if (lookup.kind !== 'keys') return noKeys;
    if (lookup.driverHint !== undefined && METER_DRIVERS.includes(lookup.driverHint)) opts.driver = lookup.driverHint;
    return lookup.keys;
  };

  function remember(meterKey: string, value: LastAccepted): void {
    accepted.delete(meterKey);
    if (accepted.size >= REPLAY_MAX_METERS) {
      const oldest = accepted.keys().next().value;
      if (oldest !== undefined) accepted.delete(oldest);
    }
    accepted.set(meterKey, value);
  }

  function event(t: HeardTelegram, name: GatewayEventName, reason: string, meter: MeterIdentity | undefined, extra: Partial<GatewayEvent> = {}): GatewayResult {
    const e: GatewayEvent = { name, reason, rssiDbm: t.rssiDbm ?? null, receivedAt: t.receivedAt, link: t.link, ...extra };
    if (meter) {
      e.meter = meter;
      e.meterKey = meterKeyOf(meter);
    }
    return { kind: 'event', event: e };
  }

  function noKey(t: HeardTelegram, meter: MeterIdentity): GatewayResult {
    const l = lookup;
    if (l?.kind === 'no-right') return event(t, 'no_right', 'the gateway token has no right to this meter', meter);
    if (l?.kind === 'expired') return event(t, 'keys_expired', 'the key cache is past its offline limit: no key is used', meter);
    o.keys.missed(meter.manufacturer, meter.id);
    return event(t, 'unknown_key', l?.kind === 'not-synced' ? 'no key: the key source has not synced yet' : 'no key for this meter', meter);
  }

  function handle(t: HeardTelegram): GatewayResult {
    lookup = undefined;
    delete opts.driver;
    const r: TelegramOutcome = pipeline.read(t.telegram, keysFor, opts);
    switch (r.kind) {
      case 'no-key':
        return noKey(t, r.meter);
      case 'key-refused':
        return event(t, 'decrypt_failed', r.reversedKeyFits ? 'the byte-reversed key would fit' : 'wrong key', r.meter);
      case 'needs-full-frame':
        return event(t, 'needs_full_frame', `compact frame of format ${r.signature.toString(16).padStart(4, '0')}: waiting for a full frame of this meter`, r.meter);
      case 'bad-telegram':
        return event(t, 'bad_telegram', `${r.message} (${r.code} at byte ${r.offset})`, r.meter, { code: r.code, offset: r.offset });
      case 'reading': {
        if (r.verified === 'none') return event(t, 'not_encrypted', 'the telegram is not encrypted: nothing verifies it, so it is not published', r.meter);
        const meterKey = meterKeyOf(r.meter);
        const last = accepted.get(meterKey);
        if (last && isReplay(last, r.accessNumber, r.frameCounter, t.telegram)) {
          const counter = r.frameCounter !== undefined && last.frameCounter !== undefined
            ? `frame counter ${r.frameCounter}, last accepted ${last.frameCounter}`
            : `access number ${r.accessNumber}, last accepted ${last.accessNumber}`;
          return event(t, 'counter_replay', `replayed telegram: ${counter}`, r.meter);
        }
        if (last !== undefined && last.telegram.length === t.telegram.length) {
          // Updated in place: a meter is heard again within seconds, and an entry replaced per
          // telegram lives just long enough to be promoted to V8's old generation, where it is
          // garbage only a full collection frees (the heap grew by megabytes a second at 2,000/s).
          last.accessNumber = r.accessNumber;
          last.frameCounter = r.frameCounter;
          t.telegram.copy(last.telegram);
          accepted.delete(meterKey);
          accepted.set(meterKey, last);
        } else {
          // A copy of its own: Buffer.from would take a slice of Node's shared 8 KB pool, and each of
          // up to REPLAY_MAX_METERS copies kept for long would pin a whole slab.
          const copy = Buffer.allocUnsafeSlow(t.telegram.length);
          t.telegram.copy(copy);
          remember(meterKey, { accessNumber: r.accessNumber, frameCounter: r.frameCounter, telegram: copy });
        }
        const reading: Reading = {
          protocol: 'wmbus', meter: r.meter, meterKey, driver: r.driver, media: r.media, fields: r.fields, verified: r.verified,
          rssiDbm: t.rssiDbm ?? null, receivedAt: t.receivedAt, accessNumber: r.accessNumber, link: t.link,
        };
        if (r.frameCounter !== undefined) reading.frameCounter = r.frameCounter;
        return { kind: 'reading', reading };
      }
    }
  }

  return { handle };
}
