import { IecError } from './errors.js';
import { ETX, STX, bcc } from './sign-on.js';

// The mode C data readout (IEC 62056-21 6.4 and 6.5): STX, data lines of data sets
// `ID(value*unit)` — several to a line, the ID may be left out for further values of the one
// before — each line closed by CR LF, then `!` CR LF ETX BCC. BCC is the XOR of every byte after
// STX up to and including ETX. Offsets in IecErrors count in the block as passed.

export interface DataSet {
  /** The address (an OBIS code such as '1.8.0' or '1-0:1.8.0*255', or a manufacturer's), '' when left out. */
  id: string;
  value: string;
  unit?: string;
}

/** The longest readout block this driver reads or writes (the standard sets none; the reader must stop somewhere). */
export const MAX_READOUT_BYTES = 65_536;

const ID_CHAR = /^[\x21-\x7e]$/;
const FORBIDDEN_ID = new Set(['(', ')', '/', '!']);
const FORBIDDEN_VALUE = new Set(['(', ')', '*', '/', '!']);
const FORBIDDEN_UNIT = new Set(['(', ')', '/', '!']);

function bad(offset: number, message: string): IecError {
  return new IecError('bad-block', offset, message);
}

/** The data sets of one line (`text` without its CR LF), `at` its offset in the block. */
function parseLine(text: string, at: number): DataSet[] {
  const sets: DataSet[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('(', i);
    if (open < 0) throw bad(at + i, 'a data set without ( value )');
    const id = text.slice(i, open);
    for (let k = 0; k < id.length; k++) {
      const c = id[k] ?? '';
      if (!ID_CHAR.test(c) || FORBIDDEN_ID.has(c)) throw bad(at + i + k, `character ${JSON.stringify(c)} in a data set address`);
    }
    if (id.length > 16) throw bad(at + i, 'a data set address is at most 16 characters');
    const close = text.indexOf(')', open + 1);
    if (close < 0) throw bad(at + text.length, 'a data set without its closing )');
    const inner = text.slice(open + 1, close);
    const star = inner.indexOf('*');
    const value = star < 0 ? inner : inner.slice(0, star);
    const unit = star < 0 ? undefined : inner.slice(star + 1);
    for (let k = 0; k < value.length; k++) {
      const c = value[k] ?? '';
      if (c < ' ' || c > '~' || FORBIDDEN_VALUE.has(c)) throw bad(at + open + 1 + k, `character ${JSON.stringify(c)} in a value`);
    }
    if (value.length > 128) throw bad(at + open + 1, 'a value is at most 128 characters');
    if (unit !== undefined) {
      for (let k = 0; k < unit.length; k++) {
        const c = unit[k] ?? '';
        if (c < ' ' || c > '~' || FORBIDDEN_UNIT.has(c) || c === '*') throw bad(at + open + 2 + star + k, `character ${JSON.stringify(c)} in a unit`);
      }
      if (unit.length > 16) throw bad(at + open + 2 + star, 'a unit is at most 16 characters');
    }
    sets.push(unit === undefined ? { id, value } : { id, value, unit });
    i = close + 1;
  }
  return sets;
}

/** The data sets of a readout block `STX … ! CR LF ETX BCC`, BCC checked. */
export function parseReadout(block: Uint8Array): DataSet[] {
  const b = Buffer.from(block);
  if (b.length === 0) throw new IecError('truncated', 0, 'an empty readout');
  if (b[0] !== STX) throw bad(0, 'a readout starts with STX');
  if (b.length > MAX_READOUT_BYTES) throw bad(MAX_READOUT_BYTES, `a readout longer than ${MAX_READOUT_BYTES} bytes`);
  const etx = b.indexOf(ETX, 1);
  if (etx < 0) throw new IecError('truncated', b.length, 'a readout without ETX');
  if (etx + 1 >= b.length) throw new IecError('truncated', b.length, 'a readout without its BCC');
  if (etx + 2 !== b.length) throw bad(etx + 2, 'bytes after the BCC');
  if (bcc(b, 1, etx + 1) !== b[etx + 1]) throw new IecError('bad-bcc', etx + 1, 'the block check character does not match');
  const text = b.toString('latin1', 0, etx);
  if (!text.endsWith('!\r\n')) throw bad(Math.max(1, etx - 3), 'a readout ends with ! CR LF before ETX');
  const sets: DataSet[] = [];
  let at = 1;
  const end = etx - 3; // the '!'
  while (at < end) {
    const crlf = text.indexOf('\r\n', at);
    if (crlf < 0 || crlf > end) throw bad(at, 'a data line without CR LF');
    sets.push(...parseLine(text.slice(at, crlf), at));
    at = crlf + 2;
  }
  if (at !== end) throw bad(at, 'a data line without CR LF');
  return sets;
}

/** A readout block with one data set to a line. */
export function encodeReadout(sets: readonly DataSet[]): Buffer {
  const lines = sets.map((s) => `${s.id}(${s.value}${s.unit === undefined ? '' : `*${s.unit}`})\r\n`).join('');
  const body = Buffer.from(`${lines}!\r\n`, 'latin1');
  // Parse what we wrote: a value with '(' or a non-ASCII unit is refused here, not on the far side.
  const block = Buffer.concat([Buffer.from([STX]), body, Buffer.from([ETX, 0])]);
  block[block.length - 1] = bcc(block, 1, block.length - 1);
  try {
    parseReadout(block);
  } catch (e) {
    if (e instanceof IecError) throw new IecError('bad-value', e.offset, `a data set that cannot be sent: ${e.message}`);
    throw e;
  }
  return block;
}
