import type { Fields } from '../wmbus/meters/fields.js';
import type { DlmsData } from './axdr.js';
import { formatObis } from './obis-code.js';
import { addObject, type CosemObject } from './obis-fields.js';

// The COSEM objects in a pushed DataNotification body. Meters lay them out three ways, and one walk
// reads them all:
//  - a list of structures { OBIS, value, { scaler, unit } } (Nordic HAN, Kamstrup's list 2/3 with
//    scalers, the Austrian customer interface) — also { OBIS, value } without the scaler-unit;
//  - flat pairs OBIS, value[, { scaler, unit }] inside one structure (Kamstrup's list 1,
//    the clock and time at the head of the Austrian push);
//  - anything else (a list id, an opaque octet string) is passed over.
// Kamstrup's flat lists (list id 'Kamstrup_V0001') give no scalers: currents are in 0.01 A there.

const KAMSTRUP_CENTI_AMPERE = new Set(['1-1:31.7.0.255', '1-1:51.7.0.255', '1-1:71.7.0.255', '1-0:31.7.0.255', '1-0:51.7.0.255', '1-0:71.7.0.255']);

export interface PushObjects {
  objects: CosemObject[];
  fields: Fields;
}

function isObis(d: DlmsData | undefined): d is { type: 'octet-string'; value: Buffer } {
  return d !== undefined && d.type === 'octet-string' && d.value.length === 6;
}

/** { int8 scaler, enum unit } */
function scalerUnit(d: DlmsData | undefined): { scaler: number; unit: number } | undefined {
  if (d === undefined || d.type !== 'structure' || d.value.length !== 2) return undefined;
  const [s, u] = d.value;
  if (s === undefined || u === undefined || s.type !== 'int8' || u.type !== 'enum') return undefined;
  return { scaler: s.value, unit: u.value };
}

function isTuple(items: readonly DlmsData[]): boolean {
  if (!isObis(items[0]) || items.length < 2 || items.length > 3) return false;
  const second = items[1];
  if (second !== undefined && (second.type === 'structure' || second.type === 'array')) return false;
  return items.length === 2 || scalerUnit(items[2]) !== undefined;
}

// OBIS texts by the 48-bit number of their six bytes: a push repeats the same few codes, and
// formatting them anew for every push is most of the walk's cost. Bounded: cleared past 4,096.
const obisTexts = new Map<number, string>();

/** The OBIS text of the six bytes at `at` (the caller knows they are there). */
export function obisTextAt(b: Uint8Array, at: number): string {
  const key = ((b[at] as number) * 0x10000 + (((b[at + 1] as number) << 8) | (b[at + 2] as number))) * 0x1000000 + (((b[at + 3] as number) << 16) | ((b[at + 4] as number) << 8) | (b[at + 5] as number));
  let text = obisTexts.get(key);
  if (text === undefined) {
    if (obisTexts.size >= 4_096) obisTexts.clear();
    text = formatObis(b.subarray(at, at + 6));
    obisTexts.set(key, text);
  }
  return text;
}

/** Whether Kamstrup's flat lists give this code in 0.01 A (the fast path, push-tape.ts, asks too). */
export const isKamstrupCentiAmpere = (obis: string): boolean => KAMSTRUP_CENTI_AMPERE.has(obis);

const isList = (d: DlmsData | undefined): boolean => d !== undefined && (d.type === 'structure' || d.type === 'array');

// A class rather than closures: its methods are made once, not for every push.
class Walk {
  readonly out: PushObjects = { objects: [], fields: {} };
  private kamstrupFlat = false;

  add(obisBytes: Buffer, value: DlmsData, su: { scaler: number; unit: number } | undefined): void {
    const obis = obisTextAt(obisBytes, 0);
    const scaler = su?.scaler ?? (this.kamstrupFlat && KAMSTRUP_CENTI_AMPERE.has(obis) ? -2 : undefined);
    addObject(this.out.objects, this.out.fields, obis, value, scaler, su?.unit);
  }

  items(items: readonly DlmsData[], depth: number): void {
    if (depth > 16) return;
    if (isTuple(items)) {
      this.add((items[0] as { value: Buffer }).value, items[1] as DlmsData, scalerUnit(items[2]));
      return;
    }
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as DlmsData;
      if (item.type === 'structure' || item.type === 'array') {
        this.items(item.value, depth + 1);
      } else if (isObis(item) && i + 1 < items.length && !isObis(items[i + 1]) && !isList(items[i + 1])) {
        const su = scalerUnit(items[i + 2]);
        this.add(item.value, items[i + 1] as DlmsData, su);
        i += su ? 2 : 1;
      } else if (item.type === 'visible-string' && item.value.startsWith('Kamstrup_')) {
        this.kamstrupFlat = true;
      }
    }
  }
}

export function pushObjects(body: DlmsData): PushObjects {
  const walk = new Walk();
  if (body.type === 'structure' || body.type === 'array') walk.items(body.value, 0);
  return walk.out;
}
