import { NONCE_BYTES, TAG_BYTES } from './aead.js';

// The self-describing ciphertext (docs/style.md 11, docs/crypto.md):
//
//   oek1.A256GCM.<keyId>.<nonce, base64url>.<ciphertext and tag, base64url>
//
// The header (format version, algorithm, key id) is part of the associated data of every
// seal, so a ciphertext cannot be relabelled to another key or algorithm. The parser is strict:
// anything that is not exactly this shape is rejected before any key is looked up.

export const FORMAT = 'oek1';
export const ALGORITHM = 'A256GCM';
/** Longest envelope the parser reads: far above any key we store, far below a DoS. */
export const MAX_ENVELOPE_LENGTH = 16 * 1024;

export interface Envelope {
  /** `oek1.A256GCM.<keyId>`: bound into the AAD. */
  header: string;
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

/** The parsed fields directly on the result: one object per key read, not two. */
export type EnvelopeParse = (Envelope & { ok: true }) | { ok: false; reason: string };

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PREFIX = `${FORMAT}.${ALGORITHM}.`;
const NONCE_CHARS = 16; // 12 bytes exactly
const MIN_BODY_CHARS = 23; // 17 bytes: at least one byte of ciphertext before the tag
const DOT = 0x2e;

export function isKeyId(value: string): boolean {
  return KEY_ID.test(value);
}

export function envelopeHeader(keyId: string): string {
  if (!KEY_ID.test(keyId)) throw new RangeError('key ids are 1-64 characters of [A-Za-z0-9_-]');
  return `${PREFIX}${keyId}`;
}

export function formatEnvelope(input: { keyId: string; nonce: Buffer; ciphertext: Buffer }): string {
  if (input.nonce.length !== NONCE_BYTES) throw new RangeError(`nonces are ${NONCE_BYTES} bytes`);
  if (input.ciphertext.length <= TAG_BYTES) throw new RangeError('ciphertext shorter than its tag');
  return `${envelopeHeader(input.keyId)}.${input.nonce.toString('base64url')}.${input.ciphertext.toString('base64url')}`;
}

const malformed = (reason: string): EnvelopeParse => ({ ok: false, reason });

// base64url without padding, decoded here rather than by Buffer.from: the decoder is strict
// (any character outside the alphabet, or non-zero bits after the last byte, is an error —
// Buffer.from skips foreign characters and accepts '+' and '/') and reads the envelope in place,
// without cutting it into strings first. It runs for every key read.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SEXTETS = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) SEXTETS[ALPHABET.charCodeAt(i)] = i;

/** Decodes text[start, end) into out[at, at + bytes); false unless it is exactly that. */
function decodeInto(text: string, start: number, end: number, out: Buffer, at: number, bytes: number): boolean {
  let acc = 0;
  let bits = 0;
  let o = at;
  const stop = at + bytes;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const sextet = c < 128 ? (SEXTETS[c] ?? -1) : -1;
    if (sextet < 0) return false;
    acc = ((acc << 6) | sextet) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o === stop) return false;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return o === stop && (acc & ((1 << bits) - 1)) === 0;
}

const MAX_KEY_ID = 64;

/**
 * Where the key id ends (the header is text[0, keyEnd)), or why the text is not an envelope.
 * Structure and key id only; the two base64 fields are checked as they are decoded. The key id
 * alphabet is the base64url alphabet, so the decoder's table checks it without cutting it out.
 */
function locate(text: string): number | 'shape' | 'encoding' | 'key id' {
  if (typeof text !== 'string' || text.length > MAX_ENVELOPE_LENGTH || !text.startsWith(PREFIX)) return 'shape';
  const keyEnd = text.indexOf('.', PREFIX.length);
  const nonceEnd = keyEnd + 1 + NONCE_CHARS;
  const bodyChars = text.length - nonceEnd - 1;
  if (keyEnd < 0 || text.charCodeAt(nonceEnd) !== DOT || bodyChars < MIN_BODY_CHARS) return 'shape';
  // A base64 text of length 4n+1 cannot come from any byte string.
  if (bodyChars % 4 === 1) return 'encoding';
  if (keyEnd === PREFIX.length || keyEnd - PREFIX.length > MAX_KEY_ID) return 'key id';
  for (let i = PREFIX.length; i < keyEnd; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || (SEXTETS[c] ?? -1) < 0) return 'key id';
  }
  return keyEnd;
}

const bodyBytesOf = (text: string, keyEnd: number): number => Math.floor(((text.length - keyEnd - 2 - NONCE_CHARS) * 3) / 4);

export function parseEnvelope(text: string): EnvelopeParse {
  const keyEnd = locate(text);
  if (typeof keyEnd === 'string') return malformed(keyEnd);
  const nonceEnd = keyEnd + 1 + NONCE_CHARS;
  const nonce = Buffer.allocUnsafe(NONCE_BYTES);
  const ciphertext = Buffer.allocUnsafe(bodyBytesOf(text, keyEnd));
  if (!decodeInto(text, keyEnd + 1, nonceEnd, nonce, 0, NONCE_BYTES) || !decodeInto(text, nonceEnd + 1, text.length, ciphertext, 0, ciphertext.length)) {
    return malformed('encoding');
  }
  return { ok: true, header: text.slice(0, keyEnd), keyId: text.slice(PREFIX.length, keyEnd), nonce, ciphertext };
}

// The read path decodes into one reused buffer, through views cached per length, and fills one
// reused result, so that reading a key allocates nothing here (not even the key id string). Valid until the
// next call: only for handing straight to a decipher in the same synchronous step (it copies the
// nonce and tag and reads the body).
const scratch = Buffer.allocUnsafe(NONCE_BYTES + Math.ceil((MAX_ENVELOPE_LENGTH * 3) / 4));
const bodyViews = new Map<number, { body: Buffer; tag: Buffer }>();

/** Where the key id starts in every envelope (after `oek1.A256GCM.`). */
export const KEY_ID_START = PREFIX.length;

export interface TransientEnvelope {
  /** The header is text[0, headerLength) and the key id text[KEY_ID_START, headerLength). */
  headerLength: number;
  nonce: Buffer;
  body: Buffer;
  tag: Buffer;
}

const transient: TransientEnvelope = { headerLength: 0, nonce: scratch.subarray(0, NONCE_BYTES), body: scratch.subarray(0, 0), tag: scratch.subarray(0, 0) };

/** parseEnvelope for the hot read path: the same checks, shared buffers and result (see above). */
export function parseEnvelopeTransient(text: string): TransientEnvelope | null {
  const keyEnd = locate(text);
  if (typeof keyEnd === 'string') return null;
  const nonceEnd = keyEnd + 1 + NONCE_CHARS;
  const bodyBytes = bodyBytesOf(text, keyEnd);
  if (!decodeInto(text, keyEnd + 1, nonceEnd, scratch, 0, NONCE_BYTES)) return null;
  if (!decodeInto(text, nonceEnd + 1, text.length, scratch, NONCE_BYTES, bodyBytes)) return null;
  let views = bodyViews.get(bodyBytes);
  if (views === undefined) {
    const split = NONCE_BYTES + bodyBytes - TAG_BYTES;
    views = { body: scratch.subarray(NONCE_BYTES, split), tag: scratch.subarray(split, split + TAG_BYTES) };
    bodyViews.set(bodyBytes, views);
  }
  transient.headerLength = keyEnd;
  transient.body = views.body;
  transient.tag = views.tag;
  return transient;
}
