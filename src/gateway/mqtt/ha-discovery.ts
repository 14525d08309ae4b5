import type { Reading } from '../gateway-types.js';
import type { Topics } from './mqtt-options.js';

// Home Assistant MQTT discovery, one sensor per field of a reading (docs/mqtt.md). The unit comes
// from the field name's suffix, as in wmbusmeters (`total_m3`, `flow_temperature_c`, `rssi_dbm`).

interface UnitInfo {
  unit: string;
  deviceClass?: string;
  /** Registers count up; instantaneous values are measurements. */
  counter: boolean;
}

// Keyed by what follows the field name's last underscore.
const UNITS: Record<string, UnitInfo> = {
  m3: { unit: 'm³', deviceClass: 'water', counter: true },
  l: { unit: 'L', deviceClass: 'water', counter: true },
  kwh: { unit: 'kWh', deviceClass: 'energy', counter: true },
  mwh: { unit: 'MWh', deviceClass: 'energy', counter: true },
  gj: { unit: 'GJ', deviceClass: 'energy', counter: true },
  m3h: { unit: 'm³/h', deviceClass: 'volume_flow_rate', counter: false },
  lh: { unit: 'L/h', deviceClass: 'volume_flow_rate', counter: false },
  c: { unit: '°C', deviceClass: 'temperature', counter: false },
  k: { unit: 'K', counter: false },
  w: { unit: 'W', deviceClass: 'power', counter: false },
  kw: { unit: 'kW', deviceClass: 'power', counter: false },
  v: { unit: 'V', deviceClass: 'voltage', counter: false },
  a: { unit: 'A', deviceClass: 'current', counter: false },
  hz: { unit: 'Hz', deviceClass: 'frequency', counter: false },
  dbm: { unit: 'dBm', deviceClass: 'signal_strength', counter: false },
  h: { unit: 'h', deviceClass: 'duration', counter: false },
  d: { unit: 'd', deviceClass: 'duration', counter: false },
  pct: { unit: '%', counter: false },
};

export function unitOf(field: string, media: string): UnitInfo | undefined {
  const i = field.lastIndexOf('_');
  if (i < 0) return undefined;
  const info = UNITS[field.slice(i + 1)];
  if (info?.unit === 'm³' && /gas/i.test(media)) return { ...info, deviceClass: 'gas' };
  return info;
}

/** The retained discovery configs for a reading: topic → JSON payload. Pure. */
export function discoveryConfigs(r: Reading, gatewayId: string, topics: Topics): Map<string, string> {
  const out = new Map<string, string>();
  const device = {
    identifiers: [`openeks_${gatewayId}_${r.meterKey}`],
    manufacturer: r.meter.manufacturer,
    model: r.driver,
    name: r.meterKey,
  };
  const fields: [string, unknown][] = [...Object.entries(r.fields), ['rssi_dbm', r.rssiDbm]];
  for (const [field, value] of fields) {
    if (field === 'rssi_dbm' && value === null) continue;
    const unit = unitOf(field, r.media);
    const config: Record<string, unknown> = {
      name: field,
      unique_id: `openeks_${gatewayId}_${r.meterKey}_${field}`,
      object_id: `${gatewayId}_${r.meterKey}_${field}`.toLowerCase().replace(/[^a-z0-9_]/g, '_'),
      device,
      state_topic: topics.state(r.meterKey),
      value_template: `{{ value_json.${field} }}`,
      availability: [{ topic: topics.status }, { topic: topics.availability(r.meterKey) }],
      availability_mode: 'all',
      payload_available: 'online',
      payload_not_available: 'offline',
    };
    if (unit) {
      if (unit.deviceClass) config.device_class = unit.deviceClass;
      config.unit_of_measurement = unit.unit;
      config.state_class = unit.counter ? (field.startsWith('total') ? 'total_increasing' : 'total') : 'measurement';
    } else if (typeof value === 'number') {
      config.state_class = 'measurement';
    }
    out.set(topics.discovery(r.meterKey, field), JSON.stringify(config));
  }
  return out;
}
