import type { FastifyInstance } from 'fastify';

// Request validation coerces nothing (app.ts sets Ajv's coerceTypes to false): a JSON body says
// its types itself, and `"name": true` or `"customerNo": ["ARR-1"]` is refused, not turned into
// "true" and "ARR-1". Query strings and path parameters arrive as text, though, so this hook turns
// a value into the number or boolean its schema asks for, strictly, before Ajv validates:
// - an integer only from digits (an optional "-") whose value is a safe integer;
// - a number only from digits with an optional fraction, and finite;
// - a boolean only from "true" or "false".
// Anything else stays text and Ajv refuses it naming the field. Ajv's own coercion took "1e309"
// and "Infinity" as the integer Infinity and then skipped `maximum` for a non-finite number, so
// `limit=1e309` reached the database (500).

/** The part of a JSON schema read here; the rest (bounds, patterns) is Ajv's. */
interface PropertySchema {
  [keyword: string]: unknown;
  type?: string | string[];
  anyOf?: PropertySchema[];
  oneOf?: PropertySchema[];
}

const integerText = /^-?\d+$/;
const digits = /^\d+$/;
/** Digits with an optional "-" and an optional fraction: "12", "-0.5"; never "1e3", ".5" or "Infinity". */
const isNumberText = (text: string): boolean => {
  const [whole = '', fraction, ...rest] = text.split('.');
  return rest.length === 0 && integerText.test(whole) && (fraction === undefined || digits.test(fraction));
};

function typesOf(schema: PropertySchema | undefined, into = new Set<string>()): Set<string> {
  if (!schema) return into;
  if (typeof schema.type === 'string') into.add(schema.type);
  else if (Array.isArray(schema.type)) for (const type of schema.type) into.add(type);
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) typesOf(branch, into);
  return into;
}

/** The value the text stands for under the property's schema, or the text itself. */
export function coerceText(text: string, schema: PropertySchema | undefined): unknown {
  const types = typesOf(schema);
  if (types.has('integer') && integerText.test(text)) {
    const value = Number(text);
    if (Number.isSafeInteger(value)) return value;
  }
  if (types.has('number') && isNumberText(text)) {
    const value = Number(text);
    if (Number.isFinite(value)) return value;
  }
  if (types.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function coerceObject(values: unknown, schema: unknown): void {
  if (values === null || typeof values !== 'object' || schema === null || typeof schema !== 'object') return;
  const properties = (schema as { properties?: Record<string, PropertySchema> }).properties;
  if (!properties) return;
  const target = values as Record<string, unknown>;
  for (const [name, value] of Object.entries(target)) {
    // Own properties only: a query key named "constructor" must not pick up Object's.
    if (typeof value === 'string' && Object.hasOwn(properties, name)) target[name] = coerceText(value, properties[name]);
  }
}

export function registerQueryCoercion(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema;
    if (!schema) return;
    coerceObject(request.query, schema.querystring);
    coerceObject(request.params, schema.params);
  });
}
