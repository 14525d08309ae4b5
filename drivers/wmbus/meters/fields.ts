import type { DataRecord, RecordFunction } from '../records.js';

// Record matching and unit conversion shared by the meter drivers. The matching follows wmbusmeters'
// field matchers: a measurement type, a VIF range, a storage number (0 unless said otherwise),
// tariff 0 and sub-unit 0, and no combinable VIFE unless one is asked for.

export type FieldValue = number | string | null;
export type Fields = Record<string, FieldValue>;

const BACKWARD_FLOW = 0x3c;
const EXTENDED_VIFS = new Set([0xfb, 0xfd, 0xff]);
const DEFAULT_STORAGES: readonly number[] = [0];

export interface Matcher {
  quantity: string;
  fn?: RecordFunction | 'any';
  /** Storage numbers accepted in order of preference; 'any' for every one. Default [0]. */
  storage?: readonly number[] | 'any';
  combinable?: 'none' | 'backward' | 'any';
}

/**
 * Whether the record's combinable VIFEs (without the table code of 0xFB/0xFD/0xFF and without
 * corrections 0x70-0x77) satisfy `want`: 'any' always, 'backward' when 0x3C is among them, 'none'
 * when there are none. Walks the chain in place (this runs for every record a driver looks at).
 */
function combinableOk(r: DataRecord, want: Matcher['combinable']): boolean {
  if (want === 'any') return true;
  const chain = r.vife;
  const from = EXTENDED_VIFS.has(r.vif) ? 1 : 0;
  for (let i = from; i < chain.length; i++) {
    const b = (chain[i] as number) & 0x7f;
    if (b >= 0x70 && b <= 0x77) continue;
    if (want === 'backward') {
      if (b === BACKWARD_FLOW) return true;
    } else {
      return false;
    }
  }
  return want !== 'backward';
}

function matches(r: DataRecord, quantity: string, fn: RecordFunction | 'any', storage: number | undefined, combinable: Matcher['combinable']): boolean {
  return (
    r.quantity === quantity && (fn === 'any' || r.function === fn) && r.tariff === 0 && r.subunit === 0 &&
    (storage === undefined || r.storage === storage) && combinableOk(r, combinable)
  );
}

export function find(records: readonly DataRecord[], m: Matcher): DataRecord | undefined {
  const fn = m.fn ?? 'instantaneous';
  const combinable = m.combinable ?? 'none';
  const quantity = m.quantity;
  const storages = m.storage ?? DEFAULT_STORAGES;
  if (storages === 'any') {
    for (const r of records) if (matches(r, quantity, fn, undefined, combinable)) return r;
    return undefined;
  }
  for (const s of storages) {
    for (const r of records) if (matches(r, quantity, fn, s, combinable)) return r;
  }
  return undefined;
}

/** A manufacturer-specific record by its DIF and the code after VIF 0xFF (Kamstrup's `02FF20`, `04FF22`). */
export function findMfct(records: readonly DataRecord[], dif: number, code: number): DataRecord | undefined {
  for (const r of records) if (r.dif === dif && r.vif === 0xff && (r.vife[0] ?? 0) % 0x80 === code) return r;
  return undefined;
}

// Rounded to 6 decimals as wmbusmeters prints its numbers (11783.333333, 0.003 — not 0.0030000000000000005).
// Fast path, same result: a value that is exactly the double of a decimal with at most 4 decimals and
// under 1e8 prints as that decimal and gives it back (`+ 0` turns -0 into 0 as Number('0') does).
function tidy(v: number): number {
  if (v < 1e8 && v > -1e8 && Math.round(v * 1e4) / 1e4 === v) return v + 0;
  return Number(v.toFixed(6)) + 0;
}

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

/**
 * Bits to names; unknown bits become `ERROR_FLAGS_<hex>` like wmbusmeters prints them. The words
 * come sorted, as wmbusmeters sorts every status text ("ERROR_FLAGS_1100 HF MEASUREMENT").
 */
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
  return parts.length ? parts.sort().join(' ') : none;
}

/** Whether every char is printable ASCII (0x20-0x7E): what a decoder may put in a text field. */
export function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** A record's text value if printable, else its bytes as hex (as wmbusmeters prints binary data). */
export function textOf(r: DataRecord): string | number | null {
  const v = r.value;
  if (typeof v !== 'string' || isPrintable(v)) return v;
  return r.raw.toString('hex');
}
