import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatKeyFile, parseKeyFile, parseKeyList } from './key-file.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

describe('master key file format', () => {
  it('round-trips versions through the text form', () => {
    const text = formatKeyFile(new Map([[2, k2], [1, k1]]));
    expect(text).toMatch(/^# openeks master key/);
    expect(text).toContain(`\nv1 ${k1.toString('base64')}\nv2 ${k2.toString('base64')}\n`);
    const parsed = parseKeyFile(text);
    expect(parsed.ok && [...parsed.keys.entries()]).toEqual([[1, k1], [2, k2]]);
  });

  it('rejects short, long, non-canonical and malformed keys, naming the line but not the key', () => {
    const cases: [string, string][] = [
      [`v1 ${randomBytes(16).toString('base64')}\n`, 'line 1: the key is not 32 bytes of base64'],
      [`# c\nv1 ${randomBytes(33).toString('base64')}\n`, 'line 2: the key is not 32 bytes of base64'],
      [`v1 ${k1.toString('base64url')}\n`, 'line 1'],
      [`v1 ${k1.toString('base64').replace('=', '')}\n`, 'line 1: the key is not 32 bytes of base64'],
      [`v1 ${k1.toString('hex')}\n`, 'line 1: the key is not 32 bytes of base64'],
      [`v1  ${k1.toString('base64')}\n`, 'line 1 is not'],
      [`v0 ${k1.toString('base64')}\n`, 'line 1 is not'],
      [`v1 ${k1.toString('base64')}\r\n`, 'line 1 is not'],
      [`v1 ${k1.toString('base64')}\nv1 ${k2.toString('base64')}\n`, 'line 2: version 1 appears twice'],
      ['# only a comment\n', 'contains no key'],
      [k1.toString('base64'), 'line 1 is not'],
    ];
    for (const [text, problem] of cases) {
      const parsed = parseKeyFile(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) {
        expect(parsed.problem).toContain(problem);
        expect(parsed.problem).not.toMatch(/[A-Za-z0-9+/]{20,}/);
      }
    }
  });
});

describe('master key list (env:)', () => {
  it('reads a single key as version 1, or a v<N>=key list', () => {
    const single = parseKeyList(k1.toString('base64'));
    expect(single.ok && [...single.keys.entries()]).toEqual([[1, k1]]);
    const list = parseKeyList(`v2=${k2.toString('base64')},v1=${k1.toString('base64')}`);
    expect(list.ok && [...list.keys.entries()].sort(([a], [b]) => a - b)).toEqual([[1, k1], [2, k2]]);
  });

  it('rejects empty, short and malformed lists', () => {
    for (const text of ['', randomBytes(16).toString('base64'), 'not base64!', `v1=${k1.toString('base64')},`, `v1=${k1.toString('base64')},v1=${k2.toString('base64')}`, `x1=${k1.toString('base64')}`]) {
      expect(parseKeyList(text).ok, text).toBe(false);
    }
  });
});
