import type { DataRecord } from '../records.js';
import { bitsToText, find, numberIn, put, rawNumber, type Fields } from './fields.js';

// OMS water meters of the shared real telegrams, as wmbusmeters' drivers print them:
// Aventies water meter (`aventieswm`, driver_aventieswm.cc) and Engelmann FAW (`engelmann-faw`,
// driver_engelmann-faw.cc): the total, the billing-date history by storage number, and the status
// from the error-flags record (VIF FD17).

const AVENTIES_FLAGS = [[0x01, 'MEASUREMENT'], [0x02, 'SABOTAGE'], [0x04, 'BATTERY'], [0x08, 'CS'], [0x10, 'HF'], [0x20, 'RESET']] as const;

const ENGELMANN_FLAGS = [
  [0x01, 'VOLUME_DETECTION_COILS_DEFECT'], [0x02, 'RESET'], [0x04, 'CRC_ERROR'], [0x08, 'REMOVAL_DETECTED'],
  [0x10, 'MAGNETIC_MANIPULATION'], [0x20, 'LEAKAGE'], [0x40, 'BLOCKED'], [0x80, 'REVERSE_FLOW'],
] as const;

const AVENTIES_HISTORY = 14;
const ENGELMANN_MONTHS = 15;

export function aventieswm(records: readonly DataRecord[]): Fields {
  const fields: Fields = {};
  put(fields, 'total_m3', numberIn(find(records, { quantity: 'volume' })));
  for (let n = 1; n <= AVENTIES_HISTORY; n++) {
    put(fields, `consumption_at_set_date_${n}_m3`, numberIn(find(records, { quantity: 'volume', storage: [n] })));
  }
  const flags = rawNumber(find(records, { quantity: 'error-flags' }));
  if (flags !== undefined) {
    fields.status = bitsToText(flags, 0xffff, AVENTIES_FLAGS, 'OK');
    fields.error_flags = bitsToText(flags, 0xffff, AVENTIES_FLAGS, ''); // wmbusmeters' deprecated twin of status
  }
  return fields;
}

export function engelmannFaw(records: readonly DataRecord[]): Fields {
  const fields: Fields = {};
  const flags = rawNumber(find(records, { quantity: 'error-flags', fn: 'any', storage: 'any' }));
  if (flags !== undefined) fields.status = bitsToText(flags, 0xff, ENGELMANN_FLAGS, 'OK');
  put(fields, 'reporting_date', find(records, { quantity: 'date', storage: [1] })?.value);
  put(fields, 'consumption_at_reporting_date_m3', numberIn(find(records, { quantity: 'volume', storage: [1] })));
  for (let n = 1; n <= ENGELMANN_MONTHS; n++) {
    put(fields, `consumption_${n}_months_ago_m3`, numberIn(find(records, { quantity: 'volume', storage: [n + 1] })));
  }
  return fields;
}
