import { describe, expect, it } from 'vitest';
import { decodeTelegram, isWmbusError, recordsOf } from '../../drivers/wmbus/index.js';
import { createMeter } from './create-meter.js';
import { METER_KINDS, type MeterConfig } from './meter-types.js';

const KEY = '000102030405060708090a0b0c0d0e0f';

function config(kind: MeterConfig['kind'], corruptShare = 0): MeterConfig {
  return { kind, id: '12345678', key: KEY, intervalSeconds: 8, corruptShare };
}

describe.each(METER_KINDS)('simulated %s', (kind) => {
  it('sends telegrams that decrypt to the values it reports, volumes only growing', () => {
    const m = createMeter(config(kind), 7);
    let last = -1;
    for (let i = 0; i < 50; i += 1) {
      const { telegram, values, corrupt } = m.next();
      expect(corrupt).toBe(false);
      const d = decodeTelegram(telegram, { crc: 'stripped', key: m.key });
      expect(d.meterAddress.id).toBe('12345678');
      const decoded = recordsOf(d).map((r) => r.value);
      for (const [name, v] of Object.entries(values)) {
        const want = name.endsWith('_kwh') ? v * 1000 : v; // the driver reads energy in Wh
        expect(decoded.some((x) => typeof x === 'number' && Math.abs(x - want) < 1e-9), `${name} ${want}`).toBe(true);
      }
      const volume = values.total_m3 ?? values.total_volume_m3 ?? 0;
      expect(volume).toBeGreaterThanOrEqual(last);
      last = volume;
    }
  });

  it('is deterministic for a seed', () => {
    const a = createMeter(config(kind), 3);
    const b = createMeter(config(kind), 3);
    for (let i = 0; i < 5; i += 1) expect(a.next().telegram.equals(b.next().telegram)).toBe(true);
  });

  it('corrupts the configured share so that no key decrypts it', () => {
    const m = createMeter(config(kind, 0.5), 11);
    let corrupt = 0;
    for (let i = 0; i < 200; i += 1) {
      const t = m.next();
      if (!t.corrupt) continue;
      corrupt += 1;
      expect(() => decodeTelegram(t.telegram, { crc: 'stripped', key: m.key })).toThrow(expect.objectContaining({ code: 'does-not-decrypt' }));
    }
    expect(corrupt).toBeGreaterThan(60);
    expect(corrupt).toBeLessThan(140);
  });
});

it('rejects a short key', () => {
  expect(() => createMeter({ ...config('multical21'), key: 'abcd' }, 1)).toThrow(/32 hex digits/);
  expect(isWmbusError(new Error('x'))).toBe(false);
});
