import type { DataRecord } from '../records.js';
import { bitsToText, find, findMfct, numberIn, put, type Fields } from './fields.js';

// Kamstrup water meters: MULTICAL 21 (wmbusmeters `multical21`) and flowIQ 2200/3100 (`flowiq2200`).
// Names, matching and status texts follow wmbusmeters' driver_multical21.cc / driver_flowiq2200.cc.

const WATER_FLAGS = [[0x01, 'DRY'], [0x02, 'REVERSE'], [0x04, 'LEAK'], [0x08, 'BURST']] as const;
const DURATIONS = ['', '1-8 hours', '9-24 hours', '2-3 days', '4-7 days', '8-14 days', '15-21 days', '22-31 days'] as const;

/** The info code `02FF20`: error bits 0-3, then 3-bit durations for dry, reversed, leaking, bursting. */
function infoCodes(fields: Fields, info: number): void {
  fields.time_dry = duration(info, 4);
  fields.time_reversed = duration(info, 7);
  fields.time_leaking = duration(info, 10);
  fields.time_bursting = duration(info, 13);
}

function duration(info: number, shift: number): string {
  return DURATIONS[(info >> shift) & 7] ?? '';
}

export function multical21(records: readonly DataRecord[]): Fields {
  const fields: Fields = {};
  const info = findMfct(records, 0x02, 0x20);
  const code = typeof info?.value === 'number' ? info.value : undefined;
  if (code !== undefined) fields.status = bitsToText(code, 0x0f, WATER_FLAGS, 'OK');
  put(fields, 'total_m3', numberIn(find(records, { quantity: 'volume' })));
  put(fields, 'target_m3', numberIn(find(records, { quantity: 'volume', storage: [1] })));
  put(fields, 'max_flow_m3h', numberIn(find(records, { quantity: 'volume-flow', fn: 'maximum', storage: 'any' })));
  put(fields, 'flow_temperature_c', numberIn(find(records, { quantity: 'flow-temperature', fn: 'minimum', storage: 'any' })));
  put(fields, 'external_temperature_c', numberIn(find(records, { quantity: 'external-temperature', fn: 'any', storage: 'any', combinable: 'any' })));
  put(fields, 'min_external_temperature_c', numberIn(find(records, { quantity: 'external-temperature', fn: 'minimum' })));
  if (code !== undefined) {
    fields.current_status = bitsToText(code, 0x0f, WATER_FLAGS, ''); // wmbusmeters' deprecated twin of status
    infoCodes(fields, code);
  }
  return fields;
}

export function flowiq2200(records: readonly DataRecord[]): Fields {
  const fields: Fields = {};
  const flags = findMfct(records, 0x04, 0x23);
  if (typeof flags?.value === 'number') fields.status = bitsToText(flags.value, 0xffffffff, WATER_FLAGS, 'OK');
  put(fields, 'total_m3', numberIn(find(records, { quantity: 'volume' })));
  put(fields, 'target_m3', numberIn(find(records, { quantity: 'volume', storage: [1] })));
  const date = find(records, { quantity: 'date', storage: [1] });
  put(fields, 'target_date', date ? date.value : undefined);
  put(fields, 'flow_m3h', numberIn(find(records, { quantity: 'volume-flow' })));
  put(fields, 'min_flow_temperature_c', numberIn(find(records, { quantity: 'flow-temperature', fn: 'minimum', storage: [2] })));
  put(fields, 'max_flow_temperature_c', numberIn(find(records, { quantity: 'flow-temperature', fn: 'maximum', storage: [2] })));
  put(fields, 'min_external_temperature_c', numberIn(find(records, { quantity: 'external-temperature', fn: 'minimum', storage: [1, 2] })));
  put(fields, 'max_external_temperature_c', numberIn(find(records, { quantity: 'external-temperature', fn: 'maximum', storage: [1] })));
  put(fields, 'max_flow_m3h', numberIn(find(records, { quantity: 'volume-flow', fn: 'maximum', storage: [1, 2] })));
  put(fields, 'min_flow_m3h', numberIn(find(records, { quantity: 'volume-flow', fn: 'minimum', storage: [2] })));
  const info = findMfct(records, 0x02, 0x20);
  if (typeof info?.value === 'number') infoCodes(fields, info.value);
  return fields;
}
