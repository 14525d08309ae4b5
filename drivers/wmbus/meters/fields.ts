import type { DataRecord, RecordFunction } from '../records.js';

// Record matching and unit conversion shared by the meter drivers. The matching follows wmbusmeters'
// field matchers: a measurement type, a VIF range, a storage number (0 unless said otherwise),
// tariff 0 and sub-unit 0, and no combinable VIFE unless one is asked for.

export type FieldValue = number | string | null;
export type Fields = Record<string, FieldValue>;

const BACKWARD_FLOW = 0x3c;
const EXTENDED_VIFS = new Set([0xfb, 0xfd, 0xff]);

export interface Matcher {
  quantity: string;
  fn?: RecordFunction | 'any';
  /** Storage numbers accepted in order of preference; 'any' for every one. Default [0]. */
  storage?: readonly number[] | 'any';
  combinable?: 'none' | 'backward' | 'any';
}

/** The combinable VIFEs of a record: without the table code of 0xFB/0xFD/0xFF and without corrections. */
function combinables(r: DataRecord): number[] {
  const chain = EXTENDED_VIFS.has(r.vif) ? r.vife.slice(1) : r.vife;
  return chain.map((b) => b & 0x7f).filter((b) => b < 0x70 || b > 0x77);
}

function combinableOk(r: DataRecord, want: Matcher['combinable']): boolean {
  const c = combinables(r);
  if (want === 'any') return true;
  if (want === 'backward') return c.includes(BACKWARD_FLOW);
  return c.length === 0;
}

export function find(records: readonly DataRecord[], m: Matcher): DataRecord | undefined {
  const fn = m.fn ?? 'instantaneous';
  const ok = (r: DataRecord, storage?: number) =>
    r.quantity === m.quantity && (fn === 'any' || r.function === fn) && r.tariff === 0 && r.subunit === 0 &&
    (storage === undefined || r.storage === storage) && combinableOk(r, m.combinable ?? 'none');
  const storages = m.storage ?? [0];
  if (storages === 'any') return records.find((r) => ok(r));
  for (const s of storages) {
    const hit = records.find((r) => ok(r, s));
    if (hit) return hit;
  }
  return undefined;
}

/** A manufacturer-specific record by its DIF and the code after VIF 0xFF (Kamstrup's `02FF20`, `04FF22`). */
export function findMfct(records: readonly DataRecord[], dif: number, code: number): DataRecord | undefined {
  return records.find((r) => r.dif === dif && r.vif === 0xff && (r.vife[0] ?? 0) % 0x80 === code);
}

// Rounded to 12 significant digits so that unit conversions print as the meter's digits (0.003, not 0.0030000000000000005).
const tidy = (v: number): number => Number(v.toPrecision(12));

const TO_BASE: Record<string, number> = {
  // energy → kWh
  Wh: 1e-3, J: 1 / 3.6e6, MWh: 1e3, GJ: 1e9 / 3.6e6,
  // power → kW
  W: 1e-3, 'J/h': 1 / 3.6e6, MW: 1e3, 'GJ/h': 1e9 / 3.6e6,
  // volume flow → m³/h
  'm3/h': 1, 'm3/min': 60, 'm3/s': 3600,
  m3: 1, '°C': 1, K: 1, bar: 1,
  s: 1 / 3600, min: 1 / 60, h: 1, d: 24,
};

/** The record's value in the unit the field name promises (kWh, kW, m³, m³/h, °C, h), or null. */
export function numberIn(r: DataRecord | undefined): number | null | undefined {
  if (!r) return undefined;
  if (typeof r.value !== 'number') return null;
  const f = TO_BASE[r.unit];
  return f === undefined ? r.value : tidy(r.value * f);
}

export function rawNumber(r: DataRecord | undefined): number | undefined {
  return r && typeof r.value === 'number' ? r.value : undefined;
}

/** Sets the field only when the record is there, as wmbusmeters leaves absent fields out. */
export function put(fields: Fields, name: string, value: FieldValue | undefined): void {
  if (value !== undefined) fields[name] = value;
}

/** Bits to names; unknown bits become `ERROR_FLAGS_<hex>` like wmbusmeters prints them. */
export function bitsToText(value: number, mask: number, names: ReadonlyArray<readonly [number, string]>, none: string): string {
  const v = (value & mask) >>> 0;
  const parts: string[] = [];
  let rest = v;
  for (const [bit, name] of names) {
    if ((v & bit) !== 0) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push(`ERROR_FLAGS_${(rest >>> 0).toString(16).toUpperCase()}`);
  return parts.length ? parts.join(' ') : none;
}
