import { NONCE_BYTES, TAG_BYTES } from './aead.js';

// The self-describing ciphertext (STYLE.md 11, docs/crypto.md):
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

// Runs for every key read, so it checks by position instead of one long regex. Charset
// strictness comes from the decoder: any character outside base64url (a dot, '=', space, a
// letter from elsewhere) makes it return fewer bytes than the text length promises; '+' and '/'
// are the only foreign characters it would accept, so they are looked for explicitly.
export function parseEnvelope(text: string): EnvelopeParse {
  if (typeof text !== 'string' || text.length > MAX_ENVELOPE_LENGTH || !text.startsWith(PREFIX)) return malformed('shape');
  const keyEnd = text.indexOf('.', PREFIX.length);
  const nonceEnd = keyEnd + 1 + NONCE_CHARS;
  const bodyChars = text.length - nonceEnd - 1;
  if (keyEnd < 0 || text.charCodeAt(nonceEnd) !== DOT || bodyChars < MIN_BODY_CHARS) return malformed('shape');
  // A base64 text of length 4n+1 cannot come from any byte string.
  if (bodyChars % 4 === 1) return malformed('encoding');
  const keyId = text.slice(PREFIX.length, keyEnd);
  if (!KEY_ID.test(keyId)) return malformed('key id');
  if (text.indexOf('+', keyEnd) !== -1 || text.indexOf('/', keyEnd) !== -1) return malformed('encoding');
  const nonce = Buffer.from(text.slice(keyEnd + 1, nonceEnd), 'base64url');
  const ciphertext = Buffer.from(text.slice(nonceEnd + 1), 'base64url');
  if (nonce.length !== NONCE_BYTES || ciphertext.length !== Math.floor((bodyChars * 3) / 4)) return malformed('encoding');
  return { ok: true, header: text.slice(0, keyEnd), keyId, nonce, ciphertext };
}
