import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelopeHeader, formatEnvelope, KEY_ID_START, parseEnvelope, parseEnvelopeTransient } from './envelope.js';

describe('envelope', () => {
  const nonce = randomBytes(12);
  const ciphertext = randomBytes(32);
  const text = formatEnvelope({ keyId: 'dk_abc-DEF_123', nonce, ciphertext });

  it('formats and parses oek1.A256GCM.<keyId>.<nonce>.<ciphertext+tag>', () => {
    expect(text).toBe(`oek1.A256GCM.dk_abc-DEF_123.${nonce.toString('base64url')}.${ciphertext.toString('base64url')}`);
    const parsed = parseEnvelope(text);
    expect(parsed).toEqual({ ok: true, header: 'oek1.A256GCM.dk_abc-DEF_123', keyId: 'dk_abc-DEF_123', nonce, ciphertext });
    if (parsed.ok) expect(parsed.header).toBe(envelopeHeader('dk_abc-DEF_123'));
  });

  it('rejects every malformed variant', () => {
    const [f, a, k, n, c] = text.split('.');
    const bad = [
      '',
      'oek1',
      [f, a, k, n].join('.'),
      `${text}.extra`,
      ['oek2', a, k, n, c].join('.'),
      [f, 'A128GCM', k, n, c].join('.'),
      [f, a, '', n, c].join('.'),
      [f, a, 'dk bad', n, c].join('.'),
      [f, a, 'x'.repeat(65), n, c].join('.'),
      [f, a, k, randomBytes(16).toString('base64url'), c].join('.'),
      [f, a, k, randomBytes(8).toString('base64url'), c].join('.'),
      [f, a, k, n, randomBytes(16).toString('base64url')].join('.'),
      [f, a, k, n, `${c ?? ''}=`].join('.'),
      [f, a, k, n, `${c ?? ''}+`].join('.'),
      [f, a, k, n, `${c ?? ''}AA`].join('.'), // 4n+1 characters: no byte string encodes to that
      ` ${text}`,
      `${text}\n`,
      [f, a, k, n, 'A'.repeat(20000)].join('.'),
    ];
    for (const input of bad) {
      expect(parseEnvelope(input).ok, input.slice(0, 80)).toBe(false);
      expect(parseEnvelopeTransient(input), input.slice(0, 80)).toBeNull();
    }
  });

  it('rejects foreign characters and non-canonical trailing bits that Buffer.from would accept', () => {
    const [f, a, k, n, c] = text.split('.');
    const body = c ?? '';
    // 32 bytes = 43 characters: the last one carries 2 bits of data and 4 bits that must be 0.
    const last = body.charCodeAt(body.length - 1);
    const sloppy = body.slice(0, -1) + String.fromCharCode(last === 0x41 ? 0x42 : last ^ 0x01);
    for (const variant of [sloppy, `${body.slice(0, 10)}+${body.slice(11)}`, `${body.slice(0, 10)}/${body.slice(11)}`, `${body.slice(0, 10)}=${body.slice(11)}`, `${body.slice(0, 10)}é${body.slice(11)}`]) {
      expect(parseEnvelope([f, a, k, n, variant].join('.')).ok, variant).toBe(false);
    }
    expect(parseEnvelope([f, a, k, `${(n ?? '').slice(0, 15)}+`, c].join('.')).ok).toBe(false);
  });

  it('accepts the shortest valid body: one byte of ciphertext and the tag', () => {
    expect(parseEnvelope(formatEnvelope({ keyId: 'k', nonce, ciphertext: randomBytes(17) })).ok).toBe(true);
  });

  it('parses the same fields into shared buffers on the read path', () => {
    for (const length of [17, 32, 48, 100]) {
      const sealed = { keyId: 'dk_x', nonce: randomBytes(12), ciphertext: randomBytes(length) };
      const envelope = formatEnvelope(sealed);
      const view = parseEnvelopeTransient(envelope);
      expect(envelope.slice(KEY_ID_START, view?.headerLength)).toBe('dk_x');
      expect(envelope.slice(0, view?.headerLength)).toBe('oek1.A256GCM.dk_x');
      expect(Buffer.from(view?.nonce ?? [])).toEqual(sealed.nonce);
      expect(Buffer.concat([view?.body ?? Buffer.alloc(0), view?.tag ?? Buffer.alloc(0)])).toEqual(sealed.ciphertext);
      expect(view?.tag).toHaveLength(16);
    }
  });

  it('refuses to format what it would not parse', () => {
    expect(() => formatEnvelope({ keyId: 'k', nonce: randomBytes(16), ciphertext })).toThrow(RangeError);
    expect(() => formatEnvelope({ keyId: 'k', nonce, ciphertext: randomBytes(16) })).toThrow(RangeError);
    expect(() => formatEnvelope({ keyId: 'a.b', nonce, ciphertext })).toThrow(RangeError);
  });
});
