import type { HeldKey, ReadableKey } from './sync-repo.js';

// What an incremental answer says (docs/key-sync.md "Answer"): the key versions newly readable or
// newer than what the token holds (upserts), and what it holds that it may no longer read
// (removals: a whole device when nothing of it stays, else one key type). Pure: the rows in, the
// difference out.

export interface Removal {
  deviceId: string;
  keyType?: string;
}

export interface SyncDiff {
  /** Readable now and not held in this version. */
  upserts: ReadableKey[];
  /** Held and to be replaced or dropped (what stops being held). */
  ended: HeldKey[];
  removals: Removal[];
}

const slot = (k: { device_id: string; key_type: string }) => `${k.device_id}\u0000${k.key_type}`;

export function diffKeys(readable: readonly ReadableKey[], held: readonly HeldKey[]): SyncDiff {
  const now = new Map(readable.map((k) => [slot(k), k]));
  const before = new Map(held.map((k) => [slot(k), k]));
  const upserts: ReadableKey[] = [];
  const ended: HeldKey[] = [];
  const gone = new Map<string, string[]>();
  for (const [at, key] of now) {
    const had = before.get(at);
    if (had?.key_id === key.key_id) continue;
    upserts.push(key);
    if (had !== undefined) ended.push(had);
  }
  for (const [at, had] of before) {
    if (now.has(at)) continue;
    ended.push(had);
    const types = gone.get(had.device_id);
    if (types === undefined) gone.set(had.device_id, [had.key_type]);
    else types.push(had.key_type);
  }
  const stillHeld = new Set(readable.map((k) => k.device_id));
  const removals: Removal[] = [];
  for (const [deviceId, types] of [...gone].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!stillHeld.has(deviceId)) removals.push({ deviceId });
    else for (const keyType of types.sort()) removals.push({ deviceId, keyType });
  }
  return { upserts, ended, removals };
}
