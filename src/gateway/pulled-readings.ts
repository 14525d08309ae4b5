import type { Fields } from '../../drivers/wmbus/meters/fields.js';
import { meterKeyFor, type GatewayEvent, type GatewayEventName, type GatewayResult, type KeySource, type MeterIdentity, type Reading, type ReadingProtocol, type Verification } from './gateway-types.js';

// What the KMP, IEC 62056-21 and DLMS links read becomes a reading or an event here, by one rule
// for all three (docs/gateway.md "Readings without encryption"): a reading whose GCM tag verified
// (or that the meter's GUEK decrypted) was read with keys the core granted, so the grant is proven;
// a reading only a CRC, a BCC or an FCS vouches for (KMP, an IEC readout, an unciphered DLMS
// frame) is published only for a meter among the token's synced devices — the grant says who may
// read which meter — and is otherwise the `no_right` event. The wM-Bus pipeline (pipeline.ts) is
// the twin of this for telegrams.

/** One answer of a pulled meter, or one push, before the grant is checked. */
export interface PulledReading {
  protocol: Exclude<ReadingProtocol, 'wmbus'>;
  manufacturer: string;
  serial: string;
  /** The M-Bus device type of the medium (0x04 heat, 0x02 electricity, …), for the meter book's model column. */
  deviceType: number;
  media: string;
  fields: Fields;
  verified: Verification;
  invocationCounter?: number;
  receivedAt: Date;
  link: string;
}

/** The M-Bus device types (EN 13757-3) of the media these links read. */
export const DEVICE_TYPE = { electricity: 0x02, heat: 0x04, water: 0x07, cooling: 0x0a } as const;

/** Verifications that prove the key: the grant is implicit in having been able to use it. */
const KEYED: ReadonlySet<Verification> = new Set<Verification>(['gcm-tag', 'encryption-only']);

export function identityOf(manufacturer: string, serial: string, deviceType: number): { meter: MeterIdentity; meterKey: string } {
  const meterKey = meterKeyFor(manufacturer, serial);
  return { meter: { manufacturer: manufacturer.toUpperCase(), id: meterKey.slice(4), version: 0, deviceType }, meterKey };
}

/** An event of a pulled link, with the meter when it is known. */
export function pulledEvent(o: { protocol: Exclude<ReadingProtocol, 'wmbus'>; name: GatewayEventName; reason: string; link: string; receivedAt: Date; meter?: { manufacturer: string; serial: string; deviceType: number }; code?: GatewayEvent['code']; offset?: number }): GatewayResult {
  const e: GatewayEvent = { name: o.name, protocol: o.protocol, reason: o.reason, rssiDbm: null, receivedAt: o.receivedAt, link: o.link };
  if (o.meter !== undefined) Object.assign(e, identityOf(o.meter.manufacturer, o.meter.serial, o.meter.deviceType));
  if (o.code !== undefined) e.code = o.code;
  if (o.offset !== undefined) e.offset = o.offset;
  return { kind: 'event', event: e };
}

export function acceptPulled(keys: Pick<KeySource, 'lookupKeys' | 'missed'>, r: PulledReading): GatewayResult {
  const { meter, meterKey } = identityOf(r.manufacturer, r.serial, r.deviceType);
  if (!KEYED.has(r.verified)) {
    const held = keys.lookupKeys(r.manufacturer, r.serial);
    const event = (name: GatewayEventName, reason: string): GatewayResult => ({ kind: 'event', event: { name, protocol: r.protocol, meter, meterKey, reason, rssiDbm: null, receivedAt: r.receivedAt, link: r.link } });
    if (held.kind === 'no-right') return event('no_right', `the gateway token holds no grant for this meter: its ${r.protocol} reading is not published`);
    if (held.kind === 'expired') return event('keys_expired', 'the key cache is past its offline limit: whose meters may be read is not known');
    if (held.kind === 'not-synced') {
      keys.missed(r.manufacturer, r.serial);
      return event('unknown_key', 'the key source has not synced yet: whose meters may be read is not known');
    }
  }
  const reading: Reading = {
    protocol: r.protocol,
    meter,
    meterKey,
    driver: r.protocol,
    media: r.media,
    fields: r.fields,
    verified: r.verified,
    rssiDbm: null,
    receivedAt: r.receivedAt,
    link: r.link,
  };
  if (r.invocationCounter !== undefined) reading.invocationCounter = r.invocationCounter;
  return { kind: 'reading', reading };
}
