import { describe, expect, it } from 'vitest';
import { hex } from '../../test/support/wmbus-vectors.js';
import { WmbusError } from './errors.js';
import { parseRecords } from './records.js';

const one = (h: string) => {
  const r = parseRecords(hex(h));
  expect(r.length).toBe(1);
  return r[0];
};

describe('DIF/VIF records', () => {
  it.each([
    ['0413e8030000', { quantity: 'volume', unit: 'm3', exponent: -3, value: 1 }],
    ['0C1378563412', { quantity: 'volume', value: 12345.678 }], // BCD 8 digits
    ['0406a0860100', { quantity: 'energy', unit: 'Wh', exponent: 3, value: 100_000_000 }], // kWh
    ['025B1500', { quantity: 'flow-temperature', unit: '°C', value: 21 }],
    ['025F1400', { quantity: 'return-temperature', value: 20 }],
    ['02610a00', { quantity: 'temperature-difference', unit: 'K', value: 0.1 }],
    ['012B10', { quantity: 'power', unit: 'W', value: 16 }],
    ['023B2c01', { quantity: 'volume-flow', unit: 'm3/h', value: 0.3 }],
    ['0422a4010000', { quantity: 'on-time', unit: 'h', value: 420 }],
    ['05130000c03f', { quantity: 'volume', value: 0.0015 }], // real32 1.5 × 10^-3
    ['0A5A4502', { quantity: 'flow-temperature', value: 24.5 }], // BCD 4 digits, 10^-1
    ['0AFD17FF00', { quantity: 'error-flags', value: null }], // invalid BCD digit
    ['0A1331F2', { value: -0.231 }], // negative BCD
    ['426C9f2c', { quantity: 'date', value: '2020-12-31', storage: 1 }],
    ['046D2A0FBF2B', { quantity: 'date-time', value: '2021-11-31T15:42' }],
    ['0C7878563412', { quantity: 'fabrication-number', value: '12345678' }],
    ['02FD0803FF', { quantity: 'access-number' }],
    ['04FD4800000100', { quantity: 'voltage', unit: 'V' }],
    ['02FB0D0100', { quantity: 'fb-0d' }],
    ['02FF207100', { quantity: 'manufacturer-specific', vife: [0x20], value: 113 }],
    ['0D7C03414243034B4F41', { quantity: 'plain-text', unit: 'CBA', value: 'AOK' }],
    ['0D13C21234', { value: 3.412 }], // LVAR BCD
    ['8401130a000000', { storage: 2, tariff: 0, subunit: 0, value: 0.01 }],
    ['C4D0401300000000', { storage: 1, tariff: 1, subunit: 3 }],
    ['1413e8030000', { function: 'maximum' }],
    ['2413e8030000', { function: 'minimum' }],
    ['3413e8030000', { function: 'error' }],
    ['049375e8030000', { exponent: -4, value: 0.1 }], // VIFE 0x75: multiplicative correction 10^-1
  ])('%s', (h, want) => {
    expect(one(h)).toMatchObject(want);
  });

  it('skips 2F fillers and keeps offsets', () => {
    expect(parseRecords(hex('2f2f0413e80300002f2f')).map((r) => r.offset)).toEqual([2]);
  });

  it('takes 0x0F / 0x1F manufacturer data to the end', () => {
    const r = parseRecords(hex('025B15000F010203'));
    expect(r.map((x) => [x.quantity, x.value])).toEqual([['flow-temperature', 21], ['manufacturer-data', '010203']]);
    expect(parseRecords(hex('1Faa'))[0]?.quantity).toBe('manufacturer-data-more-follows');
  });

  it.each(['04', '0413', '0413e803', '84', '8480808080808080808080801300', '0D13F7', '0D13201234', '04FD', '047D00000000'])(
    'a malformed record %s is bad-record',
    (h) => {
      expect(() => parseRecords(hex(h))).toThrow(WmbusError);
      try {
        parseRecords(hex(h));
      } catch (e) {
        expect((e as WmbusError).code).toBe('bad-record');
      }
    },
  );
});
