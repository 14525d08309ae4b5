import { describe, expect, it } from 'vitest';
import {
  KMP_DEFAULT_HEAT_REGISTERS, KMP_REGISTERS, KmpError, decodeKmpFrame, decodeKmpValue, encodeGetRegisterResponse, encodeGetTypeResponse,
  encodeKmpFrame, encodeKmpValue, getRegisterRequest, getTypeRequest, kmpFields, parseGetRegisterRequest, parseGetRegisterResponse,
  parseGetSerialNoResponse, parseGetTypeResponse, type KmpFrame,
} from './index.js';
import { thrown } from '../../test/support/thrown.js';

// The commands both ways, the value encoding at its edges, and the fields a reading gets.

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const answer = (cid: number, data: string): KmpFrame => ({ toMeter: false, dest: 0x3f, cid, data: hex(data) });

function errorOf(f: () => unknown): { code: string; offset: number } {
  const e = thrown(KmpError, f);
  return { code: e.code, offset: e.offset };
}

describe('requests', () => {
  it('GetRegister for 1 to 8 registers, ids big-endian; the meter side reads them back', () => {
    const req = getRegisterRequest([60, 68, 74, 80, 86, 87, 89, 1004]);
    const frame = decodeKmpFrame(req);
    expect(frame.data.toString('hex')).toBe('08003c0044004a005000560057005903ec');
    expect(parseGetRegisterRequest(frame)).toEqual([60, 68, 74, 80, 86, 87, 89, 1004]);
  });

  it('refuses 0 or 9 registers and an id that is not 16 bits', () => {
    expect(errorOf(() => getRegisterRequest([]))).toEqual({ code: 'bad-value', offset: 0 });
    expect(errorOf(() => getRegisterRequest([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toEqual({ code: 'bad-value', offset: 0 });
    expect(errorOf(() => getRegisterRequest([60, 0x10000]))).toEqual({ code: 'bad-value', offset: 5 });
  });

  it('the meter side refuses a request whose count and ids disagree', () => {
    const frame = decodeKmpFrame(encodeKmpFrame({ toMeter: true, dest: 0x3f, cid: 0x10, data: hex('02003c00') }));
    expect(errorOf(() => parseGetRegisterRequest(frame))).toEqual({ code: 'truncated', offset: 6 });
  });
});

describe('answers', () => {
  it('GetType: meter type and software revision, both ways', () => {
    const bytes = encodeGetTypeResponse({ meterType: 0x0603, swRevision: 0x0102 });
    expect(bytes.toString('hex')).toBe(encodeKmpFrame({ toMeter: false, dest: 0x3f, cid: 1, data: hex('06030102') }).toString('hex'));
    expect(parseGetTypeResponse(decodeKmpFrame(bytes))).toEqual({ meterType: 0x0603, swRevision: 0x0102 });
    expect(decodeKmpFrame(getTypeRequest()).toMeter).toBe(true);
  });

  it('refuses an echo, another command, and a wrong length, with the offset in the data link', () => {
    expect(errorOf(() => parseGetSerialNoResponse({ ...answer(2, '01234567'), toMeter: true }))).toEqual({ code: 'unexpected-response', offset: 0 });
    expect(errorOf(() => parseGetSerialNoResponse(answer(1, '01234567')))).toEqual({ code: 'unexpected-response', offset: 1 });
    expect(errorOf(() => parseGetSerialNoResponse(answer(2, '012345')))).toEqual({ code: 'truncated', offset: 5 });
    expect(errorOf(() => parseGetTypeResponse(answer(1, '0603010200')))).toEqual({ code: 'bad-value', offset: 6 });
  });

  it('GetRegister: leaves out what the meter left out, keeps the order asked', () => {
    const bytes = encodeGetRegisterResponse([
      { rid: 60, unit: 0x02, value: 12345 },
      { rid: 86, unit: 0x25, value: '62.74' },
    ]);
    const values = parseGetRegisterResponse(decodeKmpFrame(bytes), [60, 61, 86]);
    expect(values).toEqual([
      { rid: 60, unit: 2, unitName: 'kWh', value: 12345, text: '12345' },
      { rid: 86, unit: 0x25, unitName: '°C', value: 62.74, text: '62.74' },
    ]);
  });

  it('GetRegister: refuses a register not asked for, or out of order, or twice', () => {
    const data = '003c 02 04 00 00003039 0056 25 04 42 0000188a';
    expect(errorOf(() => parseGetRegisterResponse(answer(0x10, data), [60]))).toEqual({ code: 'unexpected-response', offset: 11 });
    expect(errorOf(() => parseGetRegisterResponse(answer(0x10, data), [86, 60]))).toEqual({ code: 'unexpected-response', offset: 11 });
    expect(errorOf(() => parseGetRegisterResponse(answer(0x10, '003c02040000003039 003c02040000003039'), [60]))).toEqual({ code: 'unexpected-response', offset: 11 });
  });

  it('GetRegister: a value cut off or with an empty mantissa, offsets in the data link', () => {
    expect(errorOf(() => parseGetRegisterResponse(answer(0x10, '003c 02 04 00 000030')))).toEqual({ code: 'truncated', offset: 10 });
    expect(errorOf(() => parseGetRegisterResponse(answer(0x10, '003c 02 00 00')))).toEqual({ code: 'bad-value', offset: 5 });
    expect(errorOf(() => parseGetRegisterResponse(answer(0x10, `003c 02 09 00 ${'ff'.repeat(9)}`)))).toEqual({ code: 'bad-value', offset: 5 });
    expect(errorOf(() => parseGetRegisterResponse(answer(0x10, '003c 02')))).toEqual({ code: 'truncated', offset: 5 });
    expect(errorOf(() => parseGetRegisterResponse(answer(0x10, '003c02040000003039 00')))).toEqual({ code: 'truncated', offset: 12 });
  });
});

describe('values', () => {
  it('decodes sign, exponent sign and exponent exactly', () => {
    const text = (sise: number, mantissa: string): string => decodeKmpValue(hex(`02 ${(mantissa.length / 2).toString(16).padStart(2, '0')} ${sise.toString(16).padStart(2, '0')} ${mantissa}`), 0).text;
    expect(text(0xc2, '0000188a')).toBe('-62.82');
    expect(text(0x80, '00000005')).toBe('-5');
    expect(text(0x02, '00000005')).toBe('500');
    expect(text(0x45, '0000000c')).toBe('0.00012');
    expect(text(0x43, '000003e8')).toBe('1');
    expect(text(0xc0, '00000000')).toBe('0');
    expect(text(0x3f, 'ffffffffffffffff')).toBe(`18446744073709551615${'0'.repeat(63)}`);
    expect(decodeKmpValue(hex('25 04 42 0000188a'), 0)).toEqual({ unit: 0x25, value: 62.82, text: '62.82', end: 7 });
  });

  it('encodes numbers and exact texts, and refuses what it cannot encode', () => {
    expect(encodeKmpValue(-62.82, 0x25).toString('hex')).toBe('2504c20000188a');
    expect(encodeKmpValue('1e-63', 0).toString('hex')).toBe('00047f00000001');
    expect(encodeKmpValue('18446744073709551615', 0).toString('hex')).toBe('000800ffffffffffffffff');
    expect(decodeKmpValue(encodeKmpValue('123456789012345678900000000000', 2), 0).text).toBe('123456789012345678900000000000');
    expect(errorOf(() => encodeKmpValue('123456789012345678901234567890', 2))).toEqual({ code: 'bad-value', offset: 0 });
    expect(errorOf(() => encodeKmpValue(Number.NaN, 0))).toEqual({ code: 'bad-value', offset: 0 });
    expect(errorOf(() => encodeKmpValue('12,5', 0))).toEqual({ code: 'bad-value', offset: 0 });
    expect(errorOf(() => encodeKmpValue('1e-64', 0))).toEqual({ code: 'bad-value', offset: 0 });
    expect(errorOf(() => encodeKmpValue('18446744073709551617', 0))).toEqual({ code: 'bad-value', offset: 0 });
    expect(errorOf(() => encodeKmpValue(70001, 0, { length: 2 }))).toEqual({ code: 'bad-value', offset: 1 });
  });
});

describe('kmpFields', () => {
  const v = (rid: number, unit: number, unitName: string, value: number) => ({ rid, unit, unitName, value, text: String(value) });

  it('names the values as the wM-Bus readings do and converts to the unit the name says', () => {
    expect(kmpFields([
      v(60, 8, 'GJ', 12.345), v(68, 0x27, 'l', 123456), v(74, 0x29, 'l/h', 512), v(80, 0x15, 'W', 9700),
      v(86, 0x25, '°C', 62.74), v(87, 0x25, '°C', 43.79), v(89, 0x26, 'K', 18.95), v(1004, 0x2e, 'h', 28263),
      v(1003, 0x30, 'yy:mm:dd', 231204), v(1002, 0x2f, 'hh:mm:ss', 70809), v(99, 0, '', 0),
    ])).toEqual({
      total_energy_consumption_kwh: 3429.166667, total_volume_m3: 123.456, volume_flow_m3h: 0.512, power_kw: 9.7,
      t1_temperature_c: 62.74, t2_temperature_c: 43.79, flow_return_temperature_difference_c: 18.95, on_time_h: 28263,
      meter_date: '2023-12-04', meter_time: '07:08:09', info_codes: 0,
    });
  });

  it('MWh to kWh; a unit the field cannot take stays in the name; an unknown register keeps its id', () => {
    expect(kmpFields([v(60, 3, 'MWh', 1.234), v(63, 0x28, 'm³', 5), v(4242, 0x28, 'm³', 7), v(4243, 0, '', 1)])).toEqual({
      total_energy_consumption_kwh: 1234, total_cooling_energy_m3: 5, register_4242_m3: 7, register_4243: 1,
    });
  });

  it('electricity registers as the OMNIPOWER wM-Bus reading names them', () => {
    expect(kmpFields([v(1, 2, 'kWh', 36886), v(2, 2, 'kWh', 12), v(1023, 0x15, 'W', 1122), v(1054, 0x21, 'V', 231), v(1076, 0x22, 'A', 4.86)])).toEqual({
      total_energy_consumption_kwh: 36886, total_energy_production_kwh: 12, current_power_consumption_kw: 1.122,
      voltage_at_phase_1_v: 231, current_at_phase_1_a: 4.86,
    });
  });

  it('rounds to 6 decimals like the wM-Bus fields, whatever the unit', () => {
    expect(kmpFields([v(86, 0x25, '°C', 62.1234567), v(68, 0x28, 'm³', 0.0000004), v(4244, 0, '', 1.0000001)])).toEqual({
      t1_temperature_c: 62.123457, total_volume_m3: 0, register_4244: 1,
    });
  });

  it('the default poll reads ten known registers', () => {
    expect(KMP_DEFAULT_HEAT_REGISTERS).toHaveLength(10);
    expect(KMP_DEFAULT_HEAT_REGISTERS.every((rid) => KMP_REGISTERS.has(rid))).toBe(true);
  });
});
