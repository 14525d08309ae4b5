import type { Fields } from '../wmbus/meters/fields.js';
import { generalGloParts, InvocationCounters, SC_AUTHENTICATED, unprotect, type SecurityKeys } from './cipher.js';
import { DlmsError, isDlmsError } from './errors.js';
import { decodeHdlcFrame, HDLC_FLAG } from './hdlc-frame.js';
import { dataNotificationHead, decodeDataNotification, DATA_NOTIFICATION, PlaintextNotification, type DataNotification } from './notification-apdu.js';
import type { CosemObject } from './obis-fields.js';
import { pushObjects } from './push-objects.js';
import { tapePushObjects } from './push-tape.js';

// The gateway's pipeline for DLMS pushes, the twin of drivers/wmbus/pipeline.ts: an HDLC frame (or
// a bare APDU) in, an outcome out; never throws, no clock, no I/O.
//   HDLC frame → LLC stripped → general-glo-ciphering → keys for the system title → tag verified
//   and decrypted → invocation counter above the last one for that title → DataNotification →
//   COSEM objects named and scaled → reading fields.
// A plain DataNotification (a Nordic HAN port) gives a reading with `verified: 'none'`; an
// encryption-only one (SC 0x20/0x21) `verified: 'encryption-only'`: the consumer decides what to
// trust. Offsets of errors count in the bytes passed (`where: 'frame'` for a frame), or in the
// plaintext for what is wrong after decryption.

export type PushVerification = 'gcm-tag' | 'none' | 'encryption-only';

export type PushOutcome =
  | {
      kind: 'reading';
      systemTitle: Buffer | null;
      invocationCounter: number | null;
      verified: PushVerification;
      notification: DataNotification;
      objects: CosemObject[];
      fields: Fields;
    }
  /** A segment of a push split over several HDLC frames; the reading comes with the last. */
  | { kind: 'segment'; received: number }
  | { kind: 'error'; error: DlmsError; systemTitle?: Buffer };

export type KeysForTitle = (systemTitle: Buffer) => SecurityKeys | undefined;

export interface PushReader {
  read(bytes: Uint8Array, keysFor: KeysForTitle): PushOutcome;
}

/** Segments are collected for at most this many sources and this many bytes each (the largest APDU a meter pushes). */
export const PUSH_MAX_SOURCES = 64;
export const PUSH_MAX_APDU = 65_535;

const LLC = [0xe6, 0xe7, 0x00];
const LLC_CLIENT = [0xe6, 0xe6, 0x00];

function hasLlc(info: Buffer): boolean {
  return info.length >= 3 && info[0] === 0xe6 && (info[1] === LLC[1] || info[1] === LLC_CLIENT[1]) && info[2] === 0x00;
}

/** The error with its offset moved by `by` and counted in `where` (an error found in an inner part); frame errors stay. */
function rebased(e: DlmsError, by: number, where: 'frame' | 'apdu'): DlmsError {
  if (e.where !== 'apdu' || (by === 0 && where === 'apdu')) return e;
  return new DlmsError(e.code, e.offset + by, e.message, where);
}

/** 'KAM' and the decimal of the last five bytes, as the core's device serial (the Green Book's system title layout). */
export function meterOfSystemTitle(st: Buffer): { manufacturer: string; serial: string } {
  if (st.length !== 8) throw new DlmsError('bad-length', 0, `a system title is 8 bytes, not ${st.length}`);
  const letters = st.toString('latin1', 0, 3);
  const manufacturer = /^[A-Z]{3}$/i.test(letters) ? letters.toUpperCase() : st.toString('hex', 0, 3).toUpperCase();
  let serial = 0;
  for (let i = 3; i < 8; i++) serial = serial * 256 + (st[i] as number);
  return { manufacturer, serial: String(serial) };
}

// The hex of a system title (the replay guard's key), kept in a small direct-mapped cache by its
// eight bytes: a meter pushes every few seconds, and the same string is then already hashed for
// the guard's Map. Bounded: a colliding title replaces the one in its slot.
const TITLE_SLOTS = 1_024;
const titleHi = new Int32Array(TITLE_SLOTS);
const titleLo = new Int32Array(TITLE_SLOTS);
const titleText: Array<string | undefined> = new Array<string | undefined>(TITLE_SLOTS).fill(undefined);

function titleHex(st: Buffer): string {
  const hi = ((st[0] as number) << 24) | ((st[1] as number) << 16) | ((st[2] as number) << 8) | (st[3] as number);
  const lo = ((st[4] as number) << 24) | ((st[5] as number) << 16) | ((st[6] as number) << 8) | (st[7] as number);
  const slot = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 22; // 0 … 1023
  const cached = titleText[slot];
  if (cached !== undefined && titleHi[slot] === hi && titleLo[slot] === lo) return cached;
  const text = st.toString('hex');
  titleHi[slot] = hi;
  titleLo[slot] = lo;
  titleText[slot] = text;
  return text;
}

/** Where an APDU lies in the bytes the caller passed, so its errors count there. */
interface Place {
  /** Offset of the APDU in the caller's bytes. */
  at: number;
  where: 'frame' | 'apdu';
}

function errorOutcome(e: unknown, place: Place, systemTitle?: Buffer): PushOutcome {
  const error = asDlmsError(e);
  const moved = error.where === 'plaintext' ? error : rebased(error, place.at, place.where);
  return systemTitle ? { kind: 'error', error: moved, systemTitle } : { kind: 'error', error: moved };
}

export function createPushReader(o: { counters?: InvocationCounters } = {}): PushReader {
  const counters = o.counters ?? new InvocationCounters();
  const segments = new Map<string, { parts: Buffer[]; size: number }>();

  function readCiphered(apdu: Buffer, keysFor: KeysForTitle, place: Place): PushOutcome {
    const parts = generalGloParts(apdu);
    const contentAt = parts.contentAt;
    const systemTitle = Buffer.from(parts.systemTitle); // the outcome's own copy
    const content = apdu.subarray(contentAt);
    try {
      const keys = keysFor(systemTitle);
      if (keys === undefined) throw new DlmsError('no-key', 2, `no keys for system title ${systemTitle.toString('hex')}`);
      let opened;
      try {
        opened = unprotect({ systemTitle, content, keys });
      } catch (e) {
        throw isDlmsError(e) ? rebased(e, contentAt, 'apdu') : e;
      }
      counters.accept(titleHex(systemTitle), opened.invocationCounter, contentAt + 1);
      const verified: PushVerification = (opened.sc & SC_AUTHENTICATED) !== 0 ? 'gcm-tag' : 'encryption-only';
      const plaintext = opened.plaintext;
      const head = dataNotificationHead(plaintext, 'plaintext');
      // The fast path (push-tape.ts) for the bodies it takes; the generic one for the rest and for errors.
      const fast = tapePushObjects(plaintext, head.bodyAt);
      if (fast !== undefined) {
        const notification = new PlaintextNotification(plaintext, head.longInvokeIdAndPriority, head.bodyAt);
        return { kind: 'reading', systemTitle, invocationCounter: opened.invocationCounter, verified, notification, objects: fast.objects, fields: fast.fields };
      }
      const notification = decodeDataNotification(plaintext, 'plaintext');
      return { kind: 'reading', systemTitle, invocationCounter: opened.invocationCounter, verified, notification, ...pushObjects(notification.body) };
    } catch (e) {
      return errorOutcome(e, place, systemTitle);
    }
  }

  function readApdu(apdu: Buffer, keysFor: KeysForTitle, place: Place): PushOutcome {
    try {
      const tag = apdu[0];
      if (tag === 0xdb) return readCiphered(apdu, keysFor, place);
      if (tag !== DATA_NOTIFICATION) {
        const code = tag === 0xdc || tag === 0xdd ? 'unsupported' : tag === undefined ? 'truncated' : 'bad-tag';
        throw new DlmsError(code, 0, `APDU 0x${(tag ?? 0).toString(16)} is not a DataNotification, plain (0x0f) or general-glo-ciphered (0xdb)`);
      }
      const notification = decodeDataNotification(apdu);
      return { kind: 'reading', systemTitle: null, invocationCounter: null, verified: 'none', notification, ...pushObjects(notification.body) };
    } catch (e) {
      return errorOutcome(e, place);
    }
  }

  function readFrame(bytes: Uint8Array, keysFor: KeysForTitle): PushOutcome {
    const frame = decodeHdlcFrame(bytes);
    const kind = frame.control.kind;
    if (kind !== 'UI' && kind !== 'I') throw new DlmsError('protocol', 0, `an HDLC ${kind} frame carries no push`, 'frame');
    const flagged = bytes[0] === HDLC_FLAG;
    const infoAt = bytes.length - (flagged ? 3 : 2) - frame.info.length;
    const key = `${frame.src.upper}/${frame.src.lower ?? ''}>${frame.dest.upper}`;
    const pending = segments.get(key);
    if (!frame.segmented && pending === undefined) {
      const llc = hasLlc(frame.info) ? 3 : 0;
      return readApdu(frame.info.subarray(llc), keysFor, { at: infoAt + llc, where: 'frame' });
    }
    // A push over several frames: the LLC opens the first; offsets then count in the whole APDU.
    const part = pending === undefined && hasLlc(frame.info) ? frame.info.subarray(3) : frame.info;
    const parts = pending ?? { parts: [], size: 0 };
    parts.parts.push(part);
    parts.size += part.length;
    if (parts.size > PUSH_MAX_APDU) {
      segments.delete(key);
      throw new DlmsError('bad-length', 0, `segmented push of more than ${PUSH_MAX_APDU} bytes`, 'frame');
    }
    if (frame.segmented) {
      if (pending === undefined) {
        if (segments.size >= PUSH_MAX_SOURCES) {
          const oldest = segments.keys().next();
          if (!oldest.done) segments.delete(oldest.value);
        }
        segments.set(key, parts);
      }
      return { kind: 'segment', received: parts.size };
    }
    segments.delete(key);
    return readApdu(Buffer.concat(parts.parts), keysFor, { at: 0, where: 'apdu' });
  }

  return {
    read(bytes, keysFor) {
      try {
        if (bytes.length === 0) throw new DlmsError('truncated', 0, 'no bytes');
        if (bytes[0] === HDLC_FLAG) return readFrame(bytes, keysFor);
        return readApdu(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), keysFor, { at: 0, where: 'apdu' });
      } catch (e) {
        return errorOutcome(e, { at: 0, where: bytes[0] === HDLC_FLAG ? 'frame' : 'apdu' });
      }
    },
  };
}

function asDlmsError(e: unknown): DlmsError {
  if (isDlmsError(e)) return e;
  // Not a DlmsError: a fault of this driver, never of the bytes; said as such (the fuzz test looks for it).
  return new DlmsError('protocol', 0, `internal: ${e instanceof Error ? e.message : String(e)}`);
}
