// The small checks every part of config/bench.yaml is read with: a mapping, only known fields.

export class BenchConfigError extends Error {
  override name = 'BenchConfigError';
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function onlyKeys(o: Obj, allowed: readonly string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length) throw new BenchConfigError(`${where}: unknown field "${extra[0]}"`);
}

/** An 8-digit meter serial, quoted in the YAML (unquoted, a leading zero would be lost). */
export function serialOf(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^\d{8}$/.test(v)) throw new BenchConfigError(`${where}: 8 digits, quoted`);
  return v;
}

/** An AES-128 key as 32 hex digits; upper case, as the import and the key sync write keys. */
export function keyOf(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{32}$/.test(v)) throw new BenchConfigError(`${where}: 32 hex digits`);
  return v.toUpperCase();
}

export function optionalSeed(v: unknown, where: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new BenchConfigError(`${where}: a whole number`);
  return v;
}
