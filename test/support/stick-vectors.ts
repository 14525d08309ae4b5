import { readFileSync } from 'node:fs';

// The receiver-stick entries of test/fixtures/protocol-vectors.json (the checked protocol
// vectors): read from the one file rather than kept as a copy that could drift from it.
export interface DongleVector {
  kind: string;
  description: string;
  input_hex: string;
  expected: Record<string, unknown>;
}

const PATH = new URL('../fixtures/protocol-vectors.json', import.meta.url);

const isDongleKind = (kind: string): boolean => kind.startsWith('wmbus-dongle') || kind === 'wmbus-rtlwmbus-line';

export const dongleVectors: DongleVector[] = (JSON.parse(readFileSync(PATH, 'utf8')) as DongleVector[]).filter((v) => isDongleKind(v.kind));
