import { IecError } from './errors.js';

// The opening of an IEC 62056-21 session at 300 baud 7E1 (clause 6.3): the sign-on request, the
// meter's identification, the option select that acknowledges it, and the break that ends it.
// Bytes are 7-bit ASCII; parity is the serial port's business.

export const SOH = 0x01;
export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;
const CR = 0x0d;
const LF = 0x0a;

/** XOR of the bytes from `start` to `end` (exclusive): the block check character, taken after SOH/STX up to and including ETX. */
export function bcc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i] ?? 0;
  return x;
}

/** The break (sign-off) command: SOH B 0 ETX BCC. */
export const BREAK: Buffer = Buffer.from([SOH, 0x42, 0x30, ETX, 0x71]);

const ADDRESS = /^[0-9A-Za-z ]{1,32}$/;

/** `/?[address]!\r\n`; the device address (up to 32 digits, letters or spaces) picks one meter on a shared line. */
export function signOnRequest(address?: string): Buffer {
  if (address !== undefined && !ADDRESS.test(address)) {
    throw new IecError('bad-value', 0, 'a device address is 1 to 32 digits, letters or spaces');
  }
  return Buffer.from(`/?${address ?? ''}!\r\n`, 'latin1');
}

/** The device address of a sign-on request (undefined: none given); IecError 'bad-identification' when it is not one. */
export function parseSignOnRequest(bytes: Uint8Array): { address?: string } {
  const text = Buffer.from(bytes).toString('latin1');
  const m = /^\/\?([0-9A-Za-z ]{0,32})!\r\n$/.exec(text);
  if (!m) throw new IecError(text.length < 5 ? 'truncated' : 'bad-identification', 0, 'not a sign-on request /?[address]!CR LF');
  return m[1] ? { address: m[1] } : {};
}

// Baud rate characters: 0..6 for modes C and E, A..F for mode B (G..I and 7..9 reserved).
const BAUD_C = [300, 600, 1200, 2400, 4800, 9600, 19200];
const BAUD_B = [600, 1200, 2400, 4800, 9600, 19200];

/** Mode of an identification: A (no baud switch), B (A..F), C (0..6; with `\2` also E). */
export type IecMode = 'A' | 'B' | 'C';

function modeOf(char: string): IecMode | undefined {
  if (/^[0-6]$/.test(char)) return 'C';
  if (/^[A-F]$/.test(char)) return 'B';
  if (/^[7-9G-I/!]$/.test(char) || !/^[\x20-\x7e]$/.test(char)) return undefined;
  return 'A';
}

/** The baud rate a baud character stands for; mode A characters (anything not reserved) stay at 300. */
export function baudOf(char: string): number {
  const mode = modeOf(char);
  if (mode === undefined) throw new IecError('bad-value', 0, `'${char}' is no baud rate character`);
  if (mode === 'C') return BAUD_C[Number(char)] ?? 300;
  if (mode === 'B') return BAUD_B[char.charCodeAt(0) - 0x41] ?? 300;
  return 300;
}

export function baudCharOf(baud: number, mode: 'C' | 'E' | 'B'): string {
  const i = (mode === 'B' ? BAUD_B : BAUD_C).indexOf(baud);
  if (i < 0) throw new IecError('bad-value', 0, `${baud} baud is not a rate of mode ${mode}`);
  return mode === 'B' ? String.fromCharCode(0x41 + i) : String(i);
}

export interface Identification {
  /** Three letters; a lower-case third letter means the meter answers within 20 ms. */
  manufacturer: string;
  baudChar: string;
  baud: number;
  mode: IecMode;
  /** `\2` after the baud character: binary mode (HDLC) available, so mode E. */
  modeE: boolean;
  reactionMs: 20 | 200;
  ident: string;
}

const IDENT = /^[\x20-\x7e]{0,32}$/;

/** `/XXXZ[\W]ident\r\n` — offsets in IecErrors count in `line`. */
export function parseIdentification(line: Uint8Array): Identification {
  const b = Buffer.from(line);
  if (b[0] !== 0x2f) throw new IecError(b.length === 0 ? 'truncated' : 'bad-identification', 0, 'an identification starts with /');
  if (b.length < 7) throw new IecError('truncated', b.length, 'an identification has at least /XXXZ CR LF');
  if (b[b.length - 2] !== CR || b[b.length - 1] !== LF) throw new IecError('bad-identification', b.length - 2, 'an identification ends with CR LF');
  const manufacturer = b.toString('latin1', 1, 4);
  if (!/^[A-Za-z]{3}$/.test(manufacturer)) throw new IecError('bad-identification', 1, 'the manufacturer is three letters');
  const baudChar = b.toString('latin1', 4, 5);
  const mode = modeOf(baudChar);
  if (mode === undefined) throw new IecError('bad-identification', 4, `'${baudChar}' is no baud rate character`);
  let at = 5;
  let modeE = false;
  if (b[at] === 0x5c) {
    const w = b[at + 1] ?? 0;
    if (w < 0x30 || w > 0x39) throw new IecError('bad-identification', at + 1, 'the enhanced identification after \\ is a digit');
    modeE = w === 0x32;
    at += 2;
  }
  const ident = b.toString('latin1', at, b.length - 2);
  if (!IDENT.test(ident) || ident.includes('/') || ident.includes('!')) {
    throw new IecError('bad-identification', at, 'the identification is up to 32 printable characters without / or !');
  }
  return {
    manufacturer,
    baudChar,
    baud: baudOf(baudChar),
    mode,
    modeE,
    reactionMs: /[a-z]/.test(manufacturer[2] ?? '') ? 20 : 200,
    ident,
  };
}

/** The identification line; the third letter's case follows `reactionMs`. */
export function encodeIdentification(id: Pick<Identification, 'manufacturer' | 'baudChar' | 'modeE' | 'ident'> & { reactionMs?: 20 | 200 }): Buffer {
  if (!/^[A-Za-z]{3}$/.test(id.manufacturer)) throw new IecError('bad-value', 0, 'the manufacturer is three letters');
  if (modeOf(id.baudChar) === undefined) throw new IecError('bad-value', 4, `'${id.baudChar}' is no baud rate character`);
  if (!IDENT.test(id.ident) || id.ident.includes('/') || id.ident.includes('!')) throw new IecError('bad-value', 5, 'the identification is up to 32 printable characters without / or !');
  const third = id.manufacturer[2] ?? '';
  const manufacturer = id.manufacturer.slice(0, 2) + (id.reactionMs === undefined ? third : id.reactionMs === 20 ? third.toLowerCase() : third.toUpperCase());
  return Buffer.from(`/${manufacturer}${id.baudChar}${id.modeE ? '\\2' : ''}${id.ident}\r\n`, 'latin1');
}

export interface OptionSelect {
  /** V: 0 normal protocol procedure, 2 HDLC (mode E). */
  protocol: 0 | 2;
  baudChar: string;
  /** Y: 0 data readout, 1 programming, 2 binary mode (HDLC). */
  mode: 0 | 1 | 2;
}

/** `06 V Z Y CR LF`: the acknowledgement that picks the protocol, the new baud rate and the mode. */
export function optionSelect(o: OptionSelect): Buffer {
  if (!/^[0-6]$/.test(o.baudChar)) throw new IecError('bad-value', 2, `'${o.baudChar}': an option select takes a baud character 0..6`);
  if ((o.protocol !== 0 && o.protocol !== 2) || ![0, 1, 2].includes(o.mode)) throw new IecError('bad-value', 1, 'protocol 0 or 2, mode 0, 1 or 2');
  return Buffer.from([ACK, 0x30 + o.protocol, o.baudChar.charCodeAt(0), 0x30 + o.mode, CR, LF]);
}

export function parseOptionSelect(bytes: Uint8Array): OptionSelect & { baud: number } {
  if (bytes[0] !== ACK) throw new IecError(bytes.length === 0 ? 'truncated' : 'bad-value', 0, 'an option select starts with ACK');
  if (bytes.length < 6) throw new IecError('truncated', bytes.length, 'an option select is 06 V Z Y CR LF');
  if (bytes.length > 6 || bytes[4] !== CR || bytes[5] !== LF) throw new IecError('bad-value', 4, 'an option select ends with CR LF after 4 bytes');
  const v = (bytes[1] ?? 0) - 0x30;
  if (v !== 0 && v !== 2) throw new IecError('bad-value', 1, 'protocol control 0 or 2');
  const baudChar = String.fromCharCode(bytes[2] ?? 0);
  if (!/^[0-6]$/.test(baudChar)) throw new IecError('bad-value', 2, 'baud character 0..6');
  const y = (bytes[3] ?? 0) - 0x30;
  if (y !== 0 && y !== 1 && y !== 2) throw new IecError('bad-value', 3, 'mode 0, 1 or 2');
  return { protocol: v, baudChar, mode: y, baud: baudOf(baudChar) };
}
