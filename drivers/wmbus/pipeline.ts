import { parseAfl, type AflHeader } from './afl.js';
import { crc16En13757 } from './crc.js';
import type { DecodedTelegram } from './decode-telegram.js';
import { aesCtr, ellIv, type EllHeader } from './ell.js';
import { WmbusError, type WmbusErrorCode } from './errors.js';
import { parseAddress, type LinkHeader, type MeterAddress } from './link-layer.js';
import { FormatCache, meterRecords } from './meters/compact.js';
import type { Fields } from './meters/fields.js';
import { decodeMeter } from './meters/registry.js';
import { decryptTpl, parseTplHeader, type TplHeader } from './tpl.js';

// The one decode pipeline (docs/decode-pipeline.md): header once → keys for the meter (current,
// then previous) → decrypt → verify → compact frames through the meter's FormatCache → meter
// driver. Bytes in, an outcome out; no clock, no I/O, never throws. `wmbus decode`, `wmbus listen`,
// the telegram check and the gateway all read telegrams through it.

/** How a reading was proven genuine: ELL payload CRC, OMS 2F2F, DLMS GCM tag; 'none' = not encrypted. */
export type Verification = 'crc' | '2f2f' | 'gcm-tag' | 'none';

export interface MeterIdentity {
  /** Three letters, upper case (FLAG code). */
  manufacturer: string;
  /** Eight digits, as printed on the meter. */
  id: string;
  version: number;
  deviceType: number;
}

export type TelegramOutcome =
  | { kind: 'reading'; meter: MeterIdentity; driver: string; media: string; fields: Fields; verified: Verification; accessNumber: number; frameCounter?: number }
  /** Encrypted, and no key was offered for the meter. */
  | { kind: 'no-key'; meter: MeterIdentity }
  /** Keys were offered and none decrypts; `reversedKeyFits` when one of them byte-reversed would. */
  | { kind: 'key-refused'; meter: MeterIdentity; reversedKeyFits: boolean }
  /** A compact frame whose format no full frame of this meter has shown yet. */
  | { kind: 'needs-full-frame'; meter: MeterIdentity; signature: number }
  /**
   * `offsetIn` says where `offset` points: into the telegram (L-field = 0), or — for the records of a
   * telegram that decoded (and decrypted, if encrypted) — into its application data.
   */
  | { kind: 'bad-telegram'; meter?: MeterIdentity; code: WmbusErrorCode; offset: number; offsetIn: 'telegram' | 'application-data'; message: string };

export type KeysFor = (m: MeterIdentity) => readonly Buffer[];

export interface TelegramPipeline {
  /**
   * One telegram (L-field first, DLL CRCs stripped — what a stick codec delivers). Never throws.
   * Decodes the header once. `keysFor` is asked only for an encrypted telegram (current key first,
   * then previous ones); `opts` is read after `keysFor` returned, so a key source may set the driver.
   */
  read(telegram: Buffer, keysFor: KeysFor, opts?: { driver?: string }): TelegramOutcome;
}

/** Meters whose compact formats are remembered; the least recently heard one is forgotten past this. */
export const PIPELINE_MAX_METERS = 10_000;

const HEADER = 10; // L C M(2) A(6)
const AFL_CI = 0x90;
const ELL_AES_CTR = 1;

/** wmbusmeters' JSON media names by device type (its mediaTypeJSON). */
const MEDIA: readonly string[] = (() => {
  const m: string[] = [
    'other', 'oil', 'electricity', 'gas', 'heat', 'steam', 'warm water', 'water', 'heat cost allocation', 'compressed air',
    'cooling load volume at outlet', 'cooling load volume at inlet', 'heat volume at inlet', 'heat/cooling load', 'bus/system component', 'unknown',
  ];
  for (let t = 0x10; t <= 0x3f; t++) m.push('reserved');
  const named: ReadonlyArray<readonly [number, string]> = [
    [0x15, 'hot water'], [0x16, 'cold water'], [0x17, 'hot/cold water'], [0x18, 'pressure'], [0x19, 'a/d converter'],
    [0x1a, 'smoke detector'], [0x1b, 'room sensor'], [0x1c, 'gas detector'], [0x20, 'breaker'], [0x21, 'valve'],
    [0x25, 'customer unit (display device)'], [0x28, 'waste water'], [0x29, 'garbage'],
    [0x36, 'radio converter (system side)'], [0x37, 'radio converter (meter side)'],
  ];
  for (const [t, name] of named) m[t] = name;
  return m;
})();

/** The media wmbusmeters prints for a device type ("cold water" for 0x16); 'unknown' above 0x3F. */
export function mediaOf(deviceType: number): string {
  return MEDIA[deviceType] ?? 'unknown';
}

const identityOf = (a: MeterAddress): MeterIdentity => ({ manufacturer: a.manufacturer, id: a.id, version: a.version, deviceType: a.deviceType });

function bad(e: unknown, meter: MeterIdentity | undefined, base: number, offsetIn: 'telegram' | 'application-data'): TelegramOutcome {
  if (e instanceof WmbusError) {
    const out: TelegramOutcome = { kind: 'bad-telegram', code: e.code, offset: e.offset + base, offsetIn, message: e.message };
    if (meter) out.meter = meter;
    return out;
  }
  // Not supposed to happen (drivers/wmbus/README.md: only WmbusErrors escape); still never throw.
  const out: TelegramOutcome = { kind: 'bad-telegram', code: 'bad-record', offset: 0, offsetIn, message: 'the telegram could not be read' };
  if (meter) out.meter = meter;
  return out;
}

/** Where the bytes after the ELL/AFL stand: the buffer (the telegram, or the ELL plaintext) and offsets in it. */
interface Inner {
  buf: Buffer;
  tplOffset: number;
  afl: AflHeader | undefined;
  tpl: TplHeader;
  dataOffset: number;
}

/** AFL (if any) and the TPL header at `p` of `buf`. */
function innerAt(buf: Buffer, p: number): Inner {
  let afl: AflHeader | undefined;
  if (buf[p] === AFL_CI) {
    const r = parseAfl(buf, p);
    afl = r.header;
    p = r.next;
    if (p >= buf.length) throw new WmbusError('truncated', p, `CI field after the AFL: needs 1 bytes at offset ${p}, telegram has ${buf.length}`);
  }
  const { header: tpl, next } = parseTplHeader(buf, p);
  return { buf, tplOffset: p, afl, tpl, dataOffset: next };
}

function checkLength(t: Buffer): void {
  if (t.length < 1) throw new WmbusError('truncated', 0, 'L-field: needs 1 bytes at offset 0, telegram has 0');
  const l = t[0] as number;
  if (t.length < l + 1) throw new WmbusError('truncated', t.length, `L-field ${l} announces ${l + 1} bytes, got ${t.length}`);
  if (t.length > l + 1) throw new WmbusError('bad-length', l + 1, `L-field ${l} announces ${l + 1} bytes, got ${t.length}`);
  if (l < HEADER) throw new WmbusError('bad-length', 0, `L-field ${l} leaves no room for a CI field`);
}

/** The frame counter of the AFL (MCR, 32 bit little-endian), when the telegram carries one. */
const counterOf = (afl: AflHeader | undefined): number | undefined => (afl?.counter ? afl.counter.readUInt32LE(0) : undefined);

/** A 16-byte key as node:crypto takes it, or undefined for any other length (it cannot decrypt). */
const aesKey = (k: Buffer): Buffer | undefined => (k.length === 16 ? k : undefined);

export function createTelegramPipeline(): TelegramPipeline {
  /** Per meter (M + ID), in order of last use: the formats its full frames have shown. */
  const caches = new Map<string, FormatCache>();

  function cacheOf(a: MeterAddress): FormatCache {
    const k = a.manufacturer + a.id;
    let c = caches.get(k);
    if (c) {
      caches.delete(k);
    } else {
      c = new FormatCache();
      if (caches.size >= PIPELINE_MAX_METERS) {
        const oldest = caches.keys().next().value;
        if (oldest !== undefined) caches.delete(oldest);
      }
    }
    caches.set(k, c);
    return c;
  }

  /** ELL AES-CTR plaintext (from the payload CRC on) when `key` verifies, else null. */
  function ellPlain(t: Buffer, linkAddress: Buffer, ell: EllHeader, snPos: number, key: Buffer): Buffer | null {
    const plain = aesCtr(key, ellIv(linkAddress, ell.cc, t.subarray(snPos, snPos + 4)), t.subarray(snPos + 4));
    return plain.length >= 2 && crc16En13757(plain, 2) === plain.readUInt16LE(0) ? plain : null;
  }

  /** The application data of a TPL-encrypted telegram when `key` verifies (2F2F, MAC), else null. */
  function tplPlain(inner: Inner, meterAddress: MeterAddress, key: Buffer): Buffer | null {
    try {
      return decryptTpl({ telegram: inner.buf, tplOffset: inner.tplOffset, dataOffset: inner.dataOffset, tpl: inner.tpl, meterAddress: meterAddress.bytes, afl: inner.afl, key });
    } catch (e) {
      if (e instanceof WmbusError && e.code === 'does-not-decrypt') return null;
      throw e;
    }
  }

  function finish(
    link: LinkHeader, ell: EllHeader | undefined, inner: Inner, meterAddress: MeterAddress, meter: MeterIdentity,
    applicationData: Buffer, verified: Verification, opts: { driver?: string } | undefined,
  ): TelegramOutcome {
    // The shape meterRecords and decodeMeter read; the application data is a view (records copy what they keep).
    const t: DecodedTelegram = {
      link, ci: ell ? ell.ci : inner.tpl.ci, radioAddress: link.address, meterAddress,
      tpl: inner.tpl, encrypted: verified !== 'none', decrypted: verified !== 'none', applicationData,
    };
    if (ell) t.ell = ell;
    if (inner.afl) t.afl = inner.afl;
    const driver = opts?.driver;
    let reading;
    try {
      const records = meterRecords(t, cacheOf(meterAddress));
      if (records.status === 'needs-full-frame') return { kind: 'needs-full-frame', meter, signature: records.signature };
      reading = decodeMeter(t, records.records, driver === undefined ? {} : { driver });
    } catch (e) {
      return bad(e, meter, 0, 'application-data');
    }
    const out: TelegramOutcome = {
      kind: 'reading', meter, driver: reading.driver, media: mediaOf(meter.deviceType), fields: reading.fields, verified,
      accessNumber: inner.tpl.acc ?? ell?.acc ?? 0,
    };
    const frameCounter = counterOf(inner.afl);
    if (frameCounter !== undefined) out.frameCounter = frameCounter;
    return out;
  }

  /** Whether the byte-reversed form of one of `keys` passes the ELL payload CRC. */
  function ellReversedFits(t: Buffer, linkAddress: Buffer, ell: EllHeader, snPos: number, keys: readonly Buffer[]): boolean {
    for (const k of keys) {
      if (k.length !== 16) continue;
      const reversed = Buffer.from(k).reverse();
      try {
        if (ellPlain(t, linkAddress, ell, snPos, reversed)) return true;
      } finally {
        reversed.fill(0);
      }
    }
    return false;
  }

  /** Whether the byte-reversed form of one of `keys` decrypts the TPL (2F2F, MAC). */
  function tplReversedFits(inner: Inner, meterAddress: MeterAddress, keys: readonly Buffer[]): boolean {
    for (const k of keys) {
      if (k.length !== 16) continue;
      const reversed = Buffer.from(k).reverse();
      try {
        if (tplPlain(inner, meterAddress, reversed)) return true;
      } finally {
        reversed.fill(0);
      }
    }
    return false;
  }

  // Per read: the meter once known (for a bad-telegram outcome) and the offset of the buffer the
  // later layers read (the ELL plaintext starts at the payload CRC), so that error offsets stay in the telegram.
  let meter: MeterIdentity | undefined;
  let base = 0;

  function read(telegram: Buffer, keysFor: KeysFor, opts?: { driver?: string }): TelegramOutcome {
    meter = undefined;
    base = 0;
    try {
      return readOrThrow(telegram, keysFor, opts);
    } catch (e) {
      return bad(e, meter, base, 'telegram');
    }
  }

  function readOrThrow(telegram: Buffer, keysFor: KeysFor, opts: { driver?: string } | undefined): TelegramOutcome {
    checkLength(telegram);
    const link: LinkHeader = { length: telegram[0] as number, c: telegram[1] as number, address: parseAddress(telegram, 2) };
    const ci = telegram[HEADER] as number;
    if (ci < 0x8c || ci > 0x8f) return afterTplHeader(link, undefined, innerAt(telegram, HEADER), keysFor, opts);
    let p = HEADER + 1;
    if (p + 2 > telegram.length) throw new WmbusError('truncated', p, `ELL CC/ACC: needs 2 bytes at offset ${p}, telegram has ${telegram.length}`);
    const ell: EllHeader = { ci, cc: telegram[p] as number, acc: telegram[p + 1] as number };
    p += 2;
    if (ci === 0x8e || ci === 0x8f) {
      ell.targetAddress = parseAddress(telegram, p);
      p += 8;
    }
    if (ci === 0x8d || ci === 0x8f) {
      if (p + 6 > telegram.length) throw new WmbusError('truncated', p, `ELL SN and payload CRC: needs 6 bytes at offset ${p}, telegram has ${telegram.length}`);
      const raw = telegram.readUInt32LE(p);
      const encryption = raw >>> 29;
      ell.sessionNumber = { raw, session: raw & 0x0f, time: (raw >>> 4) & 0x1ffffff, encryption };
      if (encryption !== 0 && encryption !== ELL_AES_CTR) throw new WmbusError('unsupported-security-mode', p, `ELL encryption ${encryption} is not supported`);
      const snPos = p;
      const crcPos = p + 4;
      if (encryption === ELL_AES_CTR) return ellEncrypted(telegram, link, ell, snPos, keysFor, opts);
      if (crc16En13757(telegram, crcPos + 2) !== telegram.readUInt16LE(crcPos)) throw new WmbusError('bad-crc', crcPos, 'ELL payload CRC does not match');
      p = crcPos + 2;
    }
    if (p >= telegram.length) throw new WmbusError('truncated', p, `CI field after the ELL: needs 1 bytes at offset ${p}, telegram has ${telegram.length}`);
    return afterTplHeader(link, ell, innerAt(telegram, p), keysFor, opts);
  }

  /** Kamstrup C1: everything from the payload CRC on is AES-CTR; the CRC over the plaintext verifies the key. */
  function ellEncrypted(telegram: Buffer, link: LinkHeader, ell: EllHeader, snPos: number, keysFor: KeysFor, opts: { driver?: string } | undefined): TelegramOutcome {
    // The TPL is inside the ciphertext: keys belong to the radio address here.
    const m = identityOf(link.address);
    meter = m;
    const keys = keysFor(m);
    if (keys.length === 0) return { kind: 'no-key', meter: m };
    const crcPos = snPos + 4;
    for (const k of keys) {
      const key = aesKey(k);
      const plain = key && ellPlain(telegram, link.address.bytes, ell, snPos, key);
      if (!plain) continue;
      base = crcPos;
      if (plain.length < 3) throw new WmbusError('truncated', 2, 'CI field after the ELL: needs 1 bytes at offset 2');
      const inner = innerAt(plain, 2);
      const meterAddress = inner.tpl.meterAddress ?? link.address;
      if (inner.tpl.securityMode === 0) {
        base = 0;
        return finish(link, ell, inner, meterAddress, m, plain.subarray(inner.dataOffset), 'crc', opts);
      }
      const data = tplPlain(inner, meterAddress, key as Buffer);
      base = 0;
      if (data) return finish(link, ell, inner, meterAddress, m, data, '2f2f', opts);
    }
    return { kind: 'key-refused', meter: m, reversedKeyFits: ellReversedFits(telegram, link.address.bytes, ell, snPos, keys) };
  }

  function afterTplHeader(link: LinkHeader, ell: EllHeader | undefined, inner: Inner, keysFor: KeysFor, opts: { driver?: string } | undefined): TelegramOutcome {
    const meterAddress = inner.tpl.meterAddress ?? link.address;
    const m = identityOf(meterAddress);
    meter = m;
    if (inner.tpl.securityMode === 0) return finish(link, ell, inner, meterAddress, m, inner.buf.subarray(inner.dataOffset), 'none', opts);
    const keys = keysFor(m);
    if (keys.length === 0) return { kind: 'no-key', meter: m };
    for (const k of keys) {
      const key = aesKey(k);
      const data = key && tplPlain(inner, meterAddress, key);
      if (data) return finish(link, ell, inner, meterAddress, m, data, '2f2f', opts);
    }
    return { kind: 'key-refused', meter: m, reversedKeyFits: tplReversedFits(inner, meterAddress, keys) };
  }

  return { read };
}
