import type { Fields } from '../wmbus/meters/fields.js';
import { encodeData, numberOf, type DlmsData } from './axdr.js';
import { decodeDateTime } from './date-time.js';
import { normalizeObis } from './obis-code.js';
import { DLMS_UNITS, scaled, tidy, toFieldUnit, unitFactor } from './units.js';

// One table from OBIS codes to reading fields, named like wmbusmeters names the fields of its
// electricity meters (omnipower: total_energy_consumption_kwh, power_consumption_kw,
// voltage_at_phase_1_v …), the unit carried in the name. DLMS pushes and GETs (cosemFields) and the
// IEC 62056-21 readouts (fieldOfObis) use it both, so one meter read either way gives one set of names.

export interface ObisField {
  /** What the object holds, in words. */
  name: string;
  /** The reading's field. */
  field: string;
  /** The unit the field is in ('' for a plain number); absent for text fields. */
  unit?: string;
  /** The DLMS unit (DLMS_UNITS) the value is in when the meter gives none (Kamstrup's list 1 has no scalers). */
  dlmsUnit?: number;
}

const E = (c: number, d: number, e: number): string => `1-0:${c}.${d}.${e}.255`;

function table(): Map<string, ObisField> {
  const t = new Map<string, ObisField>();
  const add = (obis: string, name: string, field: string, unit?: string, dlmsUnit?: number): void => {
    t.set(obis, { name, field, ...(unit !== undefined ? { unit } : {}), ...(dlmsUnit !== undefined ? { dlmsUnit } : {}) });
  };
  add(E(1, 8, 0), 'Active energy import (+A)', 'total_energy_consumption_kwh', 'kWh', 30);
  add(E(2, 8, 0), 'Active energy export (−A)', 'total_energy_production_kwh', 'kWh', 30);
  add(E(3, 8, 0), 'Reactive energy import (+R)', 'total_reactive_energy_consumption_kvarh', 'kvarh', 32);
  add(E(4, 8, 0), 'Reactive energy export (−R)', 'total_reactive_energy_production_kvarh', 'kvarh', 32);
  for (let tariff = 1; tariff <= 4; tariff++) {
    add(E(1, 8, tariff), `Active energy import (+A), tariff ${tariff}`, `total_energy_consumption_tariff_${tariff}_kwh`, 'kWh', 30);
    add(E(2, 8, tariff), `Active energy export (−A), tariff ${tariff}`, `total_energy_production_tariff_${tariff}_kwh`, 'kWh', 30);
  }
  add(E(1, 7, 0), 'Active power import (+P)', 'power_consumption_kw', 'kW', 27);
  add(E(2, 7, 0), 'Active power export (−P)', 'power_production_kw', 'kW', 27);
  add(E(3, 7, 0), 'Reactive power import (+Q)', 'reactive_power_consumption_kvar', 'kvar', 29);
  add(E(4, 7, 0), 'Reactive power export (−Q)', 'reactive_power_production_kvar', 'kvar', 29);
  for (const [phase, base] of [[1, 20], [2, 40], [3, 60]] as const) {
    add(E(base + 1, 7, 0), `Active power import L${phase}`, `power_consumption_at_phase_${phase}_kw`, 'kW', 27);
    add(E(base + 2, 7, 0), `Active power export L${phase}`, `power_production_at_phase_${phase}_kw`, 'kW', 27);
    add(E(base + 3, 7, 0), `Reactive power import L${phase}`, `reactive_power_consumption_at_phase_${phase}_kvar`, 'kvar', 29);
    add(E(base + 4, 7, 0), `Reactive power export L${phase}`, `reactive_power_production_at_phase_${phase}_kvar`, 'kvar', 29);
    add(E(base + 11, 7, 0), `Current L${phase}`, `current_at_phase_${phase}_a`, 'A', 33);
    add(E(base + 12, 7, 0), `Voltage L${phase}`, `voltage_at_phase_${phase}_v`, 'V', 35);
  }
  add(E(14, 7, 0), 'Frequency', 'frequency_hz', 'Hz', 44);
  add(E(13, 7, 0), 'Power factor', 'power_factor', '', 255);
  add('0-0:1.0.0.255', 'Clock', 'meter_datetime');
  add('0-0:96.1.0.255', 'Meter serial number', 'meter_id');
  add('0-0:96.1.1.255', 'Meter type', 'meter_type');
  add('1-0:0.2.0.255', 'Firmware version', 'firmware_version');
  add('0-0:42.0.0.255', 'Logical device name', 'logical_device_name');
  add('1-1:0.2.129.255', 'OBIS list version', 'list_version');
  add('0-0:96.14.0.255', 'Current tariff', 'current_tariff', '', 255);
  return t;
}

/** OBIS code ('1-0:1.8.0.255') → name and field. The one table (OBIS_NAMES is the contract's name for it). */
export const OBIS_FIELDS: ReadonlyMap<string, ObisField> = table();
export const OBIS_NAMES: ReadonlyMap<string, ObisField> = OBIS_FIELDS;

/**
 * The same code on channel 0: Kamstrup and others write B = 1 ('1-1:1.8.0.255') for the one
 * channel a meter has; the table names channel 0.
 */
function channelZero(obis: string): string {
  const dash = obis.indexOf('-');
  const colon = obis.indexOf(':');
  return dash > 0 && colon > dash ? `${obis.slice(0, dash)}-0${obis.slice(colon)}` : obis;
}

// The entry of a formatted code, channel fallback included, remembered with its unit factors: a
// push asks for the same few codes again and again. Bounded: cleared past 4,096 codes.
export interface Resolved {
  entry: ObisField | undefined;
  /** Per DLMS unit code, the factor to the field's unit (unitFactor); NaN = not yet known, 0 = does not convert. */
  factors: Float64Array | undefined;
}
const resolved = new Map<string, Resolved>();

export function resolve(obis: string): Resolved {
  let r = resolved.get(obis);
  if (r === undefined) {
    if (resolved.size >= 4_096) resolved.clear();
    const entry = OBIS_FIELDS.get(obis) ?? OBIS_FIELDS.get(channelZero(obis));
    r = { entry, factors: entry?.unit !== undefined ? new Float64Array(256).fill(Number.NaN) : undefined };
    resolved.set(obis, r);
  }
  return r;
}

/** The entry for an OBIS code in any written form ('1.8.0', '1-0:1.8.0*255', '1-0:1.8.0.255'), a channel B > 0 falling back to B = 0. */
export function obisField(obis: string): ObisField | undefined {
  const direct = OBIS_FIELDS.get(obis);
  if (direct) return direct;
  const normal = normalizeObis(obis);
  return normal === undefined ? undefined : (OBIS_FIELDS.get(normal) ?? OBIS_FIELDS.get(channelZero(normal)));
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** An octet string as text: printable ASCII as itself, a 12-byte date-time as ISO where complete, else hex. */
export function octetsText(b: Buffer, dateTime = false): string {
  if (dateTime && b.length === 12) {
    const d = decodeDateTime(b);
    if (d.iso !== undefined) return d.iso;
  }
  const latin = b.toString('latin1');
  return b.length > 0 && PRINTABLE.test(latin) ? latin : b.toString('hex');
}

/**
 * A COSEM value as a reading shows it: numbers scaled (×10^scaler, 6 decimals), strings as text,
 * date-times as ISO text, anything else (a structure …) as the hex of its A-XDR bytes.
 */
export function valueText(d: DlmsData, scaler: number, isClock: boolean): number | string {
  const n = numberOf(d);
  if (n !== undefined) return scaled(n, d.type === 'enum' || d.type === 'boolean' ? 0 : scaler);
  switch (d.type) {
    case 'octet-string':
      return octetsText(d.value, isClock);
    case 'visible-string':
    case 'utf8-string':
    case 'bit-string':
      return d.value;
    case 'date-time':
      return octetsText(d.value, true);
    default:
      return encodeData(d).toString('hex');
  }
}

/**
 * The field for one value read under an OBIS code, in the field's unit: `value` in `unitName`
 * (DLMS_UNITS text or a readout's 'kWh'), or undefined when the code has no field or the unit
 * does not convert. For the IEC 62056-21 readouts ('1.8.0(0036886*kWh)').
 */
export function fieldOfObis(obis: string, value: number | string, unitName?: string): { field: string; value: number | string } | undefined {
  const entry = obisField(obis);
  return entry ? fieldOfEntry(entry, value, unitName) : undefined;
}

function fieldOfEntry(entry: ObisField, value: number | string, unitName?: string): { field: string; value: number | string } | undefined {
  if (entry.unit === undefined || typeof value === 'string') return entry.unit === undefined ? { field: entry.field, value } : undefined;
  const from = unitName ?? (entry.dlmsUnit !== undefined ? (DLMS_UNITS.get(entry.dlmsUnit) ?? '') : '');
  const converted = toFieldUnit(value, from === 'count' ? '' : from, entry.unit);
  return converted === undefined ? undefined : { field: entry.field, value: converted };
}

/** One COSEM object as a reading lists it: the code, its name, the value scaled, the unit as text. */
export interface CosemObject {
  obis: string;
  name?: string;
  value: number | string;
  unit?: string;
}

/** DLMS_UNITS as an array: one index per object of every push, no hashing. */
const UNIT_TEXT: ReadonlyArray<string | undefined> = Array.from({ length: 256 }, (_, i) => DLMS_UNITS.get(i));

/**
 * One object read under `obis` (formatted, '1-0:1.8.0.255') appended to `objects`, and its field
 * set in `fields` when the table has one and the unit converts. `scaler`/`unit` as the meter gave
 * them (absent: the table's unit and no scaling). The push reader's inner step: no result objects.
 */
export function addObject(objects: CosemObject[], fields: Fields, obis: string, value: DlmsData, scaler?: number, unit?: number): void {
  addValue(objects, fields, obis, valueText(value, scaler ?? 0, obis === '0-0:1.0.0.255'), unit);
}

/** addObject with the value already shown (valueText) and, if the caller kept it, the code resolved: the push reader's fast path (push-tape.ts) shows it from the bytes. */
export function addValue(objects: CosemObject[], fields: Fields, obis: string, shown: number | string, unit?: number, resolved: Resolved = resolve(obis)): void {
  const { entry, factors } = resolved;
  const isNumber = typeof shown === 'number';
  const unitCode = isNumber ? (unit ?? entry?.dlmsUnit) : undefined;
  const unitName = unitCode === undefined || unitCode === 255 ? undefined : UNIT_TEXT[unitCode];
  const object: CosemObject = entry ? { obis, name: entry.name, value: shown } : { obis, value: shown };
  if (unitName !== undefined) object.unit = unitName;
  objects.push(object);
  if (!entry) return;
  if (entry.unit === undefined) {
    fields[entry.field] = shown;
    return;
  }
  if (!isNumber || factors === undefined) return;
  const code = unitCode ?? 255;
  let f = factors[code] as number;
  if (Number.isNaN(f)) {
    // Unknown unit codes do not convert: a field promises its unit.
    f = unitFactor(code === 255 ? '' : (UNIT_TEXT[code] ?? `unit ${code}`), entry.unit) ?? 0;
    factors[code] = f;
  }
  if (f !== 0) fields[entry.field] = f === 1 ? shown : tidy(f < 0 ? shown / -f : shown * f);
}

/** One object as listed and its field, if any (addObject for a single object). */
export function objectOf(obis: string, value: DlmsData, scaler?: number, unit?: number): { object: CosemObject; field?: { field: string; value: number | string } } {
  const objects: CosemObject[] = [];
  const fields: Fields = {};
  addObject(objects, fields, obis, value, scaler, unit);
  const object = objects[0] as CosemObject;
  const [field] = Object.entries(fields);
  return field ? { object, field: { field: field[0], value: field[1] as number | string } } : { object };
}

/** Reading fields of COSEM objects (value, and scaler/unit where the meter gave them). */
export function cosemFields(objects: ReadonlyArray<{ obis: string; value: DlmsData; scaler?: number; unit?: number }>): Fields {
  const fields: Fields = {};
  for (const o of objects) {
    const { field } = objectOf(normalizeObis(o.obis) ?? o.obis, o.value, o.scaler, o.unit);
    if (field) fields[field.field] = field.value;
  }
  return fields;
}
