import { createPushReader, InvocationCounters, meterOfSystemTitle, type PushOutcome, type SecurityKeys } from '../../../drivers/dlms/index.js';
import type { DlmsLinkConfig } from '../config/gateway-config.js';
import type { GatewayEventName, GatewayResult, KeySource, KeysLookup } from '../gateway-types.js';
import { acceptPulled, DEVICE_TYPE, pulledEvent } from '../pulled-readings.js';

// What a DLMS push link hears becomes readings and events here (docs/gateway.md "DLMS pushes"):
// the push reader (drivers/dlms/notification.ts) asks for the keys of the system title it found;
// they come from the core as that meter's GUEK and GAK (lookupKeys), so a meter the token does
// not hold decrypts nothing. The reader verifies the GCM tag and refuses an invocation counter
// not above the last accepted one of the title (replays), with one set of counters for all the
// gateway's push links (a push replayed on another port is refused too), for the gateway's life. A push with no system title at all (an unciphered Nordic HAN port) is the
// link's configured meter, published by the rule of readings without encryption.

export interface DlmsPushHandler {
  /** One HDLC frame or bare APDU as the link cut it: zero results for a segment, else one. */
  read(bytes: Buffer, receivedAt: Date): GatewayResult[];
}

/** The meter's GUEK (and GAK, when held) as the push reader's keys; undefined without a GUEK. */
export function securityKeysOf(l: KeysLookup): SecurityKeys | undefined {
  if (l.kind !== 'keys') return undefined;
  const ek = l.byType.get('GUEK');
  const ak = l.byType.get('GAK');
  if (ek === undefined) return undefined;
  return ak === undefined ? { ek } : { ek, ak };
}

const meterOf = (st: Buffer) => ({ ...meterOfSystemTitle(st), deviceType: DEVICE_TYPE.electricity });

/** The link's configured meter (`KAM-12345678`) as manufacturer and serial. */
export function configuredMeter(meter: string | undefined): { manufacturer: string; serial: string } | undefined {
  if (meter === undefined) return undefined;
  const [manufacturer = '', serial = ''] = meter.split('-');
  return { manufacturer, serial };
}

export function createDlmsPushHandler(o: { config: DlmsLinkConfig; keys: Pick<KeySource, 'lookupKeys' | 'missed'>; counters?: InvocationCounters }): DlmsPushHandler {
  const reader = createPushReader({ counters: o.counters ?? new InvocationCounters() });
  let lookup: KeysLookup | undefined;
  const keysFor = (st: Buffer): SecurityKeys | undefined => {
    const m = meterOfSystemTitle(st);
    lookup = o.keys.lookupKeys(m.manufacturer, m.serial);
    return securityKeysOf(lookup);
  };
  const link = o.config.name;

  function noKey(st: Buffer | undefined, receivedAt: Date, message: string): GatewayResult {
    const meter = st === undefined ? undefined : meterOf(st);
    const event = (name: GatewayEventName, reason: string) => pulledEvent({ protocol: 'dlms', name, reason, link, receivedAt, ...(meter === undefined ? {} : { meter }), code: 'no-key' });
    const l = lookup;
    if (l?.kind === 'no-right') return event('no_right', 'the gateway token holds no keys of this meter: its push is not decrypted');
    if (l?.kind === 'expired') return event('keys_expired', 'the key cache is past its offline limit: no key is used');
    if (l?.kind === 'keys') return event('unknown_key', 'the core granted no GUEK of this meter: its push cannot be decrypted');
    if (meter !== undefined) o.keys.missed(meter.manufacturer, meter.serial);
    return event('unknown_key', l?.kind === 'not-synced' ? 'no key: the key source has not synced yet' : message);
  }

  function resultOf(r: PushOutcome, receivedAt: Date): GatewayResult[] {
    if (r.kind === 'segment') return [];
    if (r.kind === 'error') {
      const e = r.error;
      if (e.code === 'no-key') return [noKey(r.systemTitle, receivedAt, e.message)];
      const name: GatewayEventName = e.code === 'tag-mismatch' ? 'decrypt_failed' : e.code === 'counter-replay' ? 'counter_replay' : 'bad_answer';
      const meter = r.systemTitle === undefined ? undefined : meterOf(r.systemTitle);
      return [pulledEvent({ protocol: 'dlms', name, reason: e.message, link, receivedAt, ...(meter === undefined ? {} : { meter }), code: e.code, offset: e.offset })];
    }
    const who = r.systemTitle === null ? configuredMeter(o.config.meter) : meterOfSystemTitle(r.systemTitle);
    if (who === undefined) {
      return [pulledEvent({ protocol: 'dlms', name: 'bad_answer', reason: 'an unciphered push names no meter (no system title) and the link names none (meter:)', link, receivedAt })];
    }
    return [
      acceptPulled(o.keys, {
        protocol: 'dlms',
        manufacturer: who.manufacturer,
        serial: who.serial,
        deviceType: DEVICE_TYPE.electricity,
        media: 'electricity',
        fields: r.fields,
        // An unciphered push came through HDLC (or bare) whole: it proves no more than its FCS.
        verified: r.verified === 'none' ? 'hdlc-fcs' : r.verified,
        ...(r.invocationCounter === null ? {} : { invocationCounter: r.invocationCounter }),
        receivedAt,
        link,
      }),
    ];
  }

  return {
    read(bytes, receivedAt) {
      lookup = undefined;
      return resultOf(reader.read(bytes, keysFor), receivedAt);
    },
  };
}
