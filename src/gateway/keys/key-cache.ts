import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

// The gateway's key cache (docs/gateway.md "The key cache"): one SQLite file, every row sealed with
// AES-256-GCM under the cache key. A device's row is bound to its device id, manufacturer and
// serial as associated data, so a row moved to another meter does not open; a meta value to its
// name. Plaintext keys exist only in the in-memory map the key source builds from `load()`.

const FORMAT = 1;
const NONCE = 12;
const TAG = 16;

export class KeyCacheError extends Error {
  override name = 'KeyCacheError';
}

export interface CachedKey {
  keyType: string;
  version: number;
  /** Upper-case hex, as the core sends it. */
  key: string;
}

export interface CachedDevice {
  deviceId: string;
  manufacturer: string;
  serial: string;
  driverHint: string | null;
  keys: CachedKey[];
}

export type CacheMetaName = 'cursor' | 'last_sync_at' | 'signing_key';

export interface KeyCacheChange {
  full: boolean;
  upserts: CachedDevice[];
  removals: { deviceId: string; keyType?: string }[];
  cursor: string;
  syncedAt: string;
}

function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT]), nonce, body, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < 1 + NONCE + TAG || sealed[0] !== FORMAT) throw new KeyCacheError(`a cache row (${aad.split('|')[1] ?? 'meta'}) has an unknown format`);
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + NONCE));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE, sealed.length - TAG)), decipher.final()]);
}

const deviceAad = (d: Pick<CachedDevice, 'deviceId' | 'manufacturer' | 'serial'>) => `openeks-gateway-cache/1|device|${d.deviceId}|${d.manufacturer}|${d.serial}`;
const metaAad = (name: string) => `openeks-gateway-cache/1|meta|${name}`;

export interface KeyCache {
  /** Every device and meta value, decrypted; throws KeyCacheError when the cache key does not open them. */
  load(): { devices: CachedDevice[]; meta: Partial<Record<CacheMetaName, string>> };
  /**
   * One sync answer in one transaction: the devices, then the cursor and the time of the sync.
   * Answers each device it touched as now held (null: dropped); after a full answer, those are all.
   */
  apply(change: KeyCacheChange): Map<string, CachedDevice | null>;
  setMeta(name: CacheMetaName, value: string): void;
  /** Drops every device, the cursor and the time of the last sync (the pinned signing key stays); one transaction. */
  wipe(): void;
  close(): void;
}

export function openKeyCache(path: string, cacheKey: Buffer): KeyCache {
  if (cacheKey.length !== 32) throw new KeyCacheError('the cache key must be 32 bytes');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  chmodSync(path, 0o600);
  db.pragma('journal_mode = DELETE');
  db.exec(`CREATE TABLE IF NOT EXISTS devices (device_id TEXT PRIMARY KEY, manufacturer TEXT NOT NULL, serial TEXT NOT NULL, sealed BLOB NOT NULL);
           CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, sealed BLOB NOT NULL);`);
  const upsert = db.prepare('INSERT INTO devices (device_id, manufacturer, serial, sealed) VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET manufacturer = excluded.manufacturer, serial = excluded.serial, sealed = excluded.sealed');
  const putMeta = db.prepare('INSERT INTO meta (name, sealed) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed');
  const allDevices = db.prepare<[], { device_id: string; manufacturer: string; serial: string; sealed: Buffer }>('SELECT device_id, manufacturer, serial, sealed FROM devices');
  const allMeta = db.prepare<[], { name: string; sealed: Buffer }>('SELECT name, sealed FROM meta');

  const openDevice = (row: { device_id: string; manufacturer: string; serial: string; sealed: Buffer }): CachedDevice => {
    const ids = { deviceId: row.device_id, manufacturer: row.manufacturer, serial: row.serial };
    const plain = open(cacheKey, row.sealed, deviceAad(ids));
    try {
      const inner = JSON.parse(plain.toString('utf8')) as { driverHint: string | null; keys: CachedKey[] };
      return { ...ids, driverHint: inner.driverHint, keys: inner.keys };
    } finally {
      plain.fill(0);
    }
  };
  const store = (d: CachedDevice) => {
    const plain = Buffer.from(JSON.stringify({ driverHint: d.driverHint, keys: d.keys }), 'utf8');
    upsert.run(d.deviceId, d.manufacturer, d.serial, seal(cacheKey, plain, deviceAad(d)));
    plain.fill(0);
  };
  const meta = (name: CacheMetaName, value: string) => putMeta.run(name, seal(cacheKey, Buffer.from(value, 'utf8'), metaAad(name)));

  const oneDevice = db.prepare<[string], { device_id: string; manufacturer: string; serial: string; sealed: Buffer }>('SELECT device_id, manufacturer, serial, sealed FROM devices WHERE device_id = ?');
  const apply = db.transaction((change: KeyCacheChange): Map<string, CachedDevice | null> => {
    // Only the devices an answer names are opened: an incremental answer costs what it changes.
    const touched = new Map<string, CachedDevice | null>();
    const held = (deviceId: string): CachedDevice | undefined => {
      if (touched.has(deviceId)) return touched.get(deviceId) ?? undefined;
      if (change.full) return undefined;
      const row = oneDevice.get(deviceId);
      return row === undefined ? undefined : openDevice(row);
    };
    if (change.full) db.prepare('DELETE FROM devices').run();
    for (const u of change.upserts) {
      // An upsert replaces the key types it lists; the others stay as held (docs/key-sync.md "Answer").
      const kept = held(u.deviceId)?.keys.filter((k) => !u.keys.some((n) => n.keyType === k.keyType)) ?? [];
      const next = { ...u, keys: [...u.keys, ...kept] };
      touched.set(u.deviceId, next);
      store(next);
    }
    for (const r of change.removals) {
      const before = held(r.deviceId);
      if (before === undefined) continue;
      const keys = r.keyType === undefined ? [] : before.keys.filter((k) => k.keyType !== r.keyType);
      if (keys.length === 0) {
        touched.set(r.deviceId, null);
        db.prepare('DELETE FROM devices WHERE device_id = ?').run(r.deviceId);
      } else {
        const next = { ...before, keys };
        touched.set(r.deviceId, next);
        store(next);
      }
    }
    meta('cursor', change.cursor);
    meta('last_sync_at', change.syncedAt);
    return touched;
  });

  return {
    load() {
      let devices: CachedDevice[];
      const values: Partial<Record<CacheMetaName, string>> = {};
      try {
        devices = allDevices.all().map(openDevice);
        for (const row of allMeta.all()) {
          if (row.name === 'cursor' || row.name === 'last_sync_at' || row.name === 'signing_key') values[row.name] = open(cacheKey, row.sealed, metaAad(row.name)).toString('utf8');
        }
      } catch (err) {
        if (err instanceof KeyCacheError) throw err;
        throw new KeyCacheError(`the key cache ${path} does not open with this cache key (another OPENEKS_GATEWAY_CACHE_KEY or cache_key_file?, or the file was edited); move it away to start over with a full sync`);
      }
      return { devices, meta: values };
    },
    apply: (change) => apply(change),
    setMeta: meta,
    wipe: db.transaction(() => {
      db.prepare('DELETE FROM devices').run();
      db.prepare("DELETE FROM meta WHERE name IN ('cursor', 'last_sync_at')").run();
    }),
    close: () => db.close(),
  };
}
