import { describe, expect, it } from 'vitest';
import { IecError } from './errors.js';
import { bcc, encodeReadout, parseReadout, readoutFields, type DataSet } from './index.js';
import { thrown } from '../../test/support/thrown.js';

/** A block around `body` (the data lines and `!\r\n`), its BCC computed here independently. */
function block(body: string, fixBcc = true): Buffer {
  const b = Buffer.from(`\x02${body}\x03\x00`, 'latin1');
  let x = 0;
  for (let i = 1; i < b.length - 1; i++) x ^= b[i] ?? 0;
  b[b.length - 1] = fixBcc ? x : x ^ 1;
  return b;
}

const fails = (f: () => unknown): IecError => thrown(IecError, f);

const SETS: DataSet[] = [
  { id: 'C.1.0', value: '12345678' },
  { id: '1.8.0', value: '0036886.5', unit: 'kWh' },
  { id: '2.8.0', value: '0000012.0', unit: 'kWh' },
  { id: '1.7.0', value: '01.234', unit: 'kW' },
  { id: '2.7.0', value: '00.000', unit: 'kW' },
  { id: '32.7.0', value: '230.1', unit: 'V' },
  { id: '52.7.0', value: '231', unit: 'V' },
  { id: '72.7.0', value: '229.9', unit: 'V' },
  { id: '31.7.0', value: '1.25', unit: 'A' },
  { id: '51.7.0', value: '0.5', unit: 'A' },
  { id: '71.7.0', value: '0', unit: 'A' },
  { id: 'F.F', value: '00000000' },
];
const BODY = SETS.map((s) => `${s.id}(${s.value}${s.unit ? `*${s.unit}` : ''})\r\n`).join('') + '!\r\n';

describe('mode C readout', () => {
  it('encodes one data set to a line, STX … ! CR LF ETX BCC, and parses it back', () => {
    const bytes = encodeReadout(SETS);
    expect(bytes).toEqual(block(BODY));
    expect(bytes[bytes.length - 1]).toBe(bcc(bytes, 1, bytes.length - 1));
    expect(parseReadout(bytes)).toEqual(SETS);
  });

  it('reads several data sets to a line, values without address, empty lines and an empty readout', () => {
    expect(parseReadout(block('1.8.1(001.5*kWh)1.8.2(002.5*kWh)\r\n(003.5*kWh)\r\n\r\n!\r\n'))).toEqual([
      { id: '1.8.1', value: '001.5', unit: 'kWh' },
      { id: '1.8.2', value: '002.5', unit: 'kWh' },
      { id: '', value: '003.5', unit: 'kWh' },
    ]);
    expect(parseReadout(block('!\r\n'))).toEqual([]);
    expect(encodeReadout([])).toEqual(block('!\r\n'));
  });

  const cases: Array<[string, Buffer, string, number]> = [
    ['a wrong BCC', block(BODY, false), 'bad-bcc', BODY.length + 2],
    ['no STX', Buffer.from('1.8.0(1)\r\n!\r\n\x03\x00', 'latin1'), 'bad-block', 0],
    ['no ETX', block(BODY).subarray(0, 20), 'truncated', 20],
    ['no BCC', block(BODY).subarray(0, BODY.length + 2), 'truncated', BODY.length + 2],
    ['no !', block('1.8.0(1)\r\n'), 'bad-block', 8],
    ['a line without CR LF', block('1.8.0(1)!\r\n'), 'bad-block', 1],
    ['a data set without (', block('1.8.0\r\n!\r\n'), 'bad-block', 1],
    ['a data set without )', block('1.8.0(12\r\n!\r\n'), 'bad-block', 9],
    ['a ( in an address', block('1.8(.0(1)\r\n!\r\n'), 'bad-block', 7],
    ['a non-ASCII value byte', block('1.8.0(1\xe42)\r\n!\r\n'), 'bad-block', 8],
    ['two units', block('1.8.0(1*kWh*x)\r\n!\r\n'), 'bad-block', 12],
  ];
  for (const [name, bytes, code, offset] of cases) {
    it(`refuses ${name}: ${code} at ${offset}`, () => {
      const e = fails(() => parseReadout(bytes));
      expect([e.code, e.offset]).toEqual([code, offset]);
    });
  }

  it('refuses to encode what it could not read back', () => {
    const e = fails(() => encodeReadout([{ id: '1.8.0', value: '1(2' }]));
    expect([e.code, e.offset]).toEqual(['bad-value', 8]);
  });
});

describe('readoutFields', () => {
  it('names OBIS data sets as the wM-Bus readings and the DLMS driver name them', () => {
    expect(readoutFields(SETS)).toEqual({
      total_energy_consumption_kwh: 36886.5,
      total_energy_production_kwh: 12,
      power_consumption_kw: 1.234,
      power_production_kw: 0,
      voltage_at_phase_1_v: 230.1,
      voltage_at_phase_2_v: 231,
      voltage_at_phase_3_v: 229.9,
      current_at_phase_1_a: 1.25,
      current_at_phase_2_a: 0.5,
      current_at_phase_3_a: 0,
    });
  });

  it('converts Wh and W, takes a value without unit in the field unit, and skips what does not convert', () => {
    expect(readoutFields([
      { id: '1-0:1.8.0*255', value: '1234567', unit: 'Wh' },
      { id: '1.7.0', value: '1500', unit: 'W' },
      { id: '2.8.0', value: '42.5' },
      { id: '32.7.0', value: '230', unit: 'kWh' },
      { id: '0.0.0', value: '12345678' },
      { id: '', value: '1' },
    ])).toEqual({ total_energy_consumption_kwh: 1234.567, power_consumption_kw: 1.5, total_energy_production_kwh: 42.5 });
  });
});
