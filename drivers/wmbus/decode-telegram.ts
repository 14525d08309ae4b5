import { parseAfl, type AflHeader } from './afl.js';
import { parseEll, type EllHeader } from './ell.js';
import { WmbusError, need } from './errors.js';
import { parseAddress, strippedView, type CrcOption, type LinkHeader, type MeterAddress } from './link-layer.js';
import { decryptTpl, parseTplHeader, type TplHeader } from './tpl.js';

// The whole telegram, layer by layer: link → [ELL] → [AFL] → TPL → application data. Encryption is
// undone only with a key, and only after it has been verified (ELL payload CRC, AFL MAC, 2F2F).

export type DecodeOptions = CrcOption & { key?: Uint8Array };

export interface DecodedTelegram {
  link: LinkHeader;
  /** The CI field right after the link header. */
  ci: number;
  ell?: EllHeader;
  afl?: AflHeader;
  /** Absent only when an encrypted ELL hides it (no key given). */
  tpl?: TplHeader;
  /** The address of the radio header (the link layer). */
  radioAddress: MeterAddress;
  /** The meter's address: the TPL long header's when present, else the radio one. Keys belong to it. */
  meterAddress: MeterAddress;
  encrypted: boolean;
  decrypted: boolean;
  /** Plaintext application data (records or compact frame), or null while still encrypted. */
  applicationData: Buffer | null;
}

const AFL_CI = 0x90;

function checkKey(key: Uint8Array | undefined): Buffer | undefined {
  if (key === undefined) return undefined;
  if (key.length !== 16) throw new WmbusError('bad-key', 0, `an AES-128 key is 16 bytes, got ${key.length}`);
  // Only ever read (by node:crypto), so a view of the caller's key does.
  return Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
}

export function decodeTelegram(bytes: Uint8Array, opts: DecodeOptions): DecodedTelegram {
  const key = checkKey(opts.key);
  // A view of the caller's bytes when they come stripped: only read here, and everything handed out
  // (addresses, AFL fields, application data) is copied.
  const telegram = strippedView(bytes, opts);
  const link: LinkHeader = { length: telegram[0] ?? 0, c: telegram[1] ?? 0, address: parseAddress(telegram, 2) };
  let t = telegram;
  let p = 10;
  need(t, p, 1, 'CI field');
  const ci = t[p] ?? 0;
  let ell: EllHeader | undefined;
  let ellEncrypted = false;
  if (ci >= 0x8c && ci <= 0x8f) {
    const r = parseEll(t, p, link.address.bytes, key);
    ell = r.header;
    ellEncrypted = r.encrypted;
    if (r.encrypted && !r.decrypted) {
      return { link, ci, radioAddress: link.address, meterAddress: link.address, ell, encrypted: true, decrypted: false, applicationData: null };
    }
    t = r.payload;
    p = r.next;
    need(t, p, 1, 'CI field after the ELL');
  }
  let afl: AflHeader | undefined;
  if (t[p] === AFL_CI) {
    const r = parseAfl(t, p);
    afl = r.header;
    p = r.next;
    need(t, p, 1, 'CI field after the AFL');
  }
  const { header: tpl, next } = parseTplHeader(t, p);
  const meterAddress = tpl.meterAddress ?? link.address;
  // Built property by property, in the order the spread version had: link ci radioAddress meterAddress [ell] [afl] tpl ….
  const out = { link, ci, radioAddress: link.address, meterAddress } as DecodedTelegram;
  if (ell) out.ell = ell;
  if (afl) out.afl = afl;
  out.tpl = tpl;
  if (tpl.securityMode === 0) {
    out.encrypted = ellEncrypted;
    out.decrypted = ellEncrypted;
    out.applicationData = Buffer.from(t.subarray(next));
    return out;
  }
  if (!key) {
    out.encrypted = true;
    out.decrypted = false;
    out.applicationData = null;
    return out;
  }
  const applicationData = decryptTpl({ telegram: t, tplOffset: p, dataOffset: next, tpl, meterAddress: meterAddress.bytes, afl, key });
  out.encrypted = true;
  out.decrypted = true;
  out.applicationData = applicationData;
  return out;
}

export type KeyCheck =
  | { status: 'not-encrypted' }
  | { status: 'key-ok' }
  | { status: 'reversed-key' }
  | { status: 'does-not-decrypt' };

/**
 * Key guidance: does the key decrypt the telegram, or would its byte-reversed form (a common mix-up
 * when keys are copied between tools)? Malformed telegrams still throw their WmbusError.
 */
export function tryReversedKey(bytes: Uint8Array, opts: CrcOption & { key: Uint8Array }): KeyCheck {
  const attempt = (key: Uint8Array): DecodedTelegram | null => {
    try {
      return decodeTelegram(bytes, { ...opts, key });
    } catch (e) {
      if (e instanceof WmbusError && e.code === 'does-not-decrypt') return null;
      throw e;
    }
  };
  const straight = attempt(opts.key);
  if (straight) return straight.encrypted ? { status: 'key-ok' } : { status: 'not-encrypted' };
  return attempt(Buffer.from(opts.key).reverse()) ? { status: 'reversed-key' } : { status: 'does-not-decrypt' };
}
