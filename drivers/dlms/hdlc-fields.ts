import { DlmsError } from './errors.js';

// The address and control fields of an HDLC frame (IEC 62056-46 6.4.2 and 6.4.3), each a value
// of its own so the frame codec and the connection state speak in types, never in raw bytes.

/**
 * An HDLC address. The client's is one byte (`size: 1`, `upper` = the client address, 0..127).
 * A server's is 1, 2 or 4 bytes: `upper` the logical device, `lower` the physical device (absent
 * for size 1). On the wire every byte carries 7 bits shifted left; bit 0 set marks the last byte.
 */
export interface HdlcAddress {
  upper: number;
  lower?: number;
  size: 1 | 2 | 4;
}

export type HdlcControl =
  | { kind: 'I'; ns: number; nr: number; pf: boolean }
  | { kind: 'RR' | 'RNR'; nr: number; pf: boolean }
  | { kind: 'SNRM' | 'UA' | 'DISC' | 'DM' | 'FRMR' | 'UI'; pf: boolean };

export type UnnumberedKind = 'SNRM' | 'UA' | 'DISC' | 'DM' | 'FRMR' | 'UI';

/** Control bytes of the unnumbered frames without the P/F bit (0x10). */
const UNNUMBERED: ReadonlyMap<UnnumberedKind, number> = new Map([
  ['SNRM', 0x83],
  ['UA', 0x63],
  ['DISC', 0x43],
  ['DM', 0x0f],
  ['FRMR', 0x87],
  ['UI', 0x03],
]);
const UNNUMBERED_OF = new Map([...UNNUMBERED].map(([k, v]) => [v, k]));
const PF = 0x10;

/** The server address of a logical and (optionally) physical device, in the fewest bytes that hold it. */
export function serverAddress(upper: number, lower?: number): HdlcAddress {
  if (lower === undefined) return { upper, size: 1 };
  return upper < 0x80 && lower < 0x80 ? { upper, lower, size: 2 } : { upper, lower, size: 4 };
}

export function clientAddress(client: number): HdlcAddress {
  return { upper: client, size: 1 };
}

export function sameAddress(a: HdlcAddress, b: HdlcAddress): boolean {
  return a.size === b.size && a.upper === b.upper && (a.size === 1 || a.lower === b.lower);
}

export function formatAddress(a: HdlcAddress): string {
  return a.size === 1 ? `${a.upper}` : `${a.upper}/${a.lower ?? 0}`;
}

function checkRange(value: number, bits: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= 1 << bits) {
    throw new DlmsError('bad-value', 0, `${what} ${value} does not fit in ${bits} bits`, 'frame');
  }
}

export function encodeAddress(a: HdlcAddress): Buffer {
  if (a.size === 1) {
    checkRange(a.upper, 7, 'HDLC address');
    return Buffer.from([(a.upper << 1) | 1]);
  }
  const lower = a.lower ?? 0;
  if (a.size === 2) {
    checkRange(a.upper, 7, 'HDLC upper address');
    checkRange(lower, 7, 'HDLC lower address');
    return Buffer.from([a.upper << 1, (lower << 1) | 1]);
  }
  checkRange(a.upper, 14, 'HDLC upper address');
  checkRange(lower, 14, 'HDLC lower address');
  return Buffer.from([(a.upper >> 7) << 1, (a.upper & 0x7f) << 1, (lower >> 7) << 1, ((lower & 0x7f) << 1) | 1]);
}

/** Reads an address at `offset`; `end` is where the frame's address bytes must stop (before CTRL and FCS). */
export function decodeAddress(bytes: Uint8Array, offset: number, end: number): { address: HdlcAddress; end: number } {
  let n = 0;
  for (;;) {
    if (offset + n >= end) throw new DlmsError('truncated', offset + n, 'HDLC address: the frame ends inside it', 'frame');
    const b = bytes[offset + n] ?? 0;
    n += 1;
    if (b & 1) break;
    if (n === 4) throw new DlmsError('bad-frame', offset, 'HDLC address: longer than 4 bytes', 'frame');
  }
  const seven = (i: number): number => (bytes[offset + i] ?? 0) >> 1;
  if (n === 1) return { address: { upper: seven(0), size: 1 }, end: offset + 1 };
  if (n === 2) return { address: { upper: seven(0), lower: seven(1), size: 2 }, end: offset + 2 };
  if (n === 4) {
    return { address: { upper: (seven(0) << 7) | seven(1), lower: (seven(2) << 7) | seven(3), size: 4 }, end: offset + 4 };
  }
  throw new DlmsError('bad-frame', offset, 'HDLC address: 3 bytes (1, 2 or 4 allowed)', 'frame');
}

export function encodeControl(c: HdlcControl): number {
  const pf = c.pf ? PF : 0;
  if (c.kind === 'I') {
    checkRange(c.ns, 3, 'N(S)');
    checkRange(c.nr, 3, 'N(R)');
    return (c.nr << 5) | pf | (c.ns << 1);
  }
  if (c.kind === 'RR' || c.kind === 'RNR') {
    checkRange(c.nr, 3, 'N(R)');
    return (c.nr << 5) | pf | (c.kind === 'RR' ? 0x01 : 0x05);
  }
  return (UNNUMBERED.get(c.kind) ?? 0) | pf;
}

export function decodeControl(byte: number, offset: number): HdlcControl {
  const pf = (byte & PF) !== 0;
  if ((byte & 1) === 0) return { kind: 'I', ns: (byte >> 1) & 7, nr: byte >> 5, pf };
  if ((byte & 0x0f) === 0x01) return { kind: 'RR', nr: byte >> 5, pf };
  if ((byte & 0x0f) === 0x05) return { kind: 'RNR', nr: byte >> 5, pf };
  const kind = UNNUMBERED_OF.get(byte & ~PF);
  if (kind === undefined) {
    throw new DlmsError('bad-frame', offset, `HDLC control byte ${byte.toString(16).padStart(2, '0')}: not one IEC 62056-46 uses`, 'frame');
  }
  return { kind, pf };
}
