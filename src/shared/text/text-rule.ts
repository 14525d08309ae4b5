import type { FieldProblem } from '../errors.js';

// SEC-34: the one rule for every text field the API takes (bodies, query strings, path parameters)
// and the web UI checks its forms with. Two kinds of character are refused, naming the field and
// never quoting the value:
// - a lone UTF-16 surrogate (JSON's "\ud800" without its partner): it is no character at all;
//   stored, it comes back as U+FFFD, so what was saved is not what was sent.
// - a bidirectional control (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C): it reorders
//   the text around it, so a name or comment can show the operator something else than it holds
//   (a request disguising itself in the queue).
// - NUL (U+0000): PostgreSQL's text cannot hold it (the query fails, a 500 the route fuzzer
//   found), SQLite's can, so the same request would be stored on one database and not the other.

export type TextProblemCode = 'lone_surrogate' | 'bidi_control' | 'nul_character';

/** The English reason of each problem; the code is what clients translate. */
export const textProblemReasons: Readonly<Record<TextProblemCode, string>> = {
  lone_surrogate: 'holds a lone surrogate (not valid Unicode)',
  bidi_control: 'holds a bidirectional control character',
  nul_character: 'holds a NUL character',
};

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const bidiControl = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/**
 * @param options.password for passwords: never shown nor stored as text (only their hash), so a
 *   bidi control or NUL does no harm there, and a password somebody chose with one must keep
 *   working; a lone surrogate is refused there too (it is no character: two different passwords
 *   would hash alike).
 */
export function textProblemOf(text: string, options: { password?: boolean } = {}): TextProblemCode | undefined {
  if (loneSurrogate.test(text)) return 'lone_surrogate';
  if (options.password) return undefined;
  if (bidiControl.test(text)) return 'bidi_control';
  if (text.includes('\u0000')) return 'nul_character';
  return undefined;
}

/**
 * Fields whose name ends in "password" (password, currentPassword, newPassword) are passwords
 * (textProblemOf's `password` option); refusing one at sign-in would lock out whoever set it
 * before this rule.
 */
const isPasswordField = (name: string): boolean => /password$/i.test(name);

/** At most this many problems are named: a body of a megabyte could otherwise hold thousands. */
export const MAX_TEXT_PROBLEMS = 10;

interface Frame {
  value: unknown;
  key: string;
  parent: Frame | undefined;
}

/** A path is cut after this many characters: the answer to a deeply nested body stays small. */
export const MAX_FIELD_PATH = 200;

const pathOf = (frame: Frame): string => {
  const keys: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) keys.push(f.key);
  const path = keys.reverse().join('.');
  return path.length > MAX_FIELD_PATH ? `${path.slice(0, MAX_FIELD_PATH)}…` : path;
};

/**
 * Every string (and object key) in a parsed JSON value, walked with a stack of its own rather than
 * recursion: a body of a megabyte may nest half a million levels deep. Paths are built only for a
 * problem, in the error handler's notation (`items.0.name`); `root` names the value itself.
 */
export function findTextProblems(value: unknown, root = 'body'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const report = (frame: Frame, code: TextProblemCode) => problems.push({ field: pathOf(frame) || root, reason: textProblemReasons[code], code });
  const stack: Frame[] = [{ value, key: '', parent: undefined }];
  while (stack.length > 0 && problems.length < MAX_TEXT_PROBLEMS) {
    const frame = stack.pop() as Frame;
    const current = frame.value;
    if (typeof current === 'string') {
      const code = textProblemOf(current, { password: isPasswordField(frame.key) });
      if (code) report(frame, code);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], key: String(i), parent: frame });
    } else if (current !== null && typeof current === 'object') {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        const child: Frame = { value: (current as Record<string, unknown>)[key], key, parent: frame };
        // A key is text the client chose too (a record's keys are stored); a bad one is named by
        // the object holding it, so the key itself is never quoted back.
        const keyCode = textProblemOf(key);
        if (keyCode) report(frame, keyCode);
        else stack.push(child);
      }
    }
  }
  return problems.slice(0, MAX_TEXT_PROBLEMS);
}
