import { describe, expect, it } from 'vitest';
import { DlmsError } from './errors.js';
import { cosemFields, DLMS_UNITS, fieldOfObis, formatObis, OBIS_FIELDS, parseObis, scaled } from './obis.js';

describe('OBIS codes', () => {
  it('reads every written form and writes one', () => {
    const forms: Array<[string, string]> = [
      ['1-0:1.8.0.255', '0100010800ff'],
      ['1-0:1.8.0', '0100010800ff'],
      ['1-0:1.8.0*255', '0100010800ff'],
      ['1.8.0', '0100010800ff'],
      ['0.0.96.1.0', '0000600100ff'],
      ['0.0.1.0.0.255', '0000010000ff'],
      ['1-0:32.7.0.255', '0100200700ff'],
      ['C.1.0', '0100600100ff'],
      ['F.F', ''],
    ];
    for (const [text, bytes] of forms) {
      if (bytes === '') {
        expect(() => parseObis(text)).toThrow(DlmsError);
        continue;
      }
      expect(parseObis(text).toString('hex'), text).toBe(bytes);
    }
    expect(formatObis(Buffer.from('0100010800ff', 'hex'))).toBe('1-0:1.8.0.255');
    expect(() => parseObis('1-0:256.8.0')).toThrow(/above 255/);
    expect(() => formatObis(Buffer.alloc(5))).toThrow(DlmsError);
  });

  it('names the brief\'s codes and the units', () => {
    for (const code of ['1.8.0', '2.8.0', '1.7.0', '2.7.0', '3.8.0', '4.8.0', '32.7.0', '52.7.0', '72.7.0', '31.7.0', '51.7.0', '71.7.0', '0.0.1.0.0', '0.0.96.1.0', '1.0.0.2.0', '0.0.42.0.0']) {
      expect(OBIS_FIELDS.get(formatObis(parseObis(code))), code).toBeDefined();
    }
    expect([27, 28, 29, 30, 31, 32, 33, 35, 44].map((u) => DLMS_UNITS.get(u))).toEqual(['W', 'VA', 'var', 'Wh', 'VAh', 'varh', 'A', 'V', 'Hz']);
  });

  it('scales exactly to 6 decimals', () => {
    expect(scaled(2307, -1)).toBe(230.7);
    expect(scaled(1, -2)).toBe(0.01);
    expect(scaled(12n, 3)).toBe(12000);
    expect(scaled(1, -7)).toBe(0);
  });
});

describe('fields', () => {
  it('names values like the wM-Bus readings, Wh → kWh and W → kW', () => {
    const fields = cosemFields([
      { obis: '1-0:1.8.0.255', value: { type: 'uint32', value: 10049926 }, scaler: 0, unit: 30 },
      { obis: '1-0:1.7.0.255', value: { type: 'uint32', value: 1122 }, scaler: 0, unit: 27 },
      { obis: '1-0:32.7.0.255', value: { type: 'uint16', value: 2307 }, scaler: -1, unit: 35 },
      { obis: '1-0:31.7.0.255', value: { type: 'int16', value: 75 }, scaler: -2, unit: 33 },
      { obis: '1-0:2.8.0.255', value: { type: 'uint32', value: 8 } }, // no scaler/unit: Wh as the table says
      { obis: '0-0:96.1.0.255', value: { type: 'octet-string', value: Buffer.from('1KFM0100000035') } },
      { obis: '0-0:1.0.0.255', value: { type: 'octet-string', value: Buffer.from('07e30c1001073b28ff8000ff', 'hex') } },
      { obis: '1-0:99.99.0.255', value: { type: 'uint8', value: 1 } },
      { obis: '1-0:1.8.1.255', value: { type: 'uint32', value: 5 }, scaler: 0, unit: 35 }, // volts for energy: left out
    ]);
    expect(fields).toEqual({
      total_energy_consumption_kwh: 10049.926,
      power_consumption_kw: 1.122,
      voltage_at_phase_1_v: 230.7,
      current_at_phase_1_a: 0.75,
      total_energy_production_kwh: 0.008,
      meter_id: '1KFM0100000035',
      meter_datetime: '2019-12-16T07:59:40',
    });
  });

  it('maps readout values with their units (the IEC 62056-21 path)', () => {
    expect(fieldOfObis('1.8.0', 36886, 'kWh')).toEqual({ field: 'total_energy_consumption_kwh', value: 36886 });
    expect(fieldOfObis('1-0:1.7.0*255', 1500, 'W')).toEqual({ field: 'power_consumption_kw', value: 1.5 });
    expect(fieldOfObis('1.8.0', 1, 'm3')).toBeUndefined();
    expect(fieldOfObis('9.9.9', 1, 'kWh')).toBeUndefined();
  });
});
