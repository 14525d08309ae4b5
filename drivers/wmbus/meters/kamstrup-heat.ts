import type { DataRecord } from '../records.js';
import { bitsToText, find, findMfct, numberIn, put, rawNumber, type Fields } from './fields.js';

// Kamstrup heat/cooling meters MULTICAL 302/303/402/403/602/603/803: wmbusmeters' `kamheat` driver
// (aliases multical302, multical403, multical603, …), with its optional library fields on_time_h,
// on_time_at_error_h, meter_datetime, fabrication_no and flow_return_temperature_difference_c.

// Technical description MULTICAL 603, "information code types on serial communication".
const INFO_CODES: ReadonlyArray<readonly [number, string]> = [
  'VOLTAGE_INTERRUPTED', 'LOW_BATTERY_LEVEL', 'SENSOR_ERROR', 'SENSOR_T1_ABOVE_MEASURING_RANGE',
  'SENSOR_T2_ABOVE_MEASURING_RANGE', 'SENSOR_T1_BELOW_MEASURING_RANGE', 'SENSOR_T2_BELOW_MEASURING_RANGE',
  'TEMP_DIFF_WRONG_POLARITY', 'FLOW_SENSOR_WEAK_OR_AIR', 'WRONG_FLOW_DIRECTION', 'RESERVED_BIT_10', 'FLOW_INCREASED',
  'IN_A1_LEAKAGE_IN_THE_SYSTEM', 'IN_B1_LEAKAGE_IN_THE_SYSTEM', 'IN-A1_A2_EXTERNAL_ALARM', 'IN-B1_B2_EXTERNAL_ALARM',
  'V1_COMMUNICATION_ERROR', 'V1_WRONG_PULSE_FIGURE', 'IN_A2_LEAKAGE_IN_THE_SYSTEM', 'IN_B2_LEAKAGE_IN_THE_SYSTEM',
  'T3_ABOVE_MEASURING_RANGE_OR_SWITCHED_OFF', 'T3_BELOW_MEASURING_RANGE_OR_SHORT_CIRCUITED', 'V2_COMMUNICATION_ERROR',
  'V2_WRONG_PULSE_FIGURE', 'V2_AIR', 'V2_WRONG_FLOW_DIRECTION', 'RESERVED_BIT_26', 'V2_INCREASED_FLOW',
  'V1_V2_BURST_WATER_LOSS', 'V1_V2_BURST_WATER_PENETRATION', 'V1_V2_LEAKAGE_WATER_LOSS', 'V1_V2_LEAKAGE_WATER_PENETRATION',
].map((name, bit) => [2 ** bit, name] as const);

/** Energy in any unit (Wh, J, MWh, GJ), converted to kWh. */
const energy = (records: readonly DataRecord[], m: { storage?: number[]; combinable?: 'backward' }) =>
  find(records, { quantity: 'energy', storage: m.storage, combinable: m.combinable });

export function kamheat(records: readonly DataRecord[]): Fields {
  const fields: Fields = {};
  const flags = rawNumber(findMfct(records, 0x04, 0x22));
  fields.status = bitsToText(flags ?? 0, 0xffffffff, INFO_CODES, 'OK');
  put(fields, 'total_energy_consumption_kwh', numberIn(energy(records, {})));
  put(fields, 'total_energy_backward_kwh', numberIn(energy(records, { combinable: 'backward' })));
  put(fields, 'total_volume_m3', numberIn(find(records, { quantity: 'volume' })));
  put(fields, 'volume_flow_m3h', numberIn(find(records, { quantity: 'volume-flow' })));
  put(fields, 'power_kw', numberIn(find(records, { quantity: 'power' })));
  put(fields, 'max_power_kw', numberIn(find(records, { quantity: 'power', fn: 'maximum' })));
  const t1 = numberIn(find(records, { quantity: 'flow-temperature' }));
  const t2 = numberIn(find(records, { quantity: 'return-temperature' }));
  put(fields, 't1_temperature_c', t1);
  put(fields, 't2_temperature_c', t2);
  put(fields, 'max_flow_m3h', numberIn(find(records, { quantity: 'volume-flow', fn: 'maximum' })));
  // E8/E9 (inlet/outlet energy) count m³·°C; they are raw register values without VIF scaling.
  put(fields, 'forward_energy_m3c', rawNumber(findMfct(records, 0x04, 0x07)));
  put(fields, 'return_energy_m3c', rawNumber(findMfct(records, 0x04, 0x08)));
  put(fields, 'meter_date', find(records, { quantity: 'date' })?.value);
  put(fields, 'target_energy_kwh', numberIn(energy(records, { storage: [1] })));
  put(fields, 'target_volume_m3', numberIn(find(records, { quantity: 'volume', storage: [1] })));
  put(fields, 'target_date', find(records, { quantity: 'date', storage: [1] })?.value);
  put(fields, 'on_time_h', numberIn(find(records, { quantity: 'on-time' })));
  put(fields, 'on_time_at_error_h', numberIn(find(records, { quantity: 'on-time', fn: 'error' })));
  put(fields, 'flow_return_temperature_difference_c', numberIn(find(records, { quantity: 'temperature-difference' })));
  const at = find(records, { quantity: 'date-time' })?.value;
  if (typeof at === 'string') fields.meter_datetime = at.replace('T', ' ');
  put(fields, 'fabrication_no', find(records, { quantity: 'fabrication-number' })?.value);
  return fields;
}
