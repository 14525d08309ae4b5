import { describe, expect, it } from 'vitest';
import { coerceText } from './query-coercion.js';

// The strict reading of query and path text into the types their schema asks for; anything it
// leaves as text is refused by the schema, naming the field (test/security/input-findings.test.ts).

describe('coerceText', () => {
  const integer = { type: 'integer' };
  const number = { type: 'number' };
  const boolean = { type: 'boolean' };

  it('reads an integer only from digits, within the safe integers', () => {
    expect(coerceText('50', integer)).toBe(50);
    expect(coerceText('-3', integer)).toBe(-3);
    expect(coerceText('007', integer)).toBe(7);
    for (const text of ['1e309', '-1e309', 'Infinity', '1.5', '1e3', '0x10', ' 5', '5 ', '', '-', '+5', '9007199254740993', 'abc']) expect(coerceText(text, integer)).toBe(text);
  });

  it('reads a number only from digits with an optional fraction, finite', () => {
    expect(coerceText('1.5', number)).toBe(1.5);
    expect(coerceText('-0.25', number)).toBe(-0.25);
    expect(coerceText('2', number)).toBe(2);
    for (const text of ['1e3', '.5', '5.', '1.2.3', 'NaN', 'Infinity', `1${'0'.repeat(400)}`, '1,5']) expect(coerceText(text, number)).toBe(text);
  });

  it('reads a boolean only from true or false', () => {
    expect(coerceText('true', boolean)).toBe(true);
    expect(coerceText('false', boolean)).toBe(false);
    for (const text of ['1', '0', 'TRUE', 'yes', '']) expect(coerceText(text, boolean)).toBe(text);
  });

  it('leaves text where the schema asks for text, and follows unions', () => {
    expect(coerceText('50', { type: 'string' })).toBe('50');
    expect(coerceText('50', undefined)).toBe('50');
    expect(coerceText('50', { anyOf: [{ type: 'string', const: 'all' }, { type: 'integer' }] })).toBe(50);
    expect(coerceText('true', { type: ['boolean', 'null'] })).toBe(true);
  });
});
