import type { GatewayResult, KeyLookup, KeySource, KeysLookup, MeterIdentity, Reading, ReadingProtocol, Verification } from './gateway-types.js';
import { meterKeyOf } from './gateway-types.js';

// What the gateway knows of every meter it heard: the rows of `openeks gateway validate`, of the
// status page and of GET /api/meters. One book for all three, so that an installer sees the same
// answer wherever they look.

export interface MeterView {
  meterKey: string;
  manufacturer: string;
  id: string;
  /** The driver that decoded it, else the device type as `device type 0x07`. */
  model: string;
  rssiDbm: number | null;
  telegrams: number;
  lastHeardAt: string;
  key: 'held' | 'not-held' | 'expired' | 'not-synced';
  decrypts: 'yes' | 'no' | 'reversed-key-would' | 'not-encrypted' | 'unknown';
  lastReading: Record<string, unknown> | null;
  lastEvent: string | null;
}

interface Entry {
  meter: MeterIdentity;
  /** wM-Bus until a KMP, IEC or DLMS link says otherwise: whose key column asks for the token's right, not a DEK. */
  protocol: ReadingProtocol;
  driver: string | null;
  rssiDbm: number | null;
  telegrams: number;
  lastHeardAt: Date;
  lastVerifiedAt: Date | null;
  decrypted: number;
  refused: number;
  reversed: boolean;
  notEncrypted: boolean;
  /** The last verified reading as it came; its view is made when asked (views()), not per telegram. */
  lastReading: Reading | null;
  lastEvent: string | null;
}

export interface MeterBook {
  /** Records one telegram's result (a meter-less event is ignored here); true when a verified reading brought the meter (back) online. */
  record(result: GatewayResult, heard: { rssiDbm: number | null; receivedAt: Date }): boolean;
  /** Meters whose last verified reading is older than `before` and were online: they go offline once. */
  staleSince(before: Date): string[];
  views(): MeterView[];
  size(): number;
}

const MAX_METERS = 100_000;

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

const keyState = (l: KeyLookup): MeterView['key'] =>
  l.kind === 'keys' ? (l.keys.length > 0 ? 'held' : 'not-held') : l.kind === 'no-right' ? 'not-held' : l.kind;
/** A KMP, IEC or DLMS meter: held when the token holds the meter (its DLMS keys, or the right to read it unencrypted). */
const rightState = (l: KeysLookup): MeterView['key'] => (l.kind === 'keys' ? 'held' : l.kind === 'no-right' ? 'not-held' : l.kind);

/** Verifications that say only that the bytes arrived whole: such a meter "sends in clear". */
const CLEAR: ReadonlySet<Verification> = new Set<Verification>(['none', 'kmp-crc', 'bcc', 'hdlc-fcs']);

/** Reversed-key refusals are told apart by the pipeline's reason text (gateway-types: GatewayEvent.reason). */
const saysReversed = (reason: string): boolean => /revers/i.test(reason);

export function createMeterBook(o: { keys: Pick<KeySource, 'lookup' | 'lookupKeys'> | null }): MeterBook {
  const entries = new Map<string, Entry>();
  const online = new Set<string>();

  const entryOf = (meter: MeterIdentity, at: Date): Entry | null => {
    const key = meterKeyOf(meter);
    let e = entries.get(key);
    if (!e) {
      if (entries.size >= MAX_METERS) return null;
      e = { meter, protocol: 'wmbus', driver: null, rssiDbm: null, telegrams: 0, lastHeardAt: at, lastVerifiedAt: null, decrypted: 0, refused: 0, reversed: false, notEncrypted: false, lastReading: null, lastEvent: null };
      entries.set(key, e);
    }
    return e;
  };

  return {
    record(result, heard) {
      const meter = result.kind === 'reading' ? result.reading.meter : result.event.meter;
      if (!meter) return false;
      const e = entryOf(meter, heard.receivedAt);
      if (!e) return false;
      e.meter = meter;
      const protocol = result.kind === 'reading' ? result.reading.protocol : result.event.protocol;
      if (protocol !== undefined) e.protocol = protocol;
      e.telegrams += 1;
      e.lastHeardAt = heard.receivedAt;
      if (heard.rssiDbm !== null) e.rssiDbm = heard.rssiDbm;
      if (result.kind === 'reading') {
        const r = result.reading;
        e.driver = r.driver;
        e.lastVerifiedAt = r.receivedAt;
        if (CLEAR.has(r.verified)) e.notEncrypted = true;
        else e.decrypted += 1;
        e.lastReading = r;
        if (online.has(r.meterKey)) return false;
        online.add(r.meterKey);
        return true;
      }
      const ev = result.event;
      e.lastEvent = ev.name;
      if (ev.name === 'decrypt_failed') {
        e.refused += 1;
        if (saysReversed(ev.reason)) e.reversed = true;
      } else if (ev.name === 'not_encrypted') e.notEncrypted = true;
      return false;
    },
    staleSince(before) {
      const gone: string[] = [];
      for (const key of online) {
        const at = entries.get(key)?.lastVerifiedAt;
        if (!at || at < before) gone.push(key);
      }
      for (const key of gone) online.delete(key);
      return gone;
    },
    views() {
      return [...entries.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([meterKey, e]) => ({
          meterKey,
          manufacturer: e.meter.manufacturer,
          id: e.meter.id,
          model: e.driver ?? `device type 0x${hex2(e.meter.deviceType)}`,
          rssiDbm: e.rssiDbm,
          telegrams: e.telegrams,
          lastHeardAt: e.lastHeardAt.toISOString(),
          key: o.keys === null ? 'not-synced' : e.protocol === 'wmbus' ? keyState(o.keys.lookup(e.meter.manufacturer, e.meter.id)) : rightState(o.keys.lookupKeys(e.meter.manufacturer, e.meter.id)),
          decrypts: e.decrypted > 0 ? 'yes' : e.reversed ? 'reversed-key-would' : e.refused > 0 ? 'no' : e.notEncrypted ? 'not-encrypted' : 'unknown',
          lastReading: e.lastReading === null ? null : { ...e.lastReading.fields, media: e.lastReading.media, verified: e.lastReading.verified, timestamp: e.lastReading.receivedAt.toISOString() },
          lastEvent: e.lastEvent,
        }));
    },
    size() {
      return entries.size;
    },
  };
}
