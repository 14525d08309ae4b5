import fc from 'fast-check';

// Wrong input for every operation of the OpenAPI document the app serves (the route-security
// suite's fuzzer, test/security/route-fuzzing.test.ts). What it generates is meant to be refused:
// numbers where text belongs and text where numbers do, arrays, objects, null, numbers beyond
// every bound, text that only looks like a number, lone surrogates, bidi controls, deep nesting,
// very long text. Values reach the server as the wire carries them: a query string percent-encoded
// byte by byte (a lone surrogate as the bytes ED A0 80, which no UTF-8 decoder accepts), a body as
// JSON text (JSON.stringify writes a lone surrogate as the escape "\ud800").

export interface Operation {
  method: string;
  /** The OpenAPI path, with `{name}` for each path parameter. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** The body's schema, when the operation takes a JSON body. */
  body: { properties: Record<string, unknown>; required: boolean } | undefined;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { required?: boolean; content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
}

export function operationsOf(document: unknown): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries((document as OpenApiDocument).paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      const json = operation.requestBody?.content?.['application/json'];
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        body: json ? { properties: json.schema?.properties ?? {}, required: operation.requestBody?.required === true } : undefined,
      });
    }
  }
  return operations;
}

const bidiControls = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];

/** Text that looks like a number or like something else than it is. */
const trickyText = fc.constantFrom(
  '1e309',
  '-1e309',
  'Infinity',
  '-Infinity',
  'NaN',
  '1.5',
  '-1',
  '0',
  '-0',
  '0x10',
  '1e3',
  ' 5',
  '99999999999999999999999',
  '',
  ' ',
  'abc',
  'true',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '\ud800',
  '\udfff',
  'ok\ud800\udfff\ud800',
  '\u0000',
  'a'.repeat(5_000),
);

const nastyText = fc.oneof(
  { weight: 3, arbitrary: trickyText },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...bidiControls), fc.string({ maxLength: 8 })).map(([a, c, b]) => a + c + b) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 2_000, minLength: 300 }) },
);

/** One JSON value of any type: whatever a field holds, this is mostly the wrong thing. */
export const wrongValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: nastyText },
    { weight: 2, arbitrary: fc.constantFrom(0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, true, false, null) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), nastyText.filter((s) => s.length < 50)), tie('value'), { maxKeys: 3 }) },
  ),
})).value;

/** Percent-encodes every UTF-16 unit on its own, so a lone surrogate becomes bytes no decoder takes. */
export function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const unit = char.codePointAt(0) ?? 0;
    if (unit >= 0xd800 && unit <= 0xdfff) {
      // WTF-8: a surrogate's three bytes, as a careless client would send them.
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

/** A query string for the operation: some of its parameters, each once or repeated, with wrong text. */
export function wrongQuery(params: string[]): fc.Arbitrary<string> {
  if (params.length === 0) return fc.constant('');
  const pair = fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...params) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), nastyText);
  return fc.array(pair, { minLength: 1, maxLength: 4 }).map((pairs) => `?${pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&')}`);
}

/** A concrete path: each parameter a plausible id or wrong text. */
export function wrongPath(operation: Operation): fc.Arbitrary<string> {
  if (operation.pathParams.length === 0) return fc.constant(operation.path);
  const value = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('x', 'usr_doesnotexist1', '1') }, { weight: 3, arbitrary: nastyText.filter((s) => s.length > 0 && s.length < 300) });
  return fc.array(value, { minLength: operation.pathParams.length, maxLength: operation.pathParams.length }).map((values) =>
    operation.pathParams.reduce((path, name, i) => path.replace(`{${name}}`, percentEncode(values[i] ?? 'x')), operation.path),
  );
}

const deeplyNested = fc.integer({ min: 1_000, max: 100_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);

/**
 * A JSON body as text: the operation's fields (some of them, maybe an unknown one) holding wrong
 * values, or no object at all (an array, a string, null, a number, deep nesting).
 */
export function wrongBody(operation: Operation): fc.Arbitrary<string> {
  const fields = Object.keys(operation.body?.properties ?? {});
  const names = fields.length > 0 ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }) : fc.string({ maxLength: 8 });
  const object = fc.array(fc.tuple(names, wrongValue), { maxLength: Math.max(fields.length, 1) + 1 }).map((entries) => JSON.stringify(Object.fromEntries(entries)));
  return fc.oneof({ weight: 8, arbitrary: object }, { weight: 2, arbitrary: wrongValue.map((v) => JSON.stringify(v) ?? 'null') }, { weight: 1, arbitrary: deeplyNested });
}
