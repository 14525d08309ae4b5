// The meter's side of IEC 62056-21 (docs/protocols/iec62056-21.md): its identification line, the
// option select it reads, and the mode C readout block with its BCC. Written here rather than with
// the driver's encoders, like the rest of the simulated meter (see acse.ts): the driver reads what
// this writes, so a round trip checks two implementations against each other.

/** Baud characters of modes C and E: '0' 300 … '6' 19200. */
const BAUDS = [300, 600, 1200, 2400, 4800, 9600, 19200] as const;

export function baudOfChar(c: string): number | undefined {
  const i = c.length === 1 ? c.charCodeAt(0) - 0x30 : -1;
  return BAUDS[i];
}

export interface MeterIdentification {
  /** Three letters; a lower-case third letter announces the 20 ms reaction time. */
  manufacturer: string;
  /** The highest speed offered, as its character ('5' = 9600). */
  baudChar: string;
  /** Announces binary mode (HDLC, mode E) with `\2`. */
  modeE: boolean;
  ident: string;
}

/** `/XXXZ\2ident CR LF`. */
export function identificationLine(id: MeterIdentification): Buffer {
  return Buffer.from(`/${id.manufacturer}${id.baudChar}${id.modeE ? '\\2' : ''}${id.ident}\r\n`, 'latin1');
}

/** `06 V Z Y CR LF` → the protocol control, baud character and mode; null when it is not one. */
export function readOptionSelect(line: Buffer): { protocol: number; baudChar: string; mode: number } | null {
  if (line.length !== 6 || line[0] !== 0x06 || line[4] !== 0x0d || line[5] !== 0x0a) return null;
  const protocol = (line[1] ?? 0) - 0x30;
  const mode = (line[3] ?? 0) - 0x30;
  const baudChar = String.fromCharCode(line[2] ?? 0);
  if (![0, 1, 2].includes(protocol) || ![0, 1, 2].includes(mode) || baudOfChar(baudChar) === undefined) return null;
  return { protocol, baudChar, mode };
}

export interface ReadoutSet {
  id: string;
  value: string;
  unit?: string;
}

/** `STX id(value*unit) CR LF … ! CR LF ETX BCC`, BCC the XOR of every byte after STX up to and including ETX. */
export function readoutBlock(sets: readonly ReadoutSet[]): Buffer {
  const lines = sets.map((s) => `${s.id}(${s.value}${s.unit ? `*${s.unit}` : ''})\r\n`).join('');
  const body = Buffer.from(`${lines}!\r\n\x03`, 'latin1');
  let bcc = 0;
  for (const b of body) bcc ^= b;
  return Buffer.concat([Buffer.from([0x02]), body, Buffer.from([bcc])]);
}
