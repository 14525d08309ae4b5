import { DlmsError } from './errors.js';

// OBIS codes (IEC 62056-6-1): six value groups A-B:C.D.E.F. Written here as '1-0:1.8.0.255'; read
// from that form, from 'A-B:C.D.E' and 'A-B:C.D.E*F' (F defaults to 255), from six or five dotted
// groups ('0.0.96.1.0' = A.B.C.D.E), and from the short 'C.D.E' of IEC 62056-21 readouts (A=1, B=0:
// electricity). The letters C, F, L, P stand for 96, 97, 98, 99 in group C, as readouts write
// them ('C.1.0', 'F.F').

const LETTERS: Record<string, number> = { C: 96, F: 97, L: 98, P: 99 };

function group(text: string, whole: string): number {
  const letter = LETTERS[text.toUpperCase()];
  if (letter !== undefined) return letter;
  if (!/^\d{1,3}$/.test(text)) throw new DlmsError('bad-value', 0, `OBIS code '${whole}': '${text}' is not a value group`);
  const n = Number(text);
  if (n > 255) throw new DlmsError('bad-value', 0, `OBIS code '${whole}': ${n} is above 255`);
  return n;
}

/** The six bytes of an OBIS code; DlmsError 'bad-value' for text that is not one. */
export function parseObis(text: string): Buffer {
  const whole = text.trim();
  if (whole.length > 40) throw new DlmsError('bad-value', 0, 'an OBIS code is at most 40 characters');
  let groups: string[];
  const colon = whole.split(':');
  if (colon.length === 2) {
    // A-B:C.D.E with F after '.', '*' or '&' (or absent: 255)
    const ab = (colon[0] as string).split('-');
    const cdef = (colon[1] as string).split(/[.*&]/);
    if (ab.length !== 2 || (cdef.length !== 3 && cdef.length !== 4)) throw new DlmsError('bad-value', 0, `'${whole}' is not an OBIS code (A-B:C.D.E.F)`);
    groups = [...ab, ...cdef, ...(cdef.length === 3 ? ['255'] : [])];
  } else {
    const dotted = whole.split('.');
    if (dotted.length === 3) groups = ['1', '0', ...dotted, '255'];
    else if (dotted.length === 5) groups = [...dotted, '255'];
    else if (dotted.length === 6) groups = dotted;
    else throw new DlmsError('bad-value', 0, `'${whole}' is not an OBIS code (A-B:C.D.E.F)`);
  }
  return Buffer.from(groups.map((g) => group(g, whole)));
}

/** '1-0:1.8.0.255'; DlmsError 'bad-length' unless six bytes. */
export function formatObis(b: Uint8Array): string {
  if (b.length !== 6) throw new DlmsError('bad-length', 0, `an OBIS code is 6 bytes, not ${b.length}`);
  return `${b[0]}-${b[1]}:${b[2]}.${b[3]}.${b[4]}.${b[5]}`;
}

/** The same code in the one written form, or undefined when the text is not an OBIS code. */
export function normalizeObis(text: string): string | undefined {
  try {
    return formatObis(parseObis(text));
  } catch {
    return undefined;
  }
}
