import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { type AadContext, buildAad, canonicalContext, transientAad } from './aad.js';

describe('canonical AAD context', () => {
  it('sorts fields and writes RFC 8785 JSON', () => {
    const text = canonicalContext({ version: 2, table: 'device_keys', rowId: 'key_1', deviceId: 'dev_"x"', active: true });
    expect(text).toBe('{"active":true,"deviceId":"dev_\\"x\\"","rowId":"key_1","table":"device_keys","version":2}');
    expect(JSON.parse(text)).toEqual({ active: true, deviceId: 'dev_"x"', rowId: 'key_1', table: 'device_keys', version: 2 });
  });

  it('matches JSON.stringify for every string, plain or not', () => {
    for (const value of ['dev_1', 'a "quoted" \\ value', 'tab\there', 'Zähler', 'emoji 🔑', '\u2028', 'lone \ud800', '', ' ~!#[]']) {
      expect(canonicalContext({ v: value })).toBe(`{"v":${JSON.stringify(value)}}`);
    }
  });

  it('is the same for the same context in any order, different for any difference', () => {
    const a = canonicalContext({ a: '1', b: 2 });
    expect(canonicalContext({ b: 2, a: '1' })).toBe(a);
    const others: AadContext[] = [{ a: '1', b: '2' }, { a: 1, b: 2 }, { a: '1' }, { a: '1', b: 2, c: 3 }, { a: '1,"b":2' }];
    for (const other of others) {
      expect(canonicalContext(other)).not.toBe(a);
    }
  });

  it('refuses values whose text form is ambiguous and odd field names', () => {
    expect(() => canonicalContext({ a: 1.5 })).toThrow(TypeError);
    expect(() => canonicalContext({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalContext({ a: 2 ** 53 })).toThrow(TypeError);
    expect(() => canonicalContext({ 'a"b': 1 })).toThrow(TypeError);
    expect(() => canonicalContext({ '': 1 })).toThrow(TypeError);
  });

  it('writes the same bytes on the fast path as the reference text, for any context', () => {
    const values: (string | number | boolean)[] = ['dev_1', '', 'a"b', 'back\\slash', 'Zähler', '🔑', 'tab\t', -7, 0, 2 ** 53 - 1, true, false, 'x'.repeat(20_000)];
    for (let i = 0; i < 500; i++) {
      const context: Record<string, string | number | boolean> = {};
      const fields = 1 + (i % 6);
      for (let f = 0; f < fields; f++) context[`f${randomBytes(1)[0] ?? 0}`] = values[(i * 7 + f) % values.length] ?? '';
      // Compared as hex text: a deep equality over 20 kB buffers element by element takes
      // seconds per context on a loaded machine, a string comparison microseconds.
      const expected = Buffer.from(`oek1.A256GCM.dk_x\n${canonicalContext(context)}`, 'utf8').toString('hex');
      expect(buildAad('oek1.A256GCM.dk_x', context).toString('hex')).toBe(expected);
      expect(Buffer.from(transientAad('oek1.A256GCM.dk_x', context)).toString('hex')).toBe(expected);
    }
    expect(buildAad('h', {}).toString()).toBe('h\n{}');
  });

  it('gives buildAad a buffer of its own, transientAad a view that the next call reuses', () => {
    const own = buildAad('h', { a: 'one' });
    const view = transientAad('h', { a: 'one' });
    transientAad('h', { a: 'two' });
    expect(own.toString()).toBe('h\n{"a":"one"}');
    expect(view.toString()).toBe('h\n{"a":"two"}');
  });

  it('refuses bad values on the fast path too', () => {
    expect(() => buildAad('h', { a: 1.5 })).toThrow(TypeError);
    expect(() => transientAad('h', { a: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });

  it('prefixes the envelope header', () => {
    expect(buildAad('oek1.A256GCM.dk_1', { table: 't' }).toString()).toBe('oek1.A256GCM.dk_1\n{"table":"t"}');
  });
});
