import { fieldOfObis, obisField } from '../dlms/obis.js';
import type { Fields } from '../wmbus/meters/fields.js';
import type { DataSet } from './readout.js';

// Reading fields of a readout, named by the DLMS driver's one OBIS table (drivers/dlms/obis-fields.ts),
// so a meter read over IEC 62056-21 or DLMS gives the same fields: 1.8.0(0036886.5*kWh) →
// total_energy_consumption_kwh 36886.5, 32.7.0(230.1*V) → voltage_at_phase_1_v. A value without a
// unit is taken to be in the field's unit; a unit that does not convert, an address that is no
// OBIS code in the table, and a data set without an address give no field.

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

export function readoutFields(sets: readonly DataSet[]): Fields {
  const fields: Fields = {};
  for (const s of sets) {
    if (s.id === '') continue;
    const entry = obisField(s.id);
    if (entry === undefined) continue;
    const value = NUMBER.test(s.value) ? Number(s.value) : s.value;
    const f = fieldOfObis(s.id, value, s.unit ?? entry.unit);
    if (f !== undefined && !(f.field in fields)) fields[f.field] = f.value;
  }
  return fields;
}
