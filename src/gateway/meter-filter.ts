// Which meters a gateway serves: meterKey patterns from the configuration ("KAM-*", "KAM-63941885").
// `*` stands for any run of characters, `?` for one; nothing else is special. An empty include list
// means every meter. Exclude wins over include. Applied before any key lookup, so a neighbour's
// meter never costs a sync.

export type MeterFilter = (meterKey: string) => boolean;

const MAX_PATTERN = 64;

function compile(pattern: string): RegExp {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN) throw new Error(`meter pattern "${pattern.slice(0, MAX_PATTERN)}" must be 1 to ${MAX_PATTERN} characters`);
  const body = [...pattern.toUpperCase()]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\-]/g, '\\$&')))
    .join('');
  // eslint-disable-next-line security/detect-non-literal-regexp -- built from escaped characters and bounded in length
  return new RegExp(`^${body}$`);
}

export function createMeterFilter(o: { include: readonly string[]; exclude: readonly string[] }): MeterFilter {
  const include = o.include.map(compile);
  const exclude = o.exclude.map(compile);
  const cache = new Map<string, boolean>();
  return (meterKey) => {
    const known = cache.get(meterKey);
    if (known !== undefined) return known;
    const key = meterKey.toUpperCase();
    const ok = (include.length === 0 || include.some((r) => r.test(key))) && !exclude.some((r) => r.test(key));
    if (cache.size < 100_000) cache.set(meterKey, ok);
    return ok;
  };
}
