import { WmbusError } from './errors.js';
import { extensionFb, extensionFd, primaryVif, type VifInfo } from './vif-table.js';

// EN 13757-3 data records: DIF [DIFE…] VIF [VIFE…] data. Offsets are in the application data.
// A record that cannot be framed (truncated, more than 10 extensions, unknown LVAR) is 'bad-record';
// a value that frames but does not read (a BCD digit above 9) comes back as null.

export type RecordFunction = 'instantaneous' | 'maximum' | 'minimum' | 'error';
const FUNCTIONS: readonly RecordFunction[] = ['instantaneous', 'maximum', 'minimum', 'error'];

export interface DataRecord {
  offset: number;
  dif: number;
  dife: number[];
  /** The VIF byte (0xFD/0xFB/0xFF/0xFC for the extended and special tables). */
  vif: number;
  vife: number[];
  storage: number;
  tariff: number;
  subunit: number;
  function: RecordFunction;
  quantity: string;
  unit: string;
  exponent: number;
  /** Scaled number, ISO date/date-time, identifier digits, text or hex for binary/manufacturer data. */
  value: number | string | null;
  raw: Buffer;
}

const MAX_EXTENSIONS = 10;
const FIXED_LENGTH = [0, 1, 2, 3, 4, 4, 6, 8, 0, 1, 2, 3, 4, -1, 6, 0] as const;

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}
  byte(what: string, start: number): number {
    const b = this.buf[this.pos];
    if (b === undefined) throw new WmbusError('bad-record', start, `record at ${start}: ${what} missing`);
    this.pos += 1;
    return b;
  }
  bytes(n: number, what: string, start: number): Buffer {
    if (this.pos + n > this.buf.length) throw new WmbusError('bad-record', start, `record at ${start}: ${what} needs ${n} bytes`);
    const out = Buffer.allocUnsafe(n); // a copy, every byte written below
    // Byte by byte: for a record's few bytes Buffer#copy costs more than the copying.
    for (let i = 0; i < n; i++) out[i] = this.buf[this.pos + i] as number;
    this.pos += n;
    return out;
  }
  chain(first: number, what: string, start: number): number[] {
    const out: number[] = [];
    let more = (first & 0x80) !== 0;
    while (more) {
      if (out.length === MAX_EXTENSIONS) throw new WmbusError('bad-record', start, `record at ${start}: more than ${MAX_EXTENSIONS} ${what}s`);
      const b = this.byte(what, start);
      out.push(b);
      more = (b & 0x80) !== 0;
    }
    return out;
  }
}

function bcd(raw: Buffer): number | null {
  let v = 0;
  let sign = 1;
  for (let i = raw.length - 1; i >= 0; i--) {
    const b = raw[i] ?? 0;
    let hi = b >> 4;
    const lo = b & 0x0f;
    if (i === raw.length - 1 && hi === 0x0f) {
      sign = -1; // EN 13757-3: F in the top nibble marks a negative BCD value
      hi = 0;
    }
    if (hi > 9 || lo > 9) return null;
    v = v * 100 + hi * 10 + lo;
  }
  return sign * v;
}

function int(raw: Buffer): number | string {
  if (raw.length <= 6) return raw.readIntLE(0, raw.length);
  const big = raw.readBigInt64LE(0);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}

function scale(v: number, exponent: number): number {
  return exponent < 0 ? v / 10 ** -exponent : v * 10 ** exponent;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function dateG(raw: Buffer): string {
  const b0 = raw[0] ?? 0;
  const b1 = raw[1] ?? 0;
  const year = 2000 + (((b0 & 0xe0) >> 5) | ((b1 & 0xf0) >> 1));
  return `${year}-${pad(b1 & 0x0f)}-${pad(b0 & 0x1f)}`;
}

function dateTime(raw: Buffer): string {
  // Type F (4 bytes: min hour day month/year) or type I (6 bytes: sec min hour day month/year).
  const s = raw.length === 6 ? 1 : 0;
  const a0 = raw[s] ?? 0;
  const a1 = raw[1 + s] ?? 0;
  const a2 = raw[2 + s] ?? 0;
  const a3 = raw[3 + s] ?? 0;
  const year = 2000 + (((a2 & 0xe0) >> 5) | ((a3 & 0xf0) >> 1));
  const sec = s ? `:${pad((raw[0] ?? 0) & 0x3f)}` : '';
  return `${year}-${pad(a3 & 0x0f)}-${pad(a2 & 0x1f)}T${pad(a1 & 0x1f)}:${pad(a0 & 0x3f)}${sec}`;
}

// The VIF tables, looked up once per code rather than per record (the entries are never mutated).
const PRIMARY: ReadonlyArray<VifInfo | null> = Array.from({ length: 0x80 }, (_, code) => primaryVif(code));
const EXT_FD: readonly VifInfo[] = Array.from({ length: 0x80 }, (_, code) => extensionFd(code));
const EXT_FB: readonly VifInfo[] = Array.from({ length: 0x80 }, (_, code) => extensionFb(code));

interface Vif {
  info: VifInfo;
  vife: number[];
  text?: string;
}

function readVif(r: Reader, vif: number, start: number): Vif {
  const code = vif & 0x7f;
  if (vif === 0xfd || vif === 0xfb) {
    const vife = r.chain(vif, 'VIFE', start);
    const first = vife[0] ?? 0;
    return { info: (vif === 0xfd ? EXT_FD : EXT_FB)[first & 0x7f] as VifInfo, vife };
  }
  if (code === 0x7f) return { info: { quantity: 'manufacturer-specific', unit: '', exponent: 0, type: 'number' }, vife: r.chain(vif, 'VIFE', start) };
  if (code === 0x7e) return { info: { quantity: 'any', unit: '', exponent: 0, type: 'number' }, vife: r.chain(vif, 'VIFE', start) };
  if (code === 0x7c) {
    const vife = r.chain(vif, 'VIFE', start);
    const len = r.byte('plain-text VIF length', start);
    const text = r.bytes(len, 'plain-text VIF', start).reverse().toString('latin1');
    return { info: { quantity: 'plain-text', unit: text, exponent: 0, type: 'number' }, vife, text };
  }
  const info = PRIMARY[code] ?? null;
  if (!info) throw new WmbusError('bad-record', start, `record at ${start}: VIF 0x${vif.toString(16)} needs its extension bit`);
  const vife = r.chain(vif, 'VIFE', start);
  let exponent = info.exponent;
  let corrected = false;
  for (const e of vife) {
    if ((e & 0x78) === 0x70) {
      exponent += (e & 0x07) - 6; // multiplicative correction 10^(nnn-6)
      corrected = true;
    }
  }
  return { info: corrected ? { ...info, exponent } : info, vife };
}

function readVariable(r: Reader, exponent: number, start: number): { raw: Buffer; value: number | string | null } {
  const lvar = r.byte('LVAR', start);
  if (lvar <= 0xbf) {
    const raw = r.bytes(lvar, 'text', start);
    return { raw, value: Buffer.from(raw).reverse().toString('latin1') };
  }
  if ((lvar >= 0xc0 && lvar <= 0xc9) || (lvar >= 0xd0 && lvar <= 0xd9)) {
    const raw = r.bytes(lvar & 0x0f, 'BCD', start);
    const v = bcd(raw);
    return { raw, value: v === null ? null : scale(lvar >= 0xd0 ? -v : v, exponent) };
  }
  const n = lvar >= 0xe0 && lvar <= 0xef ? lvar - 0xe0 : lvar >= 0xf0 && lvar <= 0xf4 ? 4 * (lvar - 0xec) : lvar === 0xf5 ? 48 : lvar === 0xf6 ? 64 : -1;
  if (n < 0) throw new WmbusError('bad-record', start, `record at ${start}: LVAR 0x${lvar.toString(16)} is reserved`);
  const raw = r.bytes(n, 'binary', start);
  return { raw, value: raw.toString('hex') };
}

function readValue(r: Reader, dif: number, vif: Vif, start: number): { raw: Buffer; value: number | string | null } {
  const df = dif & 0x0f;
  if (df === 0x0d) return readVariable(r, vif.info.exponent, start);
  const raw = r.bytes(FIXED_LENGTH[df] ?? 0, 'data', start);
  if (raw.length === 0) return { raw, value: null };
  const isBcd = df >= 0x09 && df <= 0x0e;
  const { type, exponent } = vif.info;
  if (type === 'date' && df === 0x02) return { raw, value: dateG(raw) };
  if (type === 'datetime' && (df === 0x04 || df === 0x06)) return { raw, value: dateTime(raw) };
  if (type === 'identifier') {
    const v = isBcd ? bcd(raw) : int(raw);
    return { raw, value: v === null ? null : String(v) };
  }
  if (df === 0x05) return { raw, value: scale(raw.readFloatLE(0), exponent) };
  const v = isBcd ? bcd(raw) : int(raw);
  return { raw, value: typeof v === 'number' ? scale(v, exponent) : v };
}

export function parseRecords(data: Uint8Array): DataRecord[] {
  // A view, not a copy: the reader only reads, and every record's raw bytes are copied out of it.
  const r = new Reader(Buffer.from(data.buffer, data.byteOffset, data.byteLength), 0);
  const out: DataRecord[] = [];
  while (r.pos < r.buf.length) {
    const start = r.pos;
    const dif = r.byte('DIF', start);
    if (dif === 0x2f) continue; // idle filler
    if (dif === 0x0f || dif === 0x1f) {
      const raw = r.bytes(r.buf.length - r.pos, 'manufacturer data', start);
      out.push({
        offset: start, dif, dife: [], vif: 0, vife: [], storage: 0, tariff: 0, subunit: 0, function: 'instantaneous',
        quantity: dif === 0x1f ? 'manufacturer-data-more-follows' : 'manufacturer-data', unit: '', exponent: 0,
        value: raw.toString('hex'), raw,
      });
      break;
    }
    if (dif === 0x7f || dif === 0xff) throw new WmbusError('bad-record', start, `record at ${start}: DIF 0x${dif.toString(16)} is a readout request, not data`);
    const dife = r.chain(dif, 'DIFE', start);
    let storage = (dif >> 6) & 1;
    let tariff = 0;
    let subunit = 0;
    for (let i = 0; i < dife.length; i++) {
      const d = dife[i] as number;
      storage += (d & 0x0f) * 2 ** (1 + 4 * i);
      tariff += ((d >> 4) & 0x03) * 2 ** (2 * i);
      subunit += ((d >> 6) & 0x01) * 2 ** i;
    }
    const vif = r.byte('VIF', start);
    const v = readVif(r, vif, start);
    const { raw, value } = readValue(r, dif, v, start);
    out.push({
      offset: start, dif, dife, vif, vife: v.vife, storage, tariff, subunit, function: FUNCTIONS[(dif >> 4) & 0x03] ?? 'instantaneous',
      quantity: v.info.quantity, unit: v.info.unit, exponent: v.info.exponent, value, raw,
    });
  }
  return out;
}
