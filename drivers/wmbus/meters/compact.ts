import { crc16En13757 } from '../crc.js';
import type { DecodedTelegram } from '../decode-telegram.js';
import { WmbusError } from '../errors.js';
import { parseRecords, type DataRecord } from '../records.js';
import { recordsOf } from '../records-of.js';
import { knownFormatHeaders } from './known-formats.js';

// Compact frames (CI 0x79 / 0x73) carry only the values: format signature (2, LE), CRC of the full
// frame (2, LE), then the data bytes. The signature is the EN 13757 CRC over the record headers
// (DIF, DIFEs, VIF, VIFEs) of the full frame with the same layout; a FormatCache remembers those
// headers from full frames. Resolved frames are checked against the full-frame CRC.

interface Format {
  headers: Buffer[];
  lengths: number[];
}

const FILLER = 0x2f;
const DATA_LENGTH = [0, 1, 2, 3, 4, 4, 6, 8, 0, 1, 2, 3, 4, -1, 6, 0] as const;

/** Splits bare record headers (DIF DIFE… VIF VIFE…) into a format; null for what headers cannot describe. */
function formatOfHeaders(bytes: Buffer): Format | null {
  const headers: Buffer[] = [];
  const lengths: number[] = [];
  let p = 0;
  while (p < bytes.length) {
    const start = p;
    const dif = bytes[p++] as number;
    const n = DATA_LENGTH[dif & 0x0f] ?? -1;
    if (n < 0 || (dif & 0x0f) === 0x0f) return null;
    let more = (dif & 0x80) !== 0;
    while (more && p < bytes.length) more = ((bytes[p++] as number) & 0x80) !== 0;
    if (p >= bytes.length) return null;
    const vif = bytes[p++] as number;
    if (vif === 0x7c || vif === 0xfc) return null;
    more = (vif & 0x80) !== 0;
    while (more && p < bytes.length) more = ((bytes[p++] as number) & 0x80) !== 0;
    if (more) return null;
    headers.push(Buffer.from(bytes.subarray(start, p)));
    lengths.push(n);
  }
  return headers.length ? { headers, lengths } : null;
}

function headerOf(data: Buffer, r: DataRecord): Buffer | null {
  const size = 1 + r.dife.length + 1 + r.vife.length;
  // Variable-length data, plain-text units and manufacturer blocks cannot be described by headers alone.
  if ((r.dif & 0x0f) === 0x0d || (r.dif & 0x0f) === 0x0f || r.vif === 0x7c || r.vif === 0xfc) return null;
  return data.subarray(r.offset, r.offset + size);
}

/**
 * Record formats seen in full frames, by signature. Keep one per meter (or per meter kind). A
 * signature not learned yet falls back to the known formats (known-formats.ts) unless
 * `{ known: false }` is given.
 */
export class FormatCache {
  readonly #formats = new Map<number, Format>();
  readonly #known: boolean;
  readonly #fromTable = new Map<number, Format | null>();

  constructor(opts: { known?: boolean } = {}) {
    this.#known = opts.known ?? true;
  }

  /** Remembers the layout of a full frame; returns its signature, or null when it cannot be compacted. */
  learn(data: Buffer, records: readonly DataRecord[]): number | null {
    const headers: Buffer[] = [];
    for (const r of records) {
      const h = headerOf(data, r);
      if (!h) return null;
      headers.push(Buffer.from(h));
    }
    if (headers.length === 0) return null;
    const signature = crc16En13757(Buffer.concat(headers));
    this.#formats.set(signature, { headers, lengths: records.map((r) => r.raw.length) });
    return signature;
  }

  /** Whether a full frame with this signature was seen (known formats do not count). */
  has(signature: number): boolean {
    return this.#formats.has(signature);
  }

  /** The learned format, else the known one (built once and kept), else undefined. */
  get(signature: number): Format | undefined {
    const learned = this.#formats.get(signature);
    if (learned || !this.#known) return learned;
    let known = this.#fromTable.get(signature);
    if (known === undefined) {
      const headers = knownFormatHeaders(signature);
      known = headers ? formatOfHeaders(headers) : null;
      this.#fromTable.set(signature, known);
    }
    return known ?? undefined;
  }
}

export type MeterRecords =
  | { status: 'ok'; records: DataRecord[] }
  | { status: 'needs-full-frame'; signature: number };

/** Rebuilds the full frame of a compact one from its cached format; throws 'bad-crc' when it does not fit. */
function resolve(data: Buffer, cache: FormatCache): MeterRecords {
  let p = 0;
  while (data[p] === FILLER) p++; // OMS mode 5 puts its 2F2F check in front
  if (p + 4 > data.length) throw new WmbusError('truncated', p, 'a compact frame needs a format signature and a CRC');
  const signature = data.readUInt16LE(p);
  const crc = data.readUInt16LE(p + 2);
  const format = cache.get(signature);
  if (!format) return { status: 'needs-full-frame', signature };
  const parts: Buffer[] = [];
  let q = p + 4;
  format.headers.forEach((h, i) => {
    const n = format.lengths[i] ?? 0;
    parts.push(h, data.subarray(q, q + n));
    q += n;
  });
  const full = Buffer.concat(parts);
  if (q > data.length || crc16En13757(full) !== crc) {
    throw new WmbusError('bad-crc', p + 2, `the compact frame does not match format ${signature.toString(16).padStart(4, '0')}`);
  }
  return { status: 'ok', records: parseRecords(full) };
}

/**
 * The records of a decrypted telegram, full or compact. Full frames teach the cache their format;
 * compact frames are 'needs-full-frame' until a full frame with their signature was seen.
 */
export function meterRecords(t: DecodedTelegram, cache: FormatCache): MeterRecords {
  if (t.applicationData !== null && t.tpl?.frame === 'compact') return resolve(t.applicationData, cache);
  const records = recordsOf(t);
  if (t.applicationData) cache.learn(t.applicationData, records);
  return { status: 'ok', records };
}
