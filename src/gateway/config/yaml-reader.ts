import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';

// A small reader over the YAML node tree, so that every complaint about gateway.yaml names the
// line and the key (docs/gateway.md "Configuration"). Values are read key by key; whatever key a
// map holds that nobody read is refused with "did you mean" — a typo never silently means "default".

export class GatewayConfigError extends Error {
  override name = 'GatewayConfigError';
  readonly line?: number;
  readonly key: string;
  constructor(file: string, key: string, line: number | undefined, message: string) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${key === '' ? '' : `${key}: `}${message}`);
    this.key = key;
    if (line !== undefined) this.line = line;
  }
}

/** The Levenshtein distance, for "did you mean" among a handful of short names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export function didYouMean(name: string, known: readonly string[]): string {
  const best = known.map((k) => ({ k, d: distance(name, k) })).sort((x, y) => x.d - y.d)[0];
  if (best !== undefined && best.d <= Math.max(2, Math.floor(best.k.length / 3))) return ` (did you mean "${best.k}"?)`;
  return known.length === 0 ? '' : ` (known keys: ${known.join(', ')})`;
}

/** A value in the document: where it is (dotted key, line) and what it is. */
export interface Located {
  key: string;
  line: number | undefined;
  node: Node | null;
}

export interface YamlSource {
  file: string;
  lines: LineCounter;
  root: Located;
  fail(at: { key: string; line: number | undefined }, message: string): never;
}

export function parseYaml(file: string, text: string, forbiddenKeys: Readonly<Record<string, string>>): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const fail = (at: { key: string; line: number | undefined }, message: string): never => {
    throw new GatewayConfigError(file, at.key, at.line, message);
  };
  const first = doc.errors[0];
  if (first !== undefined) fail({ key: '', line: lines.linePos(first.pos[0]).line }, `not valid YAML: ${first.message.split('\n')[0] ?? ''}`);
  const contents = doc.contents as Node | null;
  const root: Located = { key: '', line: contents?.range ? lines.linePos(contents.range[0]).line : 1, node: contents };
  const source: YamlSource = { file, lines, root, fail };
  refuseSecrets(source, root, forbiddenKeys);
  return source;
}

const lineOf = (lines: LineCounter, node: unknown): number | undefined => {
  const range = (node as Node | null)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
};

const join = (parent: string, child: string | number) => (typeof child === 'number' ? `${parent}[${child}]` : parent === '' ? child : `${parent}.${child}`);

/** Secrets never in the YAML: a key with such a name anywhere is refused, naming its line. */
function refuseSecrets(src: YamlSource, at: Located, forbidden: Readonly<Record<string, string>>, depth = 0): void {
  if (depth > 16) src.fail(at, 'nested too deeply');
  if (isMap(at.node)) {
    for (const pair of at.node.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : '';
      const key = join(at.key, name);
      const hint = forbidden[name];
      if (hint !== undefined) src.fail({ key, line: lineOf(src.lines, pair.key) }, `a secret never goes into this file: ${hint}`);
      refuseSecrets(src, { key, line: lineOf(src.lines, pair.value ?? pair.key), node: (pair.value as Node | null) ?? null }, forbidden, depth + 1);
    }
  } else if (isSeq(at.node)) {
    at.node.items.forEach((item, i) => refuseSecrets(src, { key: join(at.key, i), line: lineOf(src.lines, item), node: item as Node }, forbidden, depth + 1));
  }
}

/** Reads one map's keys; `done()` refuses the keys that were not read. */
export class MapReader {
  private readonly read = new Set<string>();
  private readonly pairs = new Map<string, Pair>();
  readonly at: Located;
  constructor(
    private readonly src: YamlSource,
    at: Located,
    private readonly known: readonly string[],
  ) {
    this.at = at;
    if (at.node !== null && !isMap(at.node)) src.fail(at, 'must be a map of keys');
    if (isMap(at.node)) {
      for (const pair of at.node.items) {
        const name = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof name !== 'string') src.fail({ key: at.key, line: lineOf(src.lines, pair.key) }, 'keys must be plain names');
        this.pairs.set(name, pair);
      }
    }
    for (const [name, pair] of this.pairs) {
      if (!known.includes(name)) src.fail({ key: join(at.key, name), line: lineOf(src.lines, pair.key) }, `unknown key${didYouMean(name, known)}`);
    }
  }

  /** The value of a key (null node when absent or empty). */
  get(name: string): Located {
    this.read.add(name);
    const pair = this.pairs.get(name);
    const value = (pair?.value as Node | null | undefined) ?? null;
    const empty = isScalar(value) && value.value === null;
    return { key: join(this.at.key, name), line: lineOf(this.src.lines, value ?? pair?.key) ?? this.at.line, node: empty ? null : value };
  }

  has(name: string): boolean {
    return this.get(name).node !== null;
  }

  map(name: string, known: readonly string[]): MapReader {
    return new MapReader(this.src, this.get(name), known);
  }

  /** `quote: false` for values that may carry a credential (a URL): the complaint does not repeat them. */
  string(name: string, o: { pattern?: { test(s: string): boolean }; describe?: string; default?: string; max?: number; quote?: boolean } = {}): string {
    const v = this.get(name);
    if (v.node === null) {
      if (o.default !== undefined) return o.default;
      this.src.fail(v, 'is required');
    }
    if (!isScalar(v.node) || typeof v.node.value !== 'string') this.src.fail(v, `must be text${o.describe ? ` (${o.describe})` : ''}`);
    const text = v.node.value;
    if (text.length > (o.max ?? 1024)) this.src.fail(v, `is longer than ${o.max ?? 1024} characters`);
    if (o.pattern !== undefined && !o.pattern.test(text)) this.src.fail(v, `must be ${o.describe ?? 'well-formed'}${o.quote === false ? '' : `, not ${JSON.stringify(text)}`}`);
    return text;
  }

  optionalString(name: string, o: { pattern?: { test(s: string): boolean }; describe?: string; max?: number } = {}): string | undefined {
    return this.has(name) ? this.string(name, o) : undefined;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback?: T): T {
    const v = this.get(name);
    if (v.node === null && fallback !== undefined) return fallback;
    if (v.node === null) this.src.fail(v, `is required: one of ${values.join(', ')}`);
    const value = isScalar(v.node) ? v.node.value : undefined;
    const hit = values.find((x) => x === value);
    if (hit === undefined) this.src.fail(v, `must be one of ${values.join(', ')}, not ${JSON.stringify(isScalar(v.node) ? v.node.value : null)}${typeof value === 'string' ? didYouMean(value, values).replace(/ \(known keys: .*\)$/, '') : ''}`);
    return hit;
  }

  integer(name: string, o: { min: number; max: number; default?: number }): number {
    const v = this.get(name);
    if (v.node === null) {
      if (o.default !== undefined) return o.default;
      this.src.fail(v, 'is required');
    }
    const value = isScalar(v.node) ? v.node.value : undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < o.min || value > o.max) {
      this.src.fail(v, `must be a whole number from ${o.min} to ${o.max}, not ${JSON.stringify(isScalar(v.node) ? v.node.value : null)}`);
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.get(name);
    if (v.node === null) return fallback;
    const value = isScalar(v.node) ? v.node.value : undefined;
    if (typeof value !== 'boolean') this.src.fail(v, `must be true or false, not ${JSON.stringify(isScalar(v.node) ? v.node.value : null)}`);
    return value;
  }

  /** A list: each item's location, for the caller to read. */
  list(name: string, o: { max: number; required?: boolean }): Located[] {
    const v = this.get(name);
    if (v.node === null) {
      if (o.required === true) this.src.fail(v, 'is required: a list');
      return [];
    }
    if (!isSeq(v.node)) this.src.fail(v, 'must be a list');
    if (v.node.items.length > o.max) this.src.fail(v, `holds ${v.node.items.length} entries, at most ${o.max} are allowed`);
    return v.node.items.map((item, i) => ({ key: join(v.key, i), line: lineOf(this.src.lines, item) ?? v.line, node: item as Node }));
  }

  /** Refuses what `list` gave when an item is not text matching the pattern. */
  strings(name: string, o: { max: number; pattern: { test(s: string): boolean }; describe: string; default: string[] }): string[] {
    if (!this.has(name)) return o.default;
    return this.list(name, o).map((item) => {
      const value = isScalar(item.node) ? item.node.value : undefined;
      if (typeof value !== 'string' || !o.pattern.test(value)) this.src.fail(item, `must be ${o.describe}, not ${JSON.stringify(isScalar(item.node) ? item.node.value : null)}`);
      return value;
    });
  }

  fail(at: Located, message: string): never {
    return this.src.fail(at, message);
  }
}
