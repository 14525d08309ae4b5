import { readFileSync } from 'node:fs';

// The real telegrams of test/fixtures/wmbus/wmbus-vectors.json (L-field + telegram without DLL
// CRCs, each with its meter's key), for the driver, CLI and telegram-check tests.
export interface WmbusVector {
  meter: string;
  meter_id: string;
  key: string;
  telegram: string;
}

const PATH = new URL('../fixtures/wmbus/wmbus-vectors.json', import.meta.url);
export const VECTORS: WmbusVector[] = JSON.parse(readFileSync(PATH, 'utf8')) as WmbusVector[];
export const hex = (s: string): Buffer => Buffer.from(s, 'hex');

export function vectorOf(meter: string): WmbusVector {
  const v = VECTORS.find((x) => x.meter === meter);
  if (!v) throw new Error(`no wM-Bus vector ${meter}`);
  return v;
}

/** Wrong keys that stay close to the right one: byte-reversed, and the last hex digit changed. */
export const reversedKey = (key: string): string => Buffer.from(key, 'hex').reverse().toString('hex');
export const oneDigitOff = (key: string): string => `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
