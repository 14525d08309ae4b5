import type { CachedDevice } from '../../src/gateway/keys/key-cache.js';
import { fetchSigningKey, requestSync, signingKeyOf } from '../../src/gateway/keys/sync-client.js';
import type { KeyObject } from 'node:crypto';

// The concentrator's key store: the keys its concentrator token may read, pulled from the core
// through the key sync (docs/key-sync.md) with the gateway's verified client
// (src/gateway/keys/sync-client.ts: the signature checked over the exact bytes, the answer's shape
// checked field by field). Held in memory only — a simulator keeps nothing on disk — and applied as
// the contract says: a full answer replaces everything, an incremental one replaces the key types
// it lists and removes what it names; the cursor is kept only once the answer is applied.

export type KeyLookup =
  | { kind: 'keys'; guek: Buffer; gak: Buffer; versions: { GUEK: number; GAK: number } }
  | { kind: 'no-right' }
  | { kind: 'incomplete'; has: string[] }
  | { kind: 'not-synced' };

export type SyncResult = { ok: true; full: boolean; devices: number; changed: number } | { ok: false; message: string; unauthorized?: boolean };

export interface ConcentratorKeys {
  sync(): Promise<SyncResult>;
  lookup(manufacturer: string, serial: string): KeyLookup;
  /** How many devices the token holds now. */
  readonly devices: number;
}

export function createConcentratorKeys(o: { coreUrl: string; token: () => Promise<string>; fetch?: typeof fetch }): ConcentratorKeys {
  const fetchFn = o.fetch ?? fetch;
  const byId = new Map<string, CachedDevice>();
  let cursor: string | null = null;
  let signingKey: KeyObject | null = null;
  let synced = false;

  const apply = (full: boolean, upserts: CachedDevice[], removals: { deviceId: string; keyType?: string }[]): number => {
    if (full) byId.clear();
    for (const u of upserts) {
      const held = byId.get(u.deviceId);
      const keys = new Map((held?.keys ?? []).map((k) => [k.keyType, k]));
      for (const k of u.keys) keys.set(k.keyType, k);
      byId.set(u.deviceId, { ...u, keys: [...keys.values()] });
    }
    for (const r of removals) {
      const held = byId.get(r.deviceId);
      if (held === undefined) continue;
      if (r.keyType === undefined) byId.delete(r.deviceId);
      else byId.set(r.deviceId, { ...held, keys: held.keys.filter((k) => k.keyType !== r.keyType) });
    }
    return upserts.length + removals.length;
  };

  const once = async (): Promise<SyncResult | 'start-over'> => {
    let token: string;
    try {
      token = (await o.token()).trim();
    } catch (err) {
      return { ok: false, message: `the concentrator token cannot be read: ${(err as Error).message}` };
    }
    if (!/^oeks_[A-Za-z0-9_-]+$/.test(token)) return { ok: false, message: 'the concentrator token file does not hold a token (oeks_…)' };
    if (signingKey === null) {
      const got = await fetchSigningKey(o.coreUrl, fetchFn);
      if ('message' in got) return { ok: false, message: got.message };
      signingKey = signingKeyOf(got.pem); // pinned for the concentrator's life
    }
    const outcome = await requestSync({ coreUrl: o.coreUrl, token, cursor, signingKey, fetch: fetchFn });
    if (outcome.kind === 'start-over') return 'start-over';
    if (outcome.kind === 'failed') return { ok: false, message: outcome.message, ...(outcome.unauthorized ? { unauthorized: true } : {}) };
    const changed = apply(outcome.full, outcome.upserts, outcome.removals);
    cursor = outcome.cursor;
    synced = true;
    return { ok: true, full: outcome.full, devices: byId.size, changed };
  };

  return {
    async sync() {
      const first = await once();
      if (first !== 'start-over') return first;
      cursor = null; // 410 or a refused cursor: one full answer replaces the copy
      const again = await once();
      return again === 'start-over' ? { ok: false, message: 'the core refused a sync without a cursor' } : again;
    },
    lookup(manufacturer, serial) {
      if (!synced) return { kind: 'not-synced' };
      const device = [...byId.values()].find((d) => d.manufacturer === manufacturer.toUpperCase() && d.serial === serial);
      if (device === undefined) return { kind: 'no-right' };
      const guek = device.keys.find((k) => k.keyType === 'GUEK');
      const gak = device.keys.find((k) => k.keyType === 'GAK');
      if (guek === undefined || gak === undefined) return { kind: 'incomplete', has: device.keys.map((k) => k.keyType) };
      return { kind: 'keys', guek: Buffer.from(guek.key, 'hex'), gak: Buffer.from(gak.key, 'hex'), versions: { GUEK: guek.version, GAK: gak.version } };
    },
    get devices() {
      return byId.size;
    },
  };
}
