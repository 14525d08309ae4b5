import * as Type from '@sinclair/typebox';

// Small builders the API schemas share. Each produces plain JSON Schema (the OpenAPI document and
// the server's Ajv read it) that TypeBox's Value module can also check (the web UI's guard).
//
// Every file of src/shared/api/ imports TypeBox's builders as a namespace (`import * as Type`),
// never its `Type` object: the object holds every builder TypeBox has (about 45 kB in the web
// bundle), a namespace lets the bundler keep only the ones used. The lint configuration says so too.

/** The value, or null. */
export const Nullable = <T extends Type.TSchema>(schema: T): Type.TUnion<[T, Type.TNull]> => Type.Union([schema, Type.Null()]);

/** A union of string literals (`anyOf` of `const`s): one branch per value in the OpenAPI document. */
export const literals = <T extends string>(values: readonly T[], description?: string): Type.TUnion<Type.TLiteral<T>[]> =>
  Type.Union(values.map((v) => Type.Literal(v)), description === undefined ? {} : { description });

// A plain `Type.Unsafe` is opaque to the Value module (Check throws on it), so the string enum
// carries a kind of its own, registered once with TypeBox. The kind is a symbol key: Ajv and the
// OpenAPI document see `{ type: 'string', enum: [...] }` only.
const STRING_ENUM = 'StringEnum';
if (!Type.TypeRegistry.Has(STRING_ENUM)) {
  Type.TypeRegistry.Set<{ enum: readonly unknown[] }>(STRING_ENUM, (schema, value) => typeof value === 'string' && schema.enum.includes(value));
}

/**
 * `{ type: 'string', enum: [...] }` rather than a union of literals: a request with a wrong value
 * is refused once, naming the field, instead of once per allowed value.
 */
export function StringEnum<T extends string>(values: readonly T[], options: { description?: string } = {}): Type.TUnsafe<T> {
  return Type.Unsafe<T>({ [Type.Kind]: STRING_ENUM, type: 'string', enum: [...values], ...options });
}
