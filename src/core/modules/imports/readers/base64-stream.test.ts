import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors.js';
import { Base64Stream } from './base64-stream.js';

function decode(pieces: string[]): Buffer {
  const out: Buffer[] = [];
  const stream = new Base64Stream((bytes) => out.push(bytes));
  let offset = 0;
  for (const piece of pieces) {
    stream.push(piece, offset);
    offset += piece.length;
  }
  stream.end(offset);
  return Buffer.concat(out);
}

function problemOf(pieces: string[]) {
  try {
    decode(pieces);
  } catch (err) {
    if (err instanceof AppError) return err.details?.[0];
    throw err;
  }
  return undefined;
}

describe('Base64Stream', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog.');
  const text = data.toString('base64');

  it('decodes the text cut anywhere, with line breaks and padding', () => {
    for (let cut = 0; cut <= text.length; cut++) expect(decode([text.slice(0, cut), text.slice(cut)])).toEqual(data);
    expect(decode([`${text.slice(0, 10)}\r\n ${text.slice(10)}`])).toEqual(data);
    expect(decode(['QQ', '=='])).toEqual(Buffer.from('A'));
  });

  it('names the offset of what is not base64', () => {
    expect(problemOf(['QUJD', 'RE-G'])).toEqual({ field: 'CipherValue', code: 'base64_character', reason: 'a character that is not base64', offset: 6 });
    expect(problemOf(['QQ==', 'QUJD'])).toEqual({ field: 'CipherValue', code: 'base64_after_padding', reason: 'base64 data after its padding', offset: 4 });
    expect(problemOf(['QUJDRA'])).toEqual({ field: 'CipherValue', code: 'base64_cut_short', reason: 'the base64 text is cut short (its length is not a multiple of 4)', offset: 6 });
    expect(problemOf(['Q===='])).toEqual({ field: 'CipherValue', code: 'base64_cut_short', reason: 'the base64 text is cut short (its length is not a multiple of 4)', offset: 5 });
    expect(problemOf(['QU', 'JD', 'R==='])).toEqual({ field: 'CipherValue', code: 'base64_padding', reason: 'too much base64 padding', offset: 8 });
  });
});
