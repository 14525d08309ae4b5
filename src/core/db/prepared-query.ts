import type { Compilable, CompiledQuery } from 'kysely';
import type { Executor } from './database.js';

// A query built and compiled by Kysely once, then run many times with fresh values: building and
// compiling cost as much as running on a hot path (the Bearer key fetch, docs/api-tokens.md).
// The query is built with a marker string in place of each named value; the compiled parameters
// that are markers are swapped for the values of each run, every other parameter stays. The SQL
// text is the same for a database and any of its transactions, so one compiled query serves both.

const markerPrefix = '\u0000openeks-param:';

/**
 * The SQL texts of prepared queries, each with a statement name: PostgreSQL keeps them as named
 * statements per connection (database.ts), parsed and planned once instead of on every run.
 */
const statementNames = new Map<string, string>();

/** The statement name of a prepared query's SQL, or undefined for any other SQL. */
export function statementNameOf(sql: string): string | undefined {
  return statementNames.get(sql);
}

export interface PreparedQuery<N extends string, R> {
  /** The rows for these values (each name given exactly as built). */
  run(executor: Executor, values: Readonly<Record<N, unknown>>): Promise<R[]>;
  /** The compiled SQL (tests, EXPLAIN). */
  readonly sql: string;
}

export function prepareQuery<N extends string, R>(names: readonly N[], build: (params: Readonly<Record<N, string>>) => Compilable<R>): PreparedQuery<N, R> {
  const markers = Object.fromEntries(names.map((name) => [name, `${markerPrefix}${name}`])) as Record<N, string>;
  const compiled = build(markers).compile();
  const slots = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(markerPrefix) ? (p.slice(markerPrefix.length) as N) : undefined));
  const used = new Set(slots.filter((s) => s !== undefined));
  const missing = names.filter((name) => !used.has(name));
  if (missing.length > 0) throw new Error(`prepareQuery: ${missing.join(', ')} not bound as a parameter`);
  if (!statementNames.has(compiled.sql)) statementNames.set(compiled.sql, `openeks_prepared_${statementNames.size + 1}`);
  return {
    sql: compiled.sql,
    async run(executor, values) {
      const parameters = slots.map((slot, i) => (slot === undefined ? compiled.parameters[i] : values[slot]));
      const query: CompiledQuery<R> = { ...compiled, parameters };
      return (await executor.executeQuery(query)).rows;
    },
  };
}
