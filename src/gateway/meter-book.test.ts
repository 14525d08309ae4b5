import { describe, expect, it } from 'vitest';
import type { GatewayEvent, KeyLookup, KeysLookup, MeterIdentity, Reading } from './gateway-types.js';
import { createMeterBook } from './meter-book.js';

const kam: MeterIdentity = { manufacturer: 'KAM', id: '63941885', version: 0x1b, deviceType: 0x16 };
const dme: MeterIdentity = { manufacturer: 'DME', id: '40312233', version: 0x01, deviceType: 0x07 };
const at = (s: number): Date => new Date(Date.UTC(2026, 11, 4, 12, 0, s));

const reading = (meter: MeterIdentity, s: number, verified: Reading['verified'] = 'crc'): Reading => ({
  protocol: 'wmbus', meter, meterKey: `${meter.manufacturer}-${meter.id}`, driver: 'multical21', media: 'water', fields: { total_m3: 6.408 },
  verified, rssiDbm: -70, receivedAt: at(s), accessNumber: s, link: 'stick',
});
const event = (meter: MeterIdentity, name: GatewayEvent['name'], reason: string, s: number): GatewayEvent => ({
  name, meter, meterKey: `${meter.manufacturer}-${meter.id}`, reason, rssiDbm: -80, receivedAt: at(s), link: 'stick',
});

describe('createMeterBook', () => {
  const lookups: Record<string, KeyLookup> = { 'KAM/63941885': { kind: 'keys', keys: [Buffer.alloc(16)] }, 'DME/40312233': { kind: 'no-right' } };
  // A KMP meter the token holds (no DEK, no DLMS key: the right to read it), and one it does not.
  const rights: Record<string, KeysLookup> = { 'KAM/71234567': { kind: 'keys', byType: new Map() }, 'KAM/71234568': { kind: 'no-right' } };
  const keys = {
    lookup: (m: string, s: string): KeyLookup => lookups[`${m}/${s}`] ?? { kind: 'not-synced' },
    lookupKeys: (m: string, s: string): KeysLookup => rights[`${m}/${s}`] ?? { kind: 'not-synced' },
  };

  it('counts telegrams, keeps the last signal and reading, and says the key decrypts after one good telegram among refused ones', () => {
    const book = createMeterBook({ keys });
    expect(book.record({ kind: 'event', event: event(kam, 'decrypt_failed', 'wrong key', 1) }, { rssiDbm: -81, receivedAt: at(1) })).toBe(false);
    expect(book.record({ kind: 'reading', reading: reading(kam, 2) }, { rssiDbm: -70, receivedAt: at(2) })).toBe(true);
    expect(book.record({ kind: 'reading', reading: reading(kam, 3) }, { rssiDbm: -69, receivedAt: at(3) })).toBe(false);
    expect(book.views()).toEqual([
      {
        meterKey: 'KAM-63941885', manufacturer: 'KAM', id: '63941885', model: 'multical21', rssiDbm: -69, telegrams: 3,
        lastHeardAt: at(3).toISOString(), key: 'held', decrypts: 'yes',
        lastReading: { total_m3: 6.408, media: 'water', verified: 'crc', timestamp: at(3).toISOString() }, lastEvent: 'decrypt_failed',
      },
    ]);
  });

  it('tells a refused key, a reversed key, a meter without right and a clear-text meter apart', () => {
    const book = createMeterBook({ keys });
    const other: MeterIdentity = { ...kam, id: '11111111' };
    const clear: MeterIdentity = { ...kam, id: '22222222' };
    book.record({ kind: 'event', event: event(kam, 'decrypt_failed', 'the byte-reversed key would fit', 1) }, { rssiDbm: null, receivedAt: at(1) });
    book.record({ kind: 'event', event: event(other, 'decrypt_failed', 'wrong key', 1) }, { rssiDbm: null, receivedAt: at(1) });
    book.record({ kind: 'event', event: event(dme, 'no_right', 'not among the gateway token\'s meters', 1) }, { rssiDbm: null, receivedAt: at(1) });
    book.record({ kind: 'reading', reading: reading(clear, 1, 'none') }, { rssiDbm: null, receivedAt: at(1) });
    expect(book.views().map((v) => [v.meterKey, v.key, v.decrypts, v.model, v.rssiDbm])).toEqual([
      ['DME-40312233', 'not-held', 'unknown', 'device type 0x07', null],
      ['KAM-11111111', 'not-synced', 'no', 'device type 0x16', null],
      ['KAM-22222222', 'not-synced', 'not-encrypted', 'multical21', null],
      ['KAM-63941885', 'held', 'reversed-key-would', 'device type 0x16', null],
    ]);
  });

  it('a KMP meter: held when the token holds it (no DEK needed), its CRC-only reading counted as sent in clear; its events name the protocol', () => {
    const book = createMeterBook({ keys });
    const heat: MeterIdentity = { manufacturer: 'KAM', id: '71234567', version: 0, deviceType: 0x04 };
    const foreign: MeterIdentity = { ...heat, id: '71234568' };
    book.record({ kind: 'reading', reading: { ...reading(heat, 1, 'kmp-crc'), protocol: 'kmp', driver: 'kmp', media: 'heat' } }, { rssiDbm: null, receivedAt: at(1) });
    book.record({ kind: 'event', event: { ...event(foreign, 'no_right', 'not held', 2), protocol: 'kmp' } }, { rssiDbm: null, receivedAt: at(2) });
    expect(book.views().map((v) => [v.meterKey, v.key, v.decrypts, v.model, v.lastReading?.verified ?? null, v.lastEvent])).toEqual([
      ['KAM-71234567', 'held', 'not-encrypted', 'kmp', 'kmp-crc', null],
      ['KAM-71234568', 'not-held', 'unknown', 'device type 0x04', null, 'no_right'],
    ]);
  });

  it('sends a meter offline once when its last verified reading is older than the limit, and online again with the next', () => {
    const book = createMeterBook({ keys: null });
    book.record({ kind: 'reading', reading: reading(kam, 1) }, { rssiDbm: -70, receivedAt: at(1) });
    book.record({ kind: 'reading', reading: reading(dme, 5) }, { rssiDbm: -70, receivedAt: at(5) });
    expect(book.staleSince(at(3))).toEqual(['KAM-63941885']);
    expect(book.staleSince(at(3))).toEqual([]);
    expect(book.record({ kind: 'reading', reading: reading(kam, 6) }, { rssiDbm: -70, receivedAt: at(6) })).toBe(true);
    expect(book.views().map((v) => v.key)).toEqual(['not-synced', 'not-synced']);
  });

  it('ignores an event without a meter (a frame too short to name one)', () => {
    const book = createMeterBook({ keys });
    const bad: GatewayEvent = { name: 'bad_telegram', reason: 'truncated', offset: 3, rssiDbm: null, receivedAt: at(1), link: 'stick' };
    expect(book.record({ kind: 'event', event: bad }, { rssiDbm: null, receivedAt: at(1) })).toBe(false);
    expect(book.size()).toBe(0);
  });
});
