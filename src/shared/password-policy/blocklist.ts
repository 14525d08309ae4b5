import { fold, leetVariants } from './normalise.js';

// The blocklist's state: loaded once per process (or page), on demand — see index.ts.
let blocklist: ReadonlySet<string> | null = null;
let loading: Promise<void> | null = null;

/** Loads the blocklist once (later calls share the first); a failed load may be retried. */
export function loadBlocklist(): Promise<void> {
  loading ??= import('./blocklist-words.js').then(
    ({ blocklistSources }) => {
      const words = new Set<string>();
      for (const list of blocklistSources) for (const word of list) words.add(fold(word));
      blocklist = words;
    },
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

export function isBlocklistLoaded(): boolean {
  return blocklist !== null;
}

const minCoreLength = 3;

/**
 * Exact matches only — a long passphrase that merely contains a common word passes — but of the
 * password and its trivial variants: without leading and trailing digits, punctuation and spaces
 * ("Passwort1!" → "passwort", "!Hallo123" → "hallo"), without the trailing ones alone ("@dmin1"
 * → "@dmin", then read as leetspeak: "admin"), and each read as leetspeak ("P4ssw0rd!" →
 * "password"). A variant shorter than 3 characters is not looked up ("Zu8472619305!" is not
 * "zu").
 */
export function blocklistHas(folded: string): boolean {
  const words = blocklist;
  if (words === null) return false;
  const trailingOff = folded.replace(/[^\p{L}]+$/u, '');
  const bothOff = trailingOff.replace(/^[^\p{L}]+/u, '');
  const candidates = new Set([folded]);
  for (const core of [trailingOff, bothOff]) if ([...core].length >= minCoreLength) candidates.add(core);
  for (const candidate of [...candidates]) for (const reading of leetVariants(candidate)) candidates.add(reading);
  for (const candidate of candidates) if (words.has(candidate)) return true;
  return false;
}
