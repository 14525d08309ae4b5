import { describe, expect, it } from 'vitest';
import { findTextProblems, MAX_FIELD_PATH, MAX_TEXT_PROBLEMS, textProblemOf } from './text-rule.js';

describe('textProblemOf', () => {
  it('accepts ordinary text, umlauts, emoji (a surrogate pair) and right-to-left letters', () => {
    for (const text of ['', 'Müller & Söhne', 'Zähler 🔑 1', 'مرحبا', 'שלום', 'tab\tand\nline']) expect(textProblemOf(text)).toBeUndefined();
  });

  it('refuses a lone high or low surrogate anywhere, also where bidi controls are allowed', () => {
    for (const text of ['\ud800', 'a\udfff', '\ud83d\udd11\ud800', '\udc00\ud800', 'x\ud800y']) {
      expect(textProblemOf(text)).toBe('lone_surrogate');
      expect(textProblemOf(text, { password: true })).toBe('lone_surrogate');
    }
  });

  it('refuses NUL except in a password', () => {
    expect(textProblemOf('a\u0000b')).toBe('nul_character');
    expect(textProblemOf('a\u0000b', { password: true })).toBeUndefined();
    expect(textProblemOf('\u0001\u001f')).toBeUndefined();
  });

  it('refuses every bidirectional control unless allowed', () => {
    const controls = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
    for (const c of controls) {
      expect(textProblemOf(`name${c}gpj.exe`)).toBe('bidi_control');
      expect(textProblemOf(`name${c}`, { password: true })).toBeUndefined();
    }
    expect(textProblemOf('\u200d')).toBeUndefined(); // a zero-width joiner (emoji sequences) is no bidi control
  });
});

describe('findTextProblems', () => {
  it('names each field by its path, never its value', () => {
    const problems = findTextProblems({ customerName: '\ud800\udfff\ud800', items: [{ comment: 'ok' }, { comment: 'a\u202eb' }], n: 1, flag: true, none: null });
    expect(problems).toEqual([
      { field: 'customerName', reason: 'holds a lone surrogate (not valid Unicode)', code: 'lone_surrogate' },
      { field: 'items.1.comment', reason: 'holds a bidirectional control character', code: 'bidi_control' },
    ]);
  });

  it('lets a password hold a bidi control or NUL but not a lone surrogate', () => {
    expect(findTextProblems({ password: 'geheim\u202e2026', newPassword: '\u2067x\u0000', currentPassword: 'a\u200fb' })).toEqual([]);
    expect(findTextProblems({ password: 'geheim\ud800' })).toEqual([{ field: 'password', reason: 'holds a lone surrogate (not valid Unicode)', code: 'lone_surrogate' }]);
    expect(findTextProblems({ passwordHint: 'x\u202e' })).toHaveLength(1);
  });

  it('refuses a bad object key, naming the object that holds it', () => {
    expect(findTextProblems({ params: { 'a\u202eb': 1 } })).toEqual([{ field: 'params', reason: 'holds a bidirectional control character', code: 'bidi_control' }]);
    expect(findTextProblems({ '\ud800': 1 }, 'querystring')).toEqual([{ field: 'querystring', reason: 'holds a lone surrogate (not valid Unicode)', code: 'lone_surrogate' }]);
  });

  it('names the root for a bare string and walks arrays', () => {
    expect(findTextProblems('\u202e')).toEqual([{ field: 'body', reason: 'holds a bidirectional control character', code: 'bidi_control' }]);
    expect(findTextProblems(['ok', '\ud800']).map((p) => p.field)).toEqual(['1']);
  });

  it('walks half a million levels of nesting without running out of stack', () => {
    const depth = 500_000;
    const deep = JSON.parse(`${'['.repeat(depth)}"\\u202e"${']'.repeat(depth)}`) as unknown;
    const problems = findTextProblems(deep);
    expect(problems).toHaveLength(1);
    // The path is cut: the answer names where the problem starts, not a megabyte of "0.0.0".
    expect(problems[0]?.field).toBe(`${'0.'.repeat(MAX_FIELD_PATH / 2)}…`);
  });

  it(`names at most ${MAX_TEXT_PROBLEMS} problems`, () => {
    expect(findTextProblems(Array.from({ length: 1000 }, () => '\ud800'))).toHaveLength(MAX_TEXT_PROBLEMS);
  });
});
