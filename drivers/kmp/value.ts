import { KmpError } from './errors.js';

// KMP's number: UNIT | LEN | SISE | MANTISSA (LEN bytes, big-endian), the value
// (−1)^SI · mantissa · 10^((−1)^SE · exp) with SI the top bit of SISE, SE the next, exp its low six.
// Decoded to a number and to its exact decimal text (a mantissa of 8 bytes or a large exponent
// is more than a double holds exactly; the text keeps every digit).

export interface KmpNumber {
  unit: number;
  value: number;
  /** The exact decimal: no exponent form, no trailing zeros after the point ("0.251", "-12", "1959120400000000000000000"). */
  text: string;
  /** The offset after the value's last byte. */
  end: number;
}

const MAX_EXPONENT = 63;
/** The longest mantissa taken either way: a MULTICAL sends 4 bytes, rarely more; 8 keeps every value finite. */
const MAX_LENGTH = 8;

/** Decodes UNIT LEN SISE MANTISSA at `offset`; errors carry offsets into `bytes`. */
export function decodeKmpValue(bytes: Uint8Array, offset: number): KmpNumber {
  if (offset + 3 > bytes.length) throw new KmpError('truncated', bytes.length, 'a register value needs UNIT LEN SISE', 'data-link');
  const unit = bytes[offset] as number;
  const len = bytes[offset + 1] as number;
  const sise = bytes[offset + 2] as number;
  if (len === 0 || len > MAX_LENGTH) throw new KmpError('bad-value', offset + 1, `a register value with a mantissa of ${len} bytes (1 to ${MAX_LENGTH})`, 'data-link');
  const end = offset + 3 + len;
  if (end > bytes.length) throw new KmpError('truncated', bytes.length, `the mantissa announces ${len} bytes, ${bytes.length - offset - 3} follow`, 'data-link');
  let mantissa = 0n;
  for (let i = offset + 3; i < end; i++) mantissa = (mantissa << 8n) | BigInt(bytes[i] as number);
  const negative = (sise & 0x80) !== 0;
  const exponent = (sise & 0x40 ? -1 : 1) * (sise & 0x3f);
  const text = decimalText(negative, mantissa, exponent);
  return { unit, value: Number(text), text, end };
}

function decimalText(negative: boolean, mantissa: bigint, exponent: number): string {
  if (mantissa === 0n) return '0';
  let digits = mantissa.toString();
  let body: string;
  if (exponent >= 0) body = digits + '0'.repeat(exponent);
  else {
    const point = -exponent;
    if (digits.length <= point) digits = '0'.repeat(point - digits.length + 1) + digits;
    const whole = digits.slice(0, digits.length - point);
    const frac = digits.slice(digits.length - point).replace(/0+$/, '');
    body = frac === '' ? whole : `${whole}.${frac}`;
  }
  return negative ? `-${body}` : body;
}

const DIGITS = /^\d+$/;
const EXPONENT = /^[+-]?\d{1,4}$/;

/** "-12.50e3" → sign, digits before and after the point, exponent; null when it is not a decimal. */
function parseDecimal(text: string): { negative: boolean; whole: string; frac: string; exp: number } | null {
  if (text.length === 0 || text.length > 80) return null;
  const negative = text.startsWith('-');
  const [num = '', exp, extra] = (negative ? text.slice(1) : text).toLowerCase().split('e');
  if (extra !== undefined || (exp !== undefined && !EXPONENT.test(exp))) return null;
  const [whole = '', frac = '', more] = num.split('.');
  if (more !== undefined || !DIGITS.test(whole) || (frac !== '' && !DIGITS.test(frac))) return null;
  return { negative, whole, frac, exp: Number(exp ?? '0') };
}

/**
 * UNIT LEN SISE MANTISSA for a number or an exact decimal text: the mantissa in 4 bytes as the
 * meters send it (more when it does not fit, up to 8) or in `length` bytes, the exponent as small
 * as it can be.
 */
export function encodeKmpValue(value: number | string, unit: number, opts: { length?: number } = {}): Buffer {
  if (!Number.isInteger(unit) || unit < 0 || unit > 0xff) throw new KmpError('bad-value', 0, 'the unit must be a byte (0…255)', 'data-link');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new KmpError('bad-value', 0, 'a register value must be a finite number', 'data-link');
  const text = typeof value === 'number' ? String(value) : value.trim();
  const d = parseDecimal(text);
  if (!d) throw new KmpError('bad-value', 0, `"${text.slice(0, 40)}" is not a decimal number`, 'data-link');
  const negative = d.negative;
  let exponent = d.exp - d.frac.length;
  let mantissa = BigInt(d.whole + d.frac);
  if (mantissa === 0n) exponent = 0;
  while (mantissa !== 0n && mantissa % 10n === 0n && exponent < MAX_EXPONENT) {
    mantissa /= 10n;
    exponent += 1;
  }
  while (exponent > MAX_EXPONENT) {
    mantissa *= 10n;
    exponent -= 1;
  }
  if (exponent < -MAX_EXPONENT) throw new KmpError('bad-value', 0, `${text} needs an exponent below -${MAX_EXPONENT}`, 'data-link');
  const asked = opts.length;
  if (asked !== undefined && !(Number.isInteger(asked) && asked >= 1 && asked <= MAX_LENGTH)) {
    throw new KmpError('bad-value', 1, `a mantissa of ${String(asked)} bytes; 1 to ${MAX_LENGTH} are encoded`, 'data-link');
  }
  let len = asked ?? 4;
  if (asked !== undefined && mantissa >> BigInt(asked * 8) !== 0n) throw new KmpError('bad-value', 1, `${text.slice(0, 40)} does not fit a mantissa of ${asked} bytes`, 'data-link');
  while (mantissa >> BigInt(len * 8) !== 0n) len += 1;
  if (len > MAX_LENGTH) throw new KmpError('bad-value', 0, `${text.slice(0, 40)} needs a mantissa of more than ${MAX_LENGTH} bytes`, 'data-link');
  const out = Buffer.alloc(3 + len);
  out[0] = unit;
  out[1] = len;
  out[2] = (negative && mantissa !== 0n ? 0x80 : 0) | (exponent < 0 ? 0x40 : 0) | Math.abs(exponent);
  for (let i = len - 1, rest = mantissa; i >= 0; i--, rest >>= 8n) out[3 + i] = Number(rest & 0xffn);
  return out;
}
