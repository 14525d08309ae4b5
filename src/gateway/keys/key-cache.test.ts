import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyCacheError, openKeyCache, type CachedDevice } from './key-cache.js';

// The encrypted key cache (docs/gateway.md "The key cache"): round trip, the sync's merge rules,
// and the rows refusing to open under another key, edited, or moved onto another meter.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-keycache-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const hex = () => randomBytes(16).toString('hex').toUpperCase();
const device = (id: string, serial: string, keys: CachedDevice['keys']): CachedDevice => ({ deviceId: id, manufacturer: 'KAM', serial, driverHint: null, keys });
const syncedAt = '2026-12-04T12:00:00.000Z';

describe('the key cache', () => {
  const key = randomBytes(32);
  const a = device('dev_a', '00000001', [{ keyType: 'DEK', version: 1, key: hex() }, { keyType: 'GAK', version: 1, key: hex() }]);
  const b = device('dev_b', '00000002', [{ keyType: 'DEK', version: 1, key: hex() }]);

  it('round trip: a full answer, an incremental one merged by key type, removals; reopened the same; file 0600', async () => {
    const path = join(dir, 'sub', 'one.db');
    const cache = openKeyCache(path, key);
    const full = cache.apply({ full: true, upserts: [a, b], removals: [], cursor: 'c1', syncedAt });
    expect([...full.keys()]).toEqual(['dev_a', 'dev_b']);
    const dek2 = { keyType: 'DEK', version: 2, key: hex() };
    const touched = cache.apply({ full: false, upserts: [{ ...a, keys: [dek2] }], removals: [{ deviceId: 'dev_b' }, { deviceId: 'dev_unknown' }], cursor: 'c2', syncedAt });
    expect(touched.get('dev_a')?.keys).toEqual([dek2, a.keys[1]]);
    expect(touched.get('dev_b')).toBeNull();
    cache.apply({ full: false, upserts: [], removals: [{ deviceId: 'dev_a', keyType: 'GAK' }], cursor: 'c3', syncedAt });
    cache.close();
    const again = openKeyCache(path, key);
    expect(again.load()).toEqual({ devices: [{ ...a, keys: [dek2] }], meta: { cursor: 'c3', last_sync_at: syncedAt } });
    again.apply({ full: true, upserts: [b], removals: [], cursor: 'c4', syncedAt });
    expect(again.load().devices).toEqual([b]);
    again.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('another cache key: refused at load, naming what to do', () => {
    const path = join(dir, 'two.db');
    const cache = openKeyCache(path, key);
    cache.apply({ full: true, upserts: [a], removals: [], cursor: 'c1', syncedAt });
    cache.close();
    const other = openKeyCache(path, randomBytes(32));
    expect(() => other.load()).toThrow(KeyCacheError);
    expect(() => other.load()).toThrow(/does not open with this cache key/);
    other.close();
  });

  it('a row moved onto another meter, or one flipped bit: refused', () => {
    const path = join(dir, 'three.db');
    const cache = openKeyCache(path, key);
    cache.apply({ full: true, upserts: [a], removals: [], cursor: 'c1', syncedAt });
    cache.close();
    const raw = new Database(path);
    raw.prepare("UPDATE devices SET serial = '00000009'").run();
    raw.close();
    const moved = openKeyCache(path, key);
    expect(() => moved.load()).toThrow(/does not open with this cache key/);
    moved.close();

    const raw2 = new Database(path);
    raw2.prepare("UPDATE devices SET serial = '00000001'").run();
    const row = raw2.prepare<[], { sealed: Buffer }>('SELECT sealed FROM devices').get();
    const sealed = Buffer.from(row?.sealed ?? Buffer.alloc(0));
    sealed[20] = (sealed[20] ?? 0) ^ 1;
    raw2.prepare('UPDATE devices SET sealed = ?').run(sealed);
    raw2.close();
    const flipped = openKeyCache(path, key);
    expect(() => flipped.load()).toThrow(KeyCacheError);
    flipped.close();
  });

  it('a cache key of the wrong length is refused', () => {
    expect(() => openKeyCache(join(dir, 'four.db'), randomBytes(16))).toThrow('the cache key must be 32 bytes');
  });
});
