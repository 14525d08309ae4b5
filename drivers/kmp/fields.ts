import type { Fields } from '../wmbus/meters/fields.js';
import type { KmpRegisterValue } from './commands.js';
import { KMP_REGISTERS } from './registers.js';

// Register values → a reading's fields, named as the wM-Bus readings name them, each converted to
// the unit its name ends with (GJ and MWh to kWh, l to m³, l/h to m³/h, W to kW, …) and rounded to
// 6 decimals as drivers/wmbus/meters/fields.ts does. A value in a unit its field cannot take keeps
// its own unit in the name (`…_gj` stays unconverted rather than mislabelled).

const TO_FIELD_UNIT: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  kwh: { Wh: 1e-3, kWh: 1, MWh: 1e3, GWh: 1e6, J: 1 / 3.6e6, kJ: 1 / 3600, MJ: 1 / 3.6, GJ: 1e3 / 3.6, 'GJ ×10': 1e4 / 3.6 },
  kw: { W: 1e-3, kW: 1, MW: 1e3, GW: 1e6 },
  m3: { l: 1e-3, 'm³': 1, 'm³ ×10': 10 },
  m3h: { 'l/h': 1e-3, 'm³/h': 1 },
  m3c: { 'm³·°C': 1 },
  c: { '°C': 1, K: 1 },
  h: { h: 1, min: 1 / 60, s: 1 / 3600, days: 24 },
  bar: { bar: 1 },
  v: { V: 1, kV: 1e3 },
  a: { A: 1, kA: 1e3 },
  t: { t: 1, 't ×10': 10 },
};

/** Like wmbusmeters prints numbers: 6 decimals at most, no binary noise (0.003, not 0.0030000000000000005). */
function round6(v: number): number {
  return Math.abs(v) < 1e15 ? Number(v.toFixed(6)) + 0 : v;
}

/** The unit as a field suffix: m³/h → m3h, °C → c, GJ → gj. */
function slug(unitName: string): string {
  return unitName.toLowerCase().replace(/³/g, '3').replace(/°c/g, 'c').replace(/[^a-z0-9]/g, '');
}

function digits(v: number, n: number): string | null {
  return Number.isInteger(v) && v >= 0 && v < 10 ** n ? String(v).padStart(n, '0') : null;
}

/** The date and time units carry their fields as digits: 231204 (yy:mm:dd) → "2023-12-04". */
function timeText(v: KmpRegisterValue): string | null {
  switch (v.unitName) {
    case 'yy:mm:dd': {
      const d = digits(v.value, 6);
      return d && `20${d.slice(0, 2)}-${d.slice(2, 4)}-${d.slice(4, 6)}`;
    }
    case 'yyyy:mm:dd': {
      const d = digits(v.value, 8);
      return d && `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
    }
    case 'hh:mm:ss': {
      const d = digits(v.value, 6);
      return d && `${d.slice(0, 2)}:${d.slice(2, 4)}:${d.slice(4, 6)}`;
    }
    case 'mm:dd': {
      const d = digits(v.value, 4);
      return d && `${d.slice(0, 2)}-${d.slice(2, 4)}`;
    }
    default:
      return null;
  }
}

/** One value → [field, value]. */
export function kmpField(v: KmpRegisterValue): [string, number | string] {
  const field = KMP_REGISTERS.get(v.rid)?.field ?? `register_${v.rid}`;
  const time = timeText(v);
  if (time !== null) return [field, time];
  const suffix = /_([a-z0-9]+)$/.exec(field)?.[1] ?? '';
  const table = TO_FIELD_UNIT[suffix];
  if (table === undefined) {
    // A field without a unit in its name (info codes, counts): the number as the meter sends it,
    // with the unit appended when the register is unknown and the meter names one.
    const unit = slug(v.unitName);
    return [KMP_REGISTERS.has(v.rid) || unit === '' ? field : `${field}_${unit}`, round6(v.value)];
  }
  const factor = table[v.unitName];
  if (factor === undefined) {
    const base = field.slice(0, field.length - suffix.length - 1);
    const unit = slug(v.unitName);
    return [unit === '' ? base : `${base}_${unit}`, round6(v.value)];
  }
  return [field, round6(v.value * factor)];
}

/** The reading's fields: one per register, in the order read (a later duplicate wins). */
export function kmpFields(values: readonly KmpRegisterValue[]): Fields {
  const fields: Fields = {};
  for (const v of values) {
    const [name, value] = kmpField(v);
    fields[name] = value;
  }
  return fields;
}
