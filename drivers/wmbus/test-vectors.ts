import { readFileSync } from 'node:fs';

// The shared real telegrams (L-field + telegram without DLL CRCs), for the tests.
export interface WmbusVector {
  meter: string;
  meter_id: string;
  key: string;
  telegram: string;
}

const PATH = new URL('../../../shared/data/wmbus-vectors.json', import.meta.url);
export const VECTORS: WmbusVector[] = JSON.parse(readFileSync(PATH, 'utf8')) as WmbusVector[];
export const hex = (s: string): Buffer => Buffer.from(s, 'hex');
