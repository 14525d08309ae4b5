import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelopeHeader, formatEnvelope, parseEnvelope } from './envelope.js';

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
    for (const input of bad) expect(parseEnvelope(input).ok, input.slice(0, 80)).toBe(false);
  });

  it('accepts the shortest valid body: one byte of ciphertext and the tag', () => {
    expect(parseEnvelope(formatEnvelope({ keyId: 'k', nonce, ciphertext: randomBytes(17) })).ok).toBe(true);
  });

  it('refuses to format what it would not parse', () => {
    expect(() => formatEnvelope({ keyId: 'k', nonce: randomBytes(16), ciphertext })).toThrow(RangeError);
    expect(() => formatEnvelope({ keyId: 'k', nonce, ciphertext: randomBytes(16) })).toThrow(RangeError);
    expect(() => formatEnvelope({ keyId: 'a.b', nonce, ciphertext })).toThrow(RangeError);
  });
});
