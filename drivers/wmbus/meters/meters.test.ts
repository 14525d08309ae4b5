import { describe, expect, it } from 'vitest';
import { plainTelegram } from '../../../test/support/wmbus-telegrams.js';
import { VECTORS, hex } from '../../../test/support/wmbus-vectors.js';
import { decodeTelegram } from '../decode-telegram.js';
import { recordsOf } from '../records-of.js';
import { decodeMeter, detectDriver } from './registry.js';

// Expected values are wmbusmeters' output for the same telegrams (the `// Test:` blocks of its
// driver_multical21.cc, driver_flowiq2200.cc, driver_kamheat.cc and driver_omnipower.cc).

const vector = (meter: string) => {
  const v = VECTORS.find((x) => x.meter === meter);
  if (!v) throw new Error(`no shared vector ${meter}`);
  return v;
};

const read = (header: string, records: string) => {
  const t = decodeTelegram(plainTelegram(header, records), { crc: 'stripped' });
  return decodeMeter(t, recordsOf(t));
};

describe('meter decoders', () => {
  it('the shared MULTICAL 21 vector decodes to wmbusmeters\' values', () => {
    const v = vector('Kamstrup Multical 21');
    const t = decodeTelegram(hex(v.telegram), { crc: 'stripped', key: hex(v.key) });
    expect(decodeMeter(t, recordsOf(t))).toEqual({
      driver: 'multical21',
      fields: {
        status: 'DRY', total_m3: 6.408, target_m3: 6.408, flow_temperature_c: 127, external_temperature_c: 19,
        current_status: 'DRY', time_dry: '22-31 days', time_reversed: '', time_leaking: '', time_bursting: '',
      },
    });
  });

  it('MULTICAL 21 with max flow and status OK (wmbusmeters "Vadden")', () => {
    const r = read('2D2C776655441B16', '02FF20000004132F4E000092013B3D01A1015B028101E7FF0F03');
    expect(r.driver).toBe('multical21');
    expect(r.fields).toMatchObject({ status: 'OK', total_m3: 20.015, flow_temperature_c: 2, external_temperature_c: 3, max_flow_m3h: 0.317, current_status: '', time_dry: '' });
  });

  it('flowIQ 2200 (wmbusmeters "VATTEN" and "Votten")', () => {
    const a = read('372C525252523A16', '04FF23000000000413AEAC0000441364A80000426C812A023B000092013BEF01A2013B000006FF1B067000097000A1015B0C91015B14A1016713');
    expect(a).toEqual({
      driver: 'flowiq2200',
      fields: {
        status: 'OK', total_m3: 44.206, target_m3: 43.108, target_date: '2020-10-01', flow_m3h: 0, min_flow_temperature_c: 12,
        max_flow_temperature_c: 20, min_external_temperature_c: 19, max_flow_m3h: 0.495, min_flow_m3h: 0,
      },
    });
    const b = read('372C763081233C16', '04FF2300080000441300000000523B000006FF1B08900008F0FF426CC12B61670A51671B023B000004131F0F00008101E7FF0F13');
    expect(b.fields).toMatchObject({ status: 'ERROR_FLAGS_800', total_m3: 3.871, target_m3: 0, target_date: '2022-11-01', flow_m3h: 0, max_external_temperature_c: 27, min_external_temperature_c: 10, max_flow_m3h: 0 });
  });

  it('MULTICAL 302 in kWh and in MJ, 603 and 403 (wmbusmeters kamheat)', () => {
    const a = read('2D2C676767673004', '03062C000043060000000314630000426C7F2A022D130001FF2100');
    expect(a.driver).toBe('kamheat'); // wmbusmeters prints "meter":"kamheat"; multical302 is an alias
    expect(a.fields).toMatchObject({ status: 'OK', total_energy_consumption_kwh: 44, total_volume_m3: 0.99, power_kw: 1.9, target_energy_kwh: 0, target_date: '2019-10-31' });
    const mj = read('2D2C46464646300C', '030FC51000430F9210000314072B05426CBE2B022D0C0001FF2100');
    expect(mj.driver).toBe('kamheat');
    expect(mj.fields).toMatchObject({ total_energy_consumption_kwh: 11925, total_volume_m3: 3386.95, power_kw: 1.2, target_date: '2021-11-30' });
    expect(mj.fields.target_energy_kwh).toBe(11783.333333); // 6 decimals, as wmbusmeters prints it
    const m603 = read('2D2C666666663504', '0406051C000004FF07393D000004FF08AE2400000414F7680000043B47000000042D1600000002596D14025DFD0804FF22000000000422E61A0000143B8C010000142D7C000000');
    expect(m603).toEqual({
      driver: 'kamheat',
      fields: {
        status: 'OK', total_energy_consumption_kwh: 7173, total_volume_m3: 268.71, volume_flow_m3h: 0.071, power_kw: 2.2, max_power_kw: 12.4,
        t1_temperature_c: 52.29, t2_temperature_c: 23.01, max_flow_m3h: 0.396,
        forward_energy_m3c: 15673, return_energy_m3c: 9390, on_time_h: 6886,
      },
    });
    const m403 = read('2D2C020178783404', '04FF2205000000');
    expect(m403.driver).toBe('kamheat');
    expect(m403.fields.status).toBe('SENSOR_ERROR VOLTAGE_INTERRUPTED'); // sorted, as wmbusmeters sorts status words
  });

  it('OMNIPOWER consumption and production (wmbusmeters "myomnipower")', () => {
    expect(read('2D2C576866323002', '04041A03000004843C00000000042B0300000004AB3C00000000')).toEqual({
      driver: 'omnipower',
      fields: { total_energy_consumption_kwh: 7.94, total_energy_production_kwh: 0, current_power_consumption_kw: 0.003, current_power_production_kw: 0 },
    });
  });

  it('the Aventies vector: wmbusmeters\' aventieswm driver, and the generic fields by quantity, unit and storage on request', () => {
    const v = vector('Aventies water meter');
    const t = decodeTelegram(hex(v.telegram), { crc: 'stripped', key: hex(v.key) });
    expect(detectDriver(t)).toBe('aventieswm');
    expect(decodeMeter(t, recordsOf(t)).fields).toMatchObject({ total_m3: 466.472, consumption_at_set_date_14_m3: 357.84, status: 'OK', error_flags: '' });
    const { driver, fields } = decodeMeter(t, recordsOf(t), { driver: 'generic' });
    expect(driver).toBe('generic');
    expect(fields).toMatchObject({ volume_m3: 466.472, volume_m3_storage_1: 465.96, volume_m3_storage_14: 357.84, error_flags: 0 });
    expect(Object.keys(fields)).toHaveLength(16);
  });

  it('a driver hint overrides detection; an unknown hint is refused', () => {
    const t = decodeTelegram(plainTelegram('2D2C576866323002', '0413E8030000'), { crc: 'stripped' });
    expect(decodeMeter(t, recordsOf(t), { driver: 'multical21' }).fields).toEqual({ total_m3: 1 });
    expect(() => decodeMeter(t, recordsOf(t), { driver: 'nope' })).toThrow(/no meter driver "nope"/);
  });
});
