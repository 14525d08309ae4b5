import { createCipheriv, createDecipheriv } from 'node:crypto';
import { encodeLength, readLength } from './ber.js';
import { DlmsError, need } from './errors.js';

export { INVOCATION_COUNTERS_MAX, InvocationCounters } from './counters.js';

// Security suite 0 (and the symmetric part of suite 1): AES-128-GCM from node:crypto, as
// docs/protocols/dlms.md "Ciphering (security suite 0, AES-128-GCM)" describes. The "ciphered
// content" is SC | IC (4) | ciphertext | tag (12); IV = system title ‖ IC. A tag that does not verify
// is DlmsError 'tag-mismatch' and the decrypted bytes are wiped before the error leaves: a caller
// never sees plaintext that was not proven. Copies of a key made here (the AAD holds AK) are wiped.

export interface SecurityKeys {
  /** GUEK, the global unicast encryption key (16 bytes). */
  ek?: Buffer;
  /** GAK, the authentication key (16 bytes). */
  ak?: Buffer;
}

export const SC_AUTHENTICATED = 0x10;
export const SC_ENCRYPTED = 0x20;
const SC_BROADCAST = 0x40;
const SC_COMPRESSED = 0x80;
const TAG_LENGTH = 12;
const HEADER = 5; // SC | IC

function checkSc(sc: number, offset: number): void {
  if (sc & SC_COMPRESSED) throw new DlmsError('unsupported', offset, `security control 0x${sc.toString(16)}: compression is not supported`);
  const suite = sc & 0x0f;
  // Suite 1 and 0 share AES-128-GCM for the APDU; suite 2 is AES-256.
  if (suite > 1) throw new DlmsError('unsupported', offset, `security suite ${suite} is not supported (0 and 1 are)`);
  if ((sc & (SC_AUTHENTICATED | SC_ENCRYPTED)) === 0) throw new DlmsError('unsupported', offset, `security control 0x${sc.toString(16)} protects nothing`);
  void SC_BROADCAST; // bit 6 only says which key the sender used: the caller's keysFor chose it
}

function keyOf(keys: SecurityKeys, which: 'ek' | 'ak', offset: number): Buffer {
  const key = keys[which];
  if (key === undefined) throw new DlmsError('no-key', offset, `no ${which === 'ek' ? 'encryption key (GUEK)' : 'authentication key (GAK)'} for this system title`);
  if (key.length !== 16) throw new DlmsError('bad-value', offset, `the ${which === 'ek' ? 'encryption' : 'authentication'} key is ${key.length} bytes, not 16`);
  return key;
}

// One IV and one SC ‖ AK buffer reused by unprotect: node:crypto copies both when the decipher is
// made and the AAD is given (synchronously), and the AAD is wiped after each use. A push reader
// unprotects thousands of APDUs a second; two allocations fewer each is measurable.
const SCRATCH_IV = Buffer.alloc(12);
const SCRATCH_AAD = Buffer.alloc(17);

function ivOf(systemTitle: Uint8Array, invocationCounter: number, into = Buffer.allocUnsafe(12)): Buffer {
  if (systemTitle.length !== 8) throw new DlmsError('bad-length', 0, `a system title is 8 bytes, not ${systemTitle.length}`);
  if (!Number.isInteger(invocationCounter) || invocationCounter < 0 || invocationCounter > 0xffffffff) {
    throw new DlmsError('bad-value', 0, `invocation counter ${invocationCounter} is out of range`);
  }
  into.set(systemTitle, 0);
  into.writeUInt32BE(invocationCounter, 8);
  return into;
}

/** SC ‖ AK (‖ extra): a copy of AK, to be wiped by the caller. */
function aadOf(sc: number, ak: Buffer, extra?: Uint8Array): Buffer {
  const aad = extra === undefined && ak.length === 16 ? SCRATCH_AAD : Buffer.allocUnsafe(1 + ak.length + (extra?.length ?? 0));
  aad[0] = sc;
  aad.set(ak, 1);
  if (extra) aad.set(extra, 1 + ak.length);
  return aad;
}

/** AES-128-CTR from IV ‖ 00000002: GCM's keystream, for encryption-only content (no tag). */
function ctr(ek: Buffer, iv: Buffer, data: Uint8Array): Buffer {
  const counter = Buffer.alloc(16);
  iv.copy(counter, 0);
  counter[15] = 2;
  const c = createCipheriv('aes-128-ctr', ek, counter);
  return Buffer.concat([c.update(data), c.final()]);
}

/** SC | IC | CT | tag (the tag only when SC has A). */
export function protect(o: { sc: number; systemTitle: Buffer; invocationCounter: number; keys: SecurityKeys; plaintext: Buffer }): Buffer {
  const { sc, plaintext } = o;
  if (!Number.isInteger(sc) || sc < 0 || sc > 0xff) throw new DlmsError('bad-value', 0, `security control ${sc} is not a byte`);
  checkSc(sc, 0);
  const iv = ivOf(o.systemTitle, o.invocationCounter);
  const head = Buffer.from([sc, 0, 0, 0, 0]);
  head.writeUInt32BE(o.invocationCounter, 1);
  const a = (sc & SC_AUTHENTICATED) !== 0;
  const e = (sc & SC_ENCRYPTED) !== 0;
  if (!a) return Buffer.concat([head, ctr(keyOf(o.keys, 'ek', 0), iv, plaintext)]);
  const ek = keyOf(o.keys, 'ek', 0);
  const aad = aadOf(sc, keyOf(o.keys, 'ak', 0), e ? undefined : plaintext);
  try {
    const c = createCipheriv('aes-128-gcm', ek, iv, { authTagLength: TAG_LENGTH });
    c.setAAD(aad);
    const body = e ? c.update(plaintext) : Buffer.alloc(0);
    c.final();
    return Buffer.concat([head, e ? body : plaintext, c.getAuthTag()]);
  } finally {
    aad.fill(0);
  }
}

/**
 * Verifies and decrypts SC | IC | CT | tag. DlmsError 'tag-mismatch' (wrong key or altered
 * bytes), 'no-key', 'truncated', 'unsupported'; offsets count in `content`.
 */
export function unprotect(o: { systemTitle: Uint8Array; content: Uint8Array; keys: SecurityKeys }): { sc: number; invocationCounter: number; plaintext: Buffer } {
  const { content } = o;
  need(content, 0, HEADER, 'security header');
  const sc = content[0] as number;
  checkSc(sc, 0);
  const invocationCounter = (((content[1] as number) << 24) >>> 0) + (((content[2] as number) << 16) | ((content[3] as number) << 8) | (content[4] as number));
  const iv = ivOf(o.systemTitle, invocationCounter, SCRATCH_IV);
  const a = (sc & SC_AUTHENTICATED) !== 0;
  const e = (sc & SC_ENCRYPTED) !== 0;
  if (!a) {
    return { sc, invocationCounter, plaintext: ctr(keyOf(o.keys, 'ek', 0), iv, content.subarray(HEADER)) };
  }
  need(content, HEADER, TAG_LENGTH, 'authentication tag');
  const tagAt = content.length - TAG_LENGTH;
  const body = content.subarray(HEADER, tagAt);
  const ek = keyOf(o.keys, 'ek', 0);
  const aad = aadOf(sc, keyOf(o.keys, 'ak', 0), e ? undefined : body);
  let plaintext: Buffer | undefined;
  try {
    const d = createDecipheriv('aes-128-gcm', ek, iv, { authTagLength: TAG_LENGTH });
    d.setAAD(aad);
    d.setAuthTag(content.subarray(tagAt));
    plaintext = e ? d.update(body) : Buffer.from(body);
    d.final();
    return { sc, invocationCounter, plaintext };
  } catch {
    plaintext?.fill(0);
    throw new DlmsError('tag-mismatch', tagAt, 'the authentication tag does not verify: wrong key, or the bytes were altered');
  } finally {
    aad.fill(0);
  }
}

/** HLS-GMAC (mechanism 5): SC 0x10 | IC | GMAC tag (12) over SC ‖ AK ‖ challenge, IV = system title ‖ IC. */
export function hlsGmac(o: { systemTitle: Buffer; invocationCounter: number; ak: Buffer; ek: Buffer; challenge: Buffer }): Buffer {
  const full = protect({ sc: SC_AUTHENTICATED, systemTitle: o.systemTitle, invocationCounter: o.invocationCounter, keys: { ek: o.ek, ak: o.ak }, plaintext: o.challenge });
  // protect gives SC | IC | challenge | tag; the HLS reply is SC | IC | tag.
  return Buffer.concat([full.subarray(0, HEADER), full.subarray(full.length - TAG_LENGTH)]);
}

export const GENERAL_GLO_CIPHERING = 0xdb;

/** Tags of the service-specific glo-ciphered APDUs (docs/protocols/dlms.md "xDLMS APDU tags"). */
export const GLO_TAGS: ReadonlyMap<number, string> = new Map([
  [0x21, 'glo-initiate-request'], [0x28, 'glo-initiate-response'],
  [0xc8, 'glo-get-request'], [0xc9, 'glo-set-request'], [0xca, 'glo-event-notification-request'], [0xcb, 'glo-action-request'],
  [0xcc, 'glo-get-response'], [0xcd, 'glo-set-response'], [0xcf, 'glo-action-response'],
]);

/** DB | 08 | system title | length | content. */
export function wrapGeneralGlo(systemTitle: Buffer, content: Buffer): Buffer {
  if (systemTitle.length !== 8) throw new DlmsError('bad-value', 0, `a system title is 8 bytes, not ${systemTitle.length}`);
  return Buffer.concat([Buffer.from([GENERAL_GLO_CIPHERING, 8]), systemTitle, encodeLength(content.length), content]);
}

/** The system title and the ciphered content of a general-glo-ciphering APDU (bytes after it are refused). */
export function unwrapGeneralGlo(apdu: Uint8Array): { systemTitle: Buffer; content: Buffer } {
  const { systemTitle, contentAt } = generalGloParts(apdu);
  return { systemTitle: Buffer.from(systemTitle), content: Buffer.from(apdu.subarray(contentAt)) };
}

/**
 * The parts of a general-glo-ciphering APDU as views into it (no copies: the push reader's path);
 * the content runs from `contentAt` to the end.
 */
export function generalGloParts(apdu: Uint8Array): { systemTitle: Uint8Array; contentAt: number } {
  need(apdu, 0, 2, 'general-glo-ciphering');
  if (apdu[0] !== GENERAL_GLO_CIPHERING) throw new DlmsError('bad-tag', 0, `APDU tag 0x${(apdu[0] as number).toString(16)} is not general-glo-ciphering (0xdb)`);
  if (apdu[1] !== 8) throw new DlmsError('bad-length', 1, `a system title is 8 bytes, not ${apdu[1] as number}`);
  need(apdu, 2, 8, 'system title');
  const { length, end } = readLength(apdu, 10);
  need(apdu, end, length, 'ciphered content');
  if (end + length !== apdu.length) throw new DlmsError('bad-length', 10, `the ciphered content is ${length} bytes but ${apdu.length - end} follow`);
  return { systemTitle: apdu.subarray(2, 10), contentAt: end };
}

/** TAG | length | content for a service-specific glo APDU (C8, CC, 21 …). */
export function wrapGlo(serviceTag: number, content: Buffer): Buffer {
  if (!GLO_TAGS.has(serviceTag)) throw new DlmsError('bad-value', 0, `0x${serviceTag.toString(16)} is not a glo-ciphered APDU tag`);
  return Buffer.concat([Buffer.from([serviceTag]), encodeLength(content.length), content]);
}

export function unwrapGlo(apdu: Uint8Array): { serviceTag: number; content: Buffer } {
  need(apdu, 0, 1, 'glo APDU');
  const serviceTag = apdu[0] as number;
  if (!GLO_TAGS.has(serviceTag)) throw new DlmsError('bad-tag', 0, `APDU tag 0x${serviceTag.toString(16)} is not a glo-ciphered APDU`);
  const { length, end } = readLength(apdu, 1);
  need(apdu, end, length, 'ciphered content');
  if (end + length !== apdu.length) throw new DlmsError('bad-length', 1, `the ciphered content is ${length} bytes but ${apdu.length - end} follow`);
  return { serviceTag, content: Buffer.from(apdu.subarray(end, end + length)) };
}
