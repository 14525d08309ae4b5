// Associated data: the envelope header plus the canonical form of the context the ciphertext
// belongs to (SEC-03). The canonical form is RFC 8785 JSON restricted to strings, safe integers
// and booleans: keys sorted by UTF-16 code units, no whitespace. The same context always gives
// the same bytes, and two different contexts never do.

export type AadValue = string | number | boolean;
export type AadContext = Readonly<Record<string, AadValue>>;

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const RECENT_SHAPES = 16;

// Field names are checked and sorted once per shape (the names in the caller's order) and
// remembered: canonicalisation runs for every key read, and contexts come in a handful of
// shapes. Property names compare by identity, so finding a known shape is a few comparisons.
interface Shape {
  own: string[];
  names: string[];
  /** `{"a":`, `,"b":`, … : the text before each value, in canonical order. */
  prefixes: string[];
}
const recent: Shape[] = [];

function sameNames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeOf(context: AadContext): Shape {
  const own = Object.keys(context);
  for (const shape of recent) if (sameNames(shape.own, own)) return shape;
  for (const name of own) if (!NAME.test(name)) throw new TypeError(`context field names match ${NAME.source}`);
  const names = [...own].sort();
  const shape = { own, names, prefixes: names.map((name, i) => `${i === 0 ? '{' : ','}"${name}":`) };
  recent.unshift(shape);
  if (recent.length > RECENT_SHAPES) recent.pop();
  return shape;
}

// Printable ASCII without '"' and '\\': JSON.stringify would return these quoted and unchanged,
// and ids, types and table names are all like that. Checking is 3x cheaper than stringifying.
const PLAIN = /^[ !#-[\]-~]*$/;

function valueText(name: string, value: AadValue | undefined): string {
  if (typeof value === 'string') return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new TypeError(`context field ${name} must be a string, a safe integer or a boolean`);
}

export function canonicalContext(context: AadContext): string {
  const { names, prefixes } = shapeOf(context);
  if (names.length === 0) return '{}';
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    out += (prefixes[i] as string) + valueText(name, context[name]);
  }
  return `${out}}`;
}

export function buildAad(header: string, context: AadContext): Buffer {
  return Buffer.from(`${header}\n${canonicalContext(context)}`, 'utf8');
}
