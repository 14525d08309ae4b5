import { describe, expect, it } from 'vitest';
import type { Reading } from '../gateway-types.js';
import { discoveryConfigs, unitOf } from './ha-discovery.js';
import { topicsFor } from './mqtt-options.js';

const reading: Reading = {
  protocol: 'wmbus',
  meter: { manufacturer: 'KAM', id: '63941885', version: 0x1b, deviceType: 0x16 },
  meterKey: 'KAM-63941885',
  driver: 'multical21',
  media: 'cold water',
  fields: { total_m3: 6.408, target_m3: 6.4, flow_temperature_c: 11, current_status: 'OK' },
  verified: 'crc',
  rssiDbm: -61,
  receivedAt: new Date('2024-03-03T18:37:00Z'),
  accessNumber: 1,
  link: 'stick1',
};
const topics = topicsFor('meters', 'gw1', 'homeassistant');

describe('discoveryConfigs', () => {
  const configs = discoveryConfigs(reading, 'gw1', topics);

  it('gives one retained config per field plus the signal, at homeassistant/sensor/<gw>_<meter>/<field>/config', () => {
    expect([...configs.keys()]).toEqual([
      'homeassistant/sensor/gw1_KAM-63941885/total_m3/config',
      'homeassistant/sensor/gw1_KAM-63941885/target_m3/config',
      'homeassistant/sensor/gw1_KAM-63941885/flow_temperature_c/config',
      'homeassistant/sensor/gw1_KAM-63941885/current_status/config',
      'homeassistant/sensor/gw1_KAM-63941885/rssi_dbm/config',
    ]);
  });

  it('describes a counter: device, unique id, state topic, template, class, unit, availability list with mode all', () => {
    expect(JSON.parse(configs.get('homeassistant/sensor/gw1_KAM-63941885/total_m3/config') ?? '')).toEqual({
      name: 'total_m3',
      unique_id: 'openeks_gw1_KAM-63941885_total_m3',
      object_id: 'gw1_kam_63941885_total_m3',
      device: { identifiers: ['openeks_gw1_KAM-63941885'], manufacturer: 'KAM', model: 'multical21', name: 'KAM-63941885' },
      state_topic: 'meters/gw1/KAM-63941885/state',
      value_template: '{{ value_json.total_m3 }}',
      availability: [{ topic: 'meters/gw1/status' }, { topic: 'meters/gw1/KAM-63941885/availability' }],
      availability_mode: 'all',
      payload_available: 'online',
      payload_not_available: 'offline',
      device_class: 'water',
      unit_of_measurement: 'm³',
      state_class: 'total_increasing',
    });
  });

  it('gives temperatures measurement °C, billing values state_class total, text no unit', () => {
    const get = (f: string) => JSON.parse(configs.get(`homeassistant/sensor/gw1_KAM-63941885/${f}/config`) ?? '') as Record<string, unknown>;
    expect(get('flow_temperature_c')).toMatchObject({ device_class: 'temperature', unit_of_measurement: '°C', state_class: 'measurement' });
    expect(get('target_m3').state_class).toBe('total');
    expect(get('current_status')).not.toHaveProperty('unit_of_measurement');
    expect(get('current_status')).not.toHaveProperty('state_class');
    expect(get('rssi_dbm')).toMatchObject({ device_class: 'signal_strength', unit_of_measurement: 'dBm' });
  });

  it('leaves out the signal when the stick gives none', () => {
    expect([...discoveryConfigs({ ...reading, rssiDbm: null }, 'gw1', topics).keys()]).not.toContain(
      'homeassistant/sensor/gw1_KAM-63941885/rssi_dbm/config',
    );
  });
});

describe('unitOf', () => {
  it('reads the unit from the suffix after the last underscore', () => {
    expect(unitOf('total_energy_consumption_kwh', 'heat')).toMatchObject({ unit: 'kWh', deviceClass: 'energy' });
    expect(unitOf('volume_flow_m3h', 'heat')).toMatchObject({ unit: 'm³/h', deviceClass: 'volume_flow_rate', counter: false });
    expect(unitOf('power_kw', 'electricity')).toMatchObject({ unit: 'kW', deviceClass: 'power' });
    expect(unitOf('voltage_at_phase_1_v', 'electricity')).toMatchObject({ unit: 'V' });
    expect(unitOf('current_at_phase_1_a', 'electricity')).toMatchObject({ unit: 'A' });
    expect(unitOf('total_m3', 'gas')).toMatchObject({ deviceClass: 'gas' });
    expect(unitOf('status', 'water')).toBeUndefined();
    expect(unitOf('meter_datetime', 'water')).toBeUndefined();
  });
});
