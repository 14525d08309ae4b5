import { readFileSync } from 'node:fs';

// The DLMS entries of test/fixtures/protocol-vectors.json (dlms-*, xdlms-apdu, hdlc-frame), read
// from the one file rather than copied, so a test cannot drift from the checked vectors.
export interface DlmsVector {
  kind: string;
  description: string;
  keys: Record<string, string>;
  input_hex: string;
  expected: Record<string, unknown>;
}

const PATH = new URL('../fixtures/protocol-vectors.json', import.meta.url);

const all = JSON.parse(readFileSync(PATH, 'utf8')) as DlmsVector[];

export const dlmsVectors: DlmsVector[] = all.filter((v) => v.kind.startsWith('dlms-') || v.kind === 'xdlms-apdu' || v.kind === 'hdlc-frame');

/** The one vector of a kind; throws when the fixture lost it, so a test cannot pass on nothing. */
export function dlmsVector(kind: string): DlmsVector {
  const v = dlmsVectors.find((x) => x.kind === kind);
  if (!v) throw new Error(`protocol-vectors.json has no ${kind} vector`);
  return v;
}

export const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** The vector's expected-value tree ({ "structure": [...] }, { "long-unsigned": 5 } …) as plain JSON, for comparison. */
export type ExpectedData = Record<string, unknown>;
