import { describe, expect, it } from 'vitest';
import type { KeysLookup } from './gateway-types.js';
import { acceptPulled, DEVICE_TYPE, type PulledReading } from './pulled-readings.js';

// The lead's rule (docs/gateway.md "Readings without encryption"): a reading only a CRC, BCC or FCS
// vouches for is published for meters the token holds; a reading whose key verified is published.

const at = new Date('2026-12-04T12:00:00Z');
const base: PulledReading = {
  protocol: 'kmp', manufacturer: 'KAM', serial: '1234567', deviceType: DEVICE_TYPE.heat, media: 'heat',
  fields: { total_energy_consumption_kwh: 1234.5 }, verified: 'kmp-crc', receivedAt: at, link: 'eye',
};

function keysAnswering(answer: KeysLookup) {
  const asked: string[] = [];
  const misses: string[] = [];
  return {
    asked,
    misses,
    lookupKeys: (m: string, s: string) => {
      asked.push(`${m}-${s}`);
      return answer;
    },
    missed(m: string, s: string) {
      misses.push(`${m}-${s}`);
    },
  };
}

describe('acceptPulled', () => {
  it('a KMP reading of a meter the token holds: published, the serial padded to the meter key', () => {
    const keys = keysAnswering({ kind: 'keys', byType: new Map() });
    const r = acceptPulled(keys, base);
    expect(r).toEqual({
      kind: 'reading',
      reading: {
        protocol: 'kmp', meter: { manufacturer: 'KAM', id: '01234567', version: 0, deviceType: 0x04 }, meterKey: 'KAM-01234567', driver: 'kmp', media: 'heat',
        fields: { total_energy_consumption_kwh: 1234.5 }, verified: 'kmp-crc', rssiDbm: null, receivedAt: at, link: 'eye',
      },
    });
    expect(keys.asked).toEqual(['KAM-1234567']);
  });

  it.each([
    [{ kind: 'no-right' } as const, 'no_right', 'the gateway token holds no grant for this meter: its iec62056-21 reading is not published'],
    [{ kind: 'expired' } as const, 'keys_expired', 'the key cache is past its offline limit: whose meters may be read is not known'],
    [{ kind: 'not-synced' } as const, 'unknown_key', 'the key source has not synced yet: whose meters may be read is not known'],
  ])('an IEC readout when the lookup answers %o: the %s event, never a reading', (answer, name, reason) => {
    const keys = keysAnswering(answer);
    const r = acceptPulled(keys, { ...base, protocol: 'iec62056-21', verified: 'bcc' });
    expect(r).toEqual({ kind: 'event', event: { name, protocol: 'iec62056-21', meter: expect.objectContaining({ id: '01234567' }) as unknown, meterKey: 'KAM-01234567', reason, rssiDbm: null, receivedAt: at, link: 'eye' } });
    expect(keys.misses).toEqual(answer.kind === 'not-synced' ? ['KAM-1234567'] : []);
  });

  it('a DLMS reading whose GCM tag verified: published with its invocation counter, no second lookup (the keys were the grant)', () => {
    const keys = keysAnswering({ kind: 'no-right' });
    const r = acceptPulled(keys, { ...base, protocol: 'dlms', deviceType: DEVICE_TYPE.electricity, media: 'electricity', verified: 'gcm-tag', invocationCounter: 77, serial: '71234567' });
    expect(r.kind === 'reading' ? [r.reading.meterKey, r.reading.verified, r.reading.invocationCounter, r.reading.driver] : r.event.name).toEqual(['KAM-71234567', 'gcm-tag', 77, 'dlms']);
    expect(keys.asked).toEqual([]);
  });

  it('an unciphered DLMS frame (FCS only) follows the rule of the unencrypted protocols', () => {
    const r = acceptPulled(keysAnswering({ kind: 'no-right' }), { ...base, protocol: 'dlms', verified: 'hdlc-fcs' });
    expect(r.kind === 'event' ? r.event.name : r.kind).toBe('no_right');
  });
});
