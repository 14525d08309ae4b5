import type { DlmsData } from '../../drivers/dlms/axdr.js';
import { allProtocolVectors, type ProtocolVector } from './protocol-vectors-of.js';

// The DLMS entries of test/fixtures/protocol-vectors.json (dlms-*, xdlms-apdu, hdlc-frame), read
// from the one file rather than copied, so a test cannot drift from the checked vectors.
export type DlmsVector = ProtocolVector;

export const dlmsVectors: DlmsVector[] = allProtocolVectors.filter((v) => v.kind.startsWith('dlms-') || v.kind === 'xdlms-apdu' || v.kind === 'hdlc-frame');

/** The one vector of a kind; throws when the fixture lost it, so a test cannot pass on nothing. */
export function dlmsVector(kind: string): DlmsVector {
  const v = dlmsVectors.find((x) => x.kind === kind);
  if (!v) throw new Error(`protocol-vectors.json has no ${kind} vector`);
  return v;
}

export const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** The vector's expected-value tree ({ "structure": [...] }, { "long-unsigned": 5 } …) as plain JSON. */
export type ExpectedData = Record<string, unknown>;

// The vectors write values in the Blue Book's names (long-unsigned, double-long-unsigned …).
const BLUE_BOOK: Record<string, DlmsData['type']> = {
  integer: 'int8', long: 'int16', 'double-long': 'int32', unsigned: 'uint8', 'long-unsigned': 'uint16',
  'double-long-unsigned': 'uint32', enum: 'enum', 'octet-string': 'octet-string', structure: 'structure', array: 'array',
};

/** The expected-value tree as the driver's DlmsData. */
export function fromExpected(e: ExpectedData): DlmsData {
  const [name, v] = Object.entries(e)[0] ?? [];
  const type = BLUE_BOOK[name ?? ''];
  if (type === 'structure' || type === 'array') return { type, value: (v as ExpectedData[]).map(fromExpected) };
  if (type === 'octet-string') return { type, value: hex(v as string) };
  if (type === undefined) throw new Error(`no type for ${name}`);
  return { type, value: v as number } as DlmsData;
}

/** The bare APDU inside the plain HDLC push vector: after 7E, format, addresses (41 | 08 83), control, HCS and the LLC E6 E7 00; before FCS and 7E. */
export function plainPushApdu(): Buffer {
  const frame = hex(dlmsVector('dlms-hdlc-plain-push').input_hex);
  return frame.subarray(12, frame.length - 3);
}
