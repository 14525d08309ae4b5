// Associated data: the envelope header plus the canonical form of the context the ciphertext
// belongs to (SEC-03). The canonical form is RFC 8785 JSON restricted to strings, safe integers
// and booleans: keys sorted by UTF-16 code units, no whitespace. The same context always gives
// the same bytes, and two different contexts never do.
//
// AAD = <header> 0x0A <canonical context>, UTF-8.

export type AadValue = string | number | boolean;
export type AadContext = Readonly<Record<string, AadValue>>;

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const RECENT_SHAPES = 16;
const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;

// Field names are checked and sorted once per shape (the names in the caller's order) and
// remembered: canonicalisation runs for every key read, and contexts come in a handful of
// shapes. Property names compare by identity, so finding a known shape is a few comparisons.
interface Shape {
  own: string[];
  /** In canonical order, each with the text before its value: `{"a":`, `,"b":`, … */
  fields: { name: string; prefix: string }[];
}
const recent: Shape[] = [];

function sameNames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Own names in order, without building the array: for…in walks own names first, in order. */
function hasNames(context: AadContext, names: string[]): boolean {
  let i = 0;
  for (const name in context) {
    if (name !== names[i]) return false;
    i++;
  }
  return i === names.length;
}

function shapeOf(context: AadContext): Shape {
  for (const shape of recent) if (hasNames(context, shape.own)) return shape;
  const own = Object.keys(context);
  for (const shape of recent) if (sameNames(shape.own, own)) return shape;
  for (const name of own) if (!NAME.test(name)) throw new TypeError(`context field names match ${NAME.source}`);
  const fields = [...own].sort().map((name, i) => ({ name, prefix: `${i === 0 ? '{' : ','}"${name}":` }));
  const shape = { own, fields };
  recent.unshift(shape);
  if (recent.length > RECENT_SHAPES) recent.pop();
  return shape;
}

function badValue(name: string): TypeError {
  return new TypeError(`context field ${name} must be a string, a safe integer or a boolean`);
}

function valueText(name: string, value: AadValue | undefined): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw badValue(name);
}

/** The reference form, as text. */
export function canonicalContext(context: AadContext): string {
  const { fields } = shapeOf(context);
  if (fields.length === 0) return '{}';
  let out = '';
  for (const { name, prefix } of fields) out += prefix + valueText(name, context[name]);
  return `${out}}`;
}

// The hot path (every key read) writes the same bytes straight into one reused buffer instead of
// building strings and encoding them: that garbage cost more than the AES-GCM decryption itself.
// Only printable ASCII is written here; a value with '"', '\', a control or non-ASCII character,
// or a context longer than the buffer, takes the reference path above.
const scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * Writes `text` at `at` if it is printable ASCII (and, for values, free of '"' and '\' which
 * JSON would escape); -1 if it is not, or does not fit.
 */
function put(text: string, at: number, value: boolean): number {
  if (at < 0 || at + text.length > scratch.length) return -1;
  let o = at;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || (value && (c === QUOTE || c === BACKSLASH))) return -1;
    scratch[o++] = c;
  }
  return o;
}

function putValue(name: string, value: AadValue | undefined, at: number): number {
  if (typeof value === 'string') {
    if (at < 0 || at + value.length + 2 > scratch.length) return -1;
    scratch[at] = QUOTE;
    const end = put(value, at + 1, true);
    if (end < 0) return -1;
    scratch[end] = QUOTE;
    return end + 1;
  }
  if (typeof value === 'boolean') return put(value ? 'true' : 'false', at, false);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return put(String(value), at, false);
  throw badValue(name);
}

/** Writes the AAD for the header source[0, headerLength); its length, or -1 for the text path. */
function writeAad(source: string, headerLength: number, context: AadContext): number {
  if (headerLength > source.length || headerLength + 1 >= scratch.length) return -1;
  let o = 0;
  for (; o < headerLength; o++) {
    const c = source.charCodeAt(o);
    if (c < 0x20 || c > 0x7e) return -1;
    scratch[o] = c;
  }
  scratch[o++] = LF;
  const { fields } = shapeOf(context);
  if (fields.length === 0) return put('{}', o, false);
  for (const { name, prefix } of fields) {
    o = putValue(name, context[name], put(prefix, o, false));
    if (o < 0) return -1;
  }
  if (o >= scratch.length) return -1;
  scratch[o] = CLOSE;
  return o + 1;
}

function aadText(header: string, context: AadContext): Buffer {
  return Buffer.from(`${header}\n${canonicalContext(context)}`, 'utf8');
}

/** The AAD as a buffer of its own. */
export function buildAad(header: string, context: AadContext): Buffer {
  const length = writeAad(header, header.length, context);
  return length < 0 ? aadText(header, context) : Buffer.from(scratch.subarray(0, length));
}

// Views of the scratch buffer by length, made once: a read allocates no buffer object for its AAD.
const views: (Buffer | undefined)[] = [];

/**
 * The AAD as a view of a shared buffer that the next call overwrites: only for handing straight
 * to a cipher's setAAD in the same synchronous step (which consumes it). Everything else uses
 * buildAad. The header may be given as the start of a longer text (`headerLength`), so that a
 * reader need not cut it out of the envelope.
 */
export function transientAad(header: string, context: AadContext, headerLength = header.length): Buffer {
  const length = writeAad(header, headerLength, context);
  if (length < 0) return aadText(header.slice(0, headerLength), context);
  let view = views[length];
  if (view === undefined) {
    view = scratch.subarray(0, length);
    views[length] = view;
  }
  return view;
}
