import type { DataRecord } from '../records.js';
import { numberIn, textOf, type Fields } from './fields.js';

// The generic OMS decoder: every record becomes a field named by what it is —
// `[max_|min_|at_error_]<quantity>_<unit>[_storage_N][_tariff_N][_subunit_N]` — with energy in kWh,
// power in kW, volume flow in m³/h and times in hours, the units wmbusmeters' fields use.

const UNIT_SUFFIX: Record<string, string> = {
  Wh: 'kwh', J: 'kwh', MWh: 'kwh', GJ: 'kwh',
  W: 'kw', 'J/h': 'kw', MW: 'kw', 'GJ/h': 'kw',
  m3: 'm3', 'm3/h': 'm3h', 'm3/min': 'm3h', 'm3/s': 'm3h',
  '°C': 'c', K: 'k', bar: 'bar', kg: 'kg', t: 't', 'kg/h': 'kgh', '%': 'pct', V: 'v', A: 'a',
  s: 'h', min: 'h', h: 'h', d: 'h',
};
const PREFIX: Record<DataRecord['function'], string> = { instantaneous: '', maximum: 'max_', minimum: 'min_', error: 'at_error_' };

export function fieldName(r: DataRecord): string {
  const unit = UNIT_SUFFIX[r.unit] ?? r.unit.toLowerCase().replace(/[^a-z0-9]/g, '');
  let name = `${PREFIX[r.function]}${r.quantity.replace(/-/g, '_')}${unit ? `_${unit}` : ''}`;
  if (r.storage) name += `_storage_${r.storage}`;
  if (r.tariff) name += `_tariff_${r.tariff}`;
  if (r.subunit) name += `_subunit_${r.subunit}`;
  return name;
}

export function generic(records: readonly DataRecord[]): Fields {
  const fields: Fields = {};
  for (const r of records) {
    const base = fieldName(r);
    let name = base;
    for (let n = 2; name in fields; n++) name = `${base}_${n}`; // a meter may repeat a record
    fields[name] = typeof r.value === 'number' ? (numberIn(r) ?? null) : textOf(r);
  }
  return fields;
}
