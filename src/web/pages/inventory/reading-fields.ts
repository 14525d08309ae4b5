// What the telegram check's decoded values mean to a person (docs/inventory.md "Telegram check"):
// the drivers name each value as wmbusmeters does (`total_m3`, `status`, `time_dry`, and the
// generic decoder's `max_power_kw_storage_1`); this catalogue gives each name its label, its unit
// and how to show its value. The raw name stays visible beside the label for those who know it.
// `test/web/reading-field-catalogue.test.ts` feeds every driver every kind of record and fails on
// a name, a status word or a duration this file does not know.

/** Unit suffixes of the field names (drivers/wmbus/meters/generic.ts), and `m3c` of Kamstrup's E8/E9. */
export const units = ['kwh', 'kw', 'm3', 'm3h', 'm3c', 'c', 'k', 'bar', 'kg', 't', 'kgh', 'pct', 'v', 'a', 'h', 'bd', 'currency'] as const;
export type Unit = (typeof units)[number];

/** How a string value is shown; numbers are always numbers in the reader's format with the unit. */
export type ValueKind = 'plain' | 'date' | 'dateTime' | 'status' | 'duration';

/** The fields the meter drivers name themselves (kamstrup-water.ts, kamstrup-heat.ts, omnipower.ts, oms-water.ts). */
const named = {
  status: { kind: 'status' },
  current_status: { kind: 'status' },
  total_m3: { unit: 'm3' },
  target_m3: { unit: 'm3' },
  flow_m3h: { unit: 'm3h' },
  max_flow_m3h: { unit: 'm3h' },
  min_flow_m3h: { unit: 'm3h' },
  flow_temperature_c: { unit: 'c' },
  min_flow_temperature_c: { unit: 'c' },
  max_flow_temperature_c: { unit: 'c' },
  return_temperature_c: { unit: 'c' },
  external_temperature_c: { unit: 'c' },
  min_external_temperature_c: { unit: 'c' },
  max_external_temperature_c: { unit: 'c' },
  target_date: { kind: 'date' },
  meter_date: { kind: 'date' },
  time_dry: { kind: 'duration' },
  time_reversed: { kind: 'duration' },
  time_leaking: { kind: 'duration' },
  time_bursting: { kind: 'duration' },
  total_energy_consumption_kwh: { unit: 'kwh' },
  total_energy_production_kwh: { unit: 'kwh' },
  total_energy_backward_kwh: { unit: 'kwh' },
  target_energy_kwh: { unit: 'kwh' },
  total_volume_m3: { unit: 'm3' },
  target_volume_m3: { unit: 'm3' },
  volume_flow_m3h: { unit: 'm3h' },
  power_kw: { unit: 'kw' },
  max_power_kw: { unit: 'kw' },
  current_power_consumption_kw: { unit: 'kw' },
  current_power_production_kw: { unit: 'kw' },
  t1_temperature_c: { unit: 'c' },
  t2_temperature_c: { unit: 'c' },
  forward_energy_m3c: { unit: 'm3c' },
  return_energy_m3c: { unit: 'm3c' },
  on_time_h: { unit: 'h' },
  on_time_at_error_h: { unit: 'h' },
  flow_return_temperature_difference_c: { unit: 'c' },
  meter_datetime: { kind: 'dateTime' },
  fabrication_no: {},
  error_flags: { kind: 'status' },
  reporting_date: { kind: 'date' },
  consumption_at_reporting_date_m3: { unit: 'm3' },
  // The billing history of aventieswm and engelmann-faw, one label with the number (numbered below).
  consumption_at_set_date_m3: { unit: 'm3' },
  consumption_months_ago_m3: { unit: 'm3' },
} as const satisfies Record<string, { unit?: Unit; kind?: ValueKind }>;
export type NamedField = keyof typeof named;

/** Water meters call the water's temperature `flow_temperature`; heat meters mean the flow pipe's. */
const waterDrivers: ReadonlySet<string> = new Set(['multical21', 'flowiq2200', 'flowiq3100']);
const waterLabels = { flow_temperature_c: 'water_temperature_c', min_flow_temperature_c: 'min_water_temperature_c', max_flow_temperature_c: 'max_water_temperature_c' } as const;
export type FieldLabel = NamedField | (typeof waterLabels)[keyof typeof waterLabels];

/** The quantities of the generic decoder (drivers/wmbus/vif-table.ts, records.ts), `-` written `_`. */
export const quantities = [
  'energy', 'volume', 'mass', 'on_time', 'operating_time', 'power', 'volume_flow', 'mass_flow', 'flow_temperature',
  'return_temperature', 'temperature_difference', 'external_temperature', 'pressure', 'date', 'date_time', 'hca_units',
  'reserved', 'averaging_duration', 'actuality_duration', 'fabrication_number', 'enhanced_identification', 'bus_address',
  'credit', 'debit', 'voltage', 'current', 'storage_interval', 'duration_since_readout', 'access_number', 'medium',
  'manufacturer', 'parameter_set_id', 'model_version', 'hardware_version', 'firmware_version', 'software_version',
  'customer_location', 'customer', 'password', 'error_flags', 'error_mask', 'digital_output', 'digital_input', 'baud_rate',
  'dimensionless', 'reset_counter', 'cumulation_counter', 'remaining_battery_life', 'relative_humidity',
  'manufacturer_specific', 'any', 'plain_text', 'manufacturer_data', 'manufacturer_data_more_follows',
] as const;
export type Quantity = (typeof quantities)[number];

export type Qualifier = { kind: 'max' | 'min' | 'atError' } | { kind: 'storage' | 'tariff' | 'subunit' | 'repeat'; n: number };

export type FieldSpec = {
  /** What the value is: a named field's own label, or a generic quantity with its qualifiers. */
  label: { field: FieldLabel; n?: number } | { quantity: Quantity; qualifiers: Qualifier[] } | { vif: 'FD' | 'FB'; code: string; qualifiers: Qualifier[] };
  /** A unit of the list, or the text of a plain-text unit as the meter sent it. */
  unit?: Unit | { text: string };
  kind: ValueKind;
};

const isNamed = (name: string): name is NamedField => Object.hasOwn(named, name);
const isUnit = (text: string): text is Unit => (units as readonly string[]).includes(text);
const isQuantity = (text: string): text is Quantity => (quantities as readonly string[]).includes(text);

const dateKinds: Partial<Record<Quantity, ValueKind>> = { date: 'date', date_time: 'dateTime' };

// [max_|min_|at_error_]<quantity>[_<unit>][_storage_N][_tariff_N][_subunit_N][_N] (generic.ts). The
// repeat number `_N` of a record the meter sends twice is only taken off when the name does not
// read without it (`fd_12` is the VIF FD 0x12, not `fd` repeated twelve times).
const FUNCTION = /^(max_|min_|at_error_)/;
const SUFFIXES = [['subunit', /_subunit_(\d+)$/], ['tariff', /_tariff_(\d+)$/], ['storage', /_storage_(\d+)$/]] as const;
const VIF_CODE = /^(fd|fb)_([0-9a-f]{2})$/;
/** `consumption_at_set_date_<n>_m3` (aventieswm) and `consumption_<n>_months_ago_m3` (engelmann-faw). */
const NUMBERED = /^consumption_(?:at_set_date_(\d+)|(\d+)_months_ago)_m3$/;

/** The catalogue entry of a field name, for the driver that named it; undefined for a name it does not know. */
export function fieldSpec(name: string, driver: string): FieldSpec | undefined {
  const numbered = NUMBERED.exec(name);
  if (numbered !== null) {
    const field = numbered[1] === undefined ? 'consumption_months_ago_m3' : 'consumption_at_set_date_m3';
    return { label: { field, n: Number(numbered[1] ?? numbered[2]) }, kind: 'plain', unit: 'm3' };
  }
  if (isNamed(name)) {
    const entry: { unit?: Unit; kind?: ValueKind } = named[name];
    const field: FieldLabel = waterDrivers.has(driver) ? waterLabelOf(name) : name;
    return { label: { field }, kind: entry.kind ?? 'plain', ...(entry.unit === undefined ? {} : { unit: entry.unit }) };
  }
  return genericSpec(name);
}

function waterLabelOf(name: NamedField): FieldLabel {
  if (name === 'flow_temperature_c') return waterLabels.flow_temperature_c;
  if (name === 'min_flow_temperature_c') return waterLabels.min_flow_temperature_c;
  if (name === 'max_flow_temperature_c') return waterLabels.max_flow_temperature_c;
  return name;
}

function genericSpec(name: string): FieldSpec | undefined {
  const fn = FUNCTION.exec(name)?.[1];
  const rest = fn === undefined ? name : name.slice(fn.length);
  const first: Qualifier[] = fn === 'max_' ? [{ kind: 'max' }] : fn === 'min_' ? [{ kind: 'min' }] : fn === 'at_error_' ? [{ kind: 'atError' }] : [];
  const repeat = /_(\d+)$/.exec(rest);
  const readings = repeat === null ? [{ body: rest, last: [] }] : [{ body: rest, last: [] }, { body: rest.slice(0, repeat.index), last: [{ kind: 'repeat' as const, n: Number(repeat[1]) }] }];
  for (const { body, last } of readings) {
    let text = body;
    const middle: Qualifier[] = [];
    for (const [kind, pattern] of SUFFIXES) {
      const m = pattern.exec(text);
      if (m === null) continue;
      middle.unshift({ kind, n: Number(m[1]) });
      text = text.slice(0, m.index);
    }
    const spec = bodySpec(text, [...first, ...middle, ...last]);
    if (spec !== undefined) return spec;
  }
  return undefined;
}

/** `<quantity>[_<unit>]`: the longest known quantity, then a known unit (or a plain-text unit's own text). */
function bodySpec(body: string, qualifiers: Qualifier[]): FieldSpec | undefined {
  const vif = VIF_CODE.exec(body);
  if (vif !== null) return { label: { vif: vif[1] === 'fd' ? 'FD' : 'FB', code: (vif[2] ?? '').toUpperCase(), qualifiers }, kind: 'plain' };
  if (isQuantity(body)) return { label: { quantity: body, qualifiers }, kind: dateKinds[body] ?? 'plain' };
  if (body.startsWith('plain_text_')) return { label: { quantity: 'plain_text', qualifiers }, unit: { text: body.slice('plain_text_'.length) }, kind: 'plain' };
  const cut = body.lastIndexOf('_');
  if (cut < 0) return undefined;
  const quantity = body.slice(0, cut);
  const unit = body.slice(cut + 1);
  if (!isQuantity(quantity) || !isUnit(unit)) return undefined;
  return { label: { quantity, qualifiers }, unit, kind: 'plain' };
}

/** Status words of the drivers (wmbusmeters' texts): the water meters' flags, Kamstrup's info codes, Aventies' and Engelmann's error flags. */
export const statusWords = [
  'OK', 'DRY', 'REVERSE', 'LEAK', 'BURST',
  'VOLTAGE_INTERRUPTED', 'LOW_BATTERY_LEVEL', 'SENSOR_ERROR', 'SENSOR_T1_ABOVE_MEASURING_RANGE', 'SENSOR_T2_ABOVE_MEASURING_RANGE',
  'SENSOR_T1_BELOW_MEASURING_RANGE', 'SENSOR_T2_BELOW_MEASURING_RANGE', 'TEMP_DIFF_WRONG_POLARITY', 'FLOW_SENSOR_WEAK_OR_AIR',
  'WRONG_FLOW_DIRECTION', 'RESERVED_BIT_10', 'FLOW_INCREASED', 'IN_A1_LEAKAGE_IN_THE_SYSTEM', 'IN_B1_LEAKAGE_IN_THE_SYSTEM',
  'IN-A1_A2_EXTERNAL_ALARM', 'IN-B1_B2_EXTERNAL_ALARM', 'V1_COMMUNICATION_ERROR', 'V1_WRONG_PULSE_FIGURE',
  'IN_A2_LEAKAGE_IN_THE_SYSTEM', 'IN_B2_LEAKAGE_IN_THE_SYSTEM', 'T3_ABOVE_MEASURING_RANGE_OR_SWITCHED_OFF',
  'T3_BELOW_MEASURING_RANGE_OR_SHORT_CIRCUITED', 'V2_COMMUNICATION_ERROR', 'V2_WRONG_PULSE_FIGURE', 'V2_AIR',
  'V2_WRONG_FLOW_DIRECTION', 'RESERVED_BIT_26', 'V2_INCREASED_FLOW', 'V1_V2_BURST_WATER_LOSS', 'V1_V2_BURST_WATER_PENETRATION',
  'V1_V2_LEAKAGE_WATER_LOSS', 'V1_V2_LEAKAGE_WATER_PENETRATION',
  // aventieswm
  'MEASUREMENT', 'SABOTAGE', 'BATTERY', 'CS', 'HF', 'RESET',
  // engelmann-faw
  'VOLUME_DETECTION_COILS_DEFECT', 'CRC_ERROR', 'REMOVAL_DETECTED', 'MAGNETIC_MANIPULATION', 'LEAKAGE', 'BLOCKED', 'REVERSE_FLOW',
] as const;
export type StatusWord = (typeof statusWords)[number];

export type StatusPart = { word: StatusWord } | { errorFlags: string } | { unknown: string };

/** A status text split into its words: known words, `ERROR_FLAGS_<hex>` (bits without a name), or as sent. */
export function statusParts(value: string): StatusPart[] {
  return value
    .split(' ')
    .filter((word) => word !== '')
    .map((word) => {
      const flags = /^ERROR_FLAGS_([0-9A-F]+)$/.exec(word);
      if (flags !== null) return { errorFlags: flags[1] ?? '' };
      const known = statusWords.find((w) => w === word);
      return known === undefined ? { unknown: word } : { word: known };
    });
}

/** The water meters' 3-bit durations (kamstrup-water.ts): '' is none. */
const durationTexts = { '': 'none', '1-8 hours': 'h1to8', '9-24 hours': 'h9to24', '2-3 days': 'd2to3', '4-7 days': 'd4to7', '8-14 days': 'd8to14', '15-21 days': 'd15to21', '22-31 days': 'd22to31' } as const;
export type Duration = (typeof durationTexts)[keyof typeof durationTexts];

const durations: ReadonlyMap<string, Duration> = new Map(Object.entries(durationTexts));

export function durationOf(value: string): Duration | undefined {
  return durations.get(value);
}
