import type { DataRecord } from '../records.js';
import { find, numberIn, put, type Fields } from './fields.js';

// Kamstrup OMNIPOWER electricity meter (wmbusmeters `omnipower`): A+ and A- energy, P+ and P- power.
// Production is the same quantity with the backward-flow VIFE (0x3C).
export function omnipower(records: readonly DataRecord[]): Fields {
  const fields: Fields = {};
  put(fields, 'total_energy_consumption_kwh', numberIn(find(records, { quantity: 'energy' })));
  put(fields, 'total_energy_production_kwh', numberIn(find(records, { quantity: 'energy', combinable: 'backward' })));
  put(fields, 'current_power_consumption_kw', numberIn(find(records, { quantity: 'power' })));
  put(fields, 'current_power_production_kw', numberIn(find(records, { quantity: 'power', combinable: 'backward' })));
  return fields;
}
