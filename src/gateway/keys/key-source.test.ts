import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, signIn, type SignedIn, type TestApp } from '../../../test/harness.js';
import { createActiveUser, goodPassword } from '../../../test/support/accounts.js';
import { storeDevice } from '../../../test/support/devices.js';
import { as, post } from '../../../test/support/grants.js';
import type { Logger } from '../../lib/logger.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { openKeySource, type GatewayKeySource } from './key-source.js';
import { KeyCacheError } from './key-cache.js';

// The gateway's key source against a real core listening on loopback (docs/gateway.md "Keys"),
// through a small HTTP relay that counts the requests, can tamper with an answer and can play dead.

let t: TestApp;
let user: SignedIn;
let token: string;
let tokenId: string;
let readerId: string;
let dir: string;
let relay: Server;
let relayUrl: string;
const seen: string[] = [];
let tamper: ((body: Buffer) => Buffer) | null = null;
let down = false;
/** A PEM the relay serves instead of the core's signing key. */
let fakeSigningKey: string | null = null;

const dev: Record<'a' | 'b' | 'c', { id: string; key: string; serial: string }> = {
  a: { id: '', key: randomBytes(16).toString('hex').toUpperCase(), serial: '63941885' },
  b: { id: '', key: randomBytes(16).toString('hex').toUpperCase(), serial: '63941886' },
  c: { id: '', key: randomBytes(16).toString('hex').toUpperCase(), serial: '63941887' },
};
const cacheKey = randomBytes(32);
const log: Logger & { lines: string[] } = {
  lines: [],
  info(obj, msg) {
    this.lines.push(`info ${msg ?? ''} ${JSON.stringify(obj)}`);
  },
  warn(obj, msg) {
    this.lines.push(`warn ${msg ?? ''} ${JSON.stringify(obj)}`);
  },
  error(obj, msg) {
    this.lines.push(`error ${msg ?? ''} ${JSON.stringify(obj)}`);
  },
};

function core(overrides: Partial<GatewayConfig['core']> = {}): GatewayConfig['core'] {
  return { url: relayUrl, token, syncIntervalSeconds: 55, offlineHours: 72, cachePath: join(dir, 'keys.db'), cacheKey, ...overrides };
}

const grant = (ids: string[]) => t.container.grants.assign({ ...asSystem, selection: { ids }, email: 'gw-owner@example.com' });
const revoke = (ids: string[]) => t.container.grants.revoke({ ...asSystem, readerId, selection: { ids } });
const keysOf = (ks: GatewayKeySource, serial: string) => {
  const found = ks.lookup('KAM', serial);
  return found.kind === 'keys' ? found.keys.map((k) => k.toString('hex').toUpperCase()) : found.kind;
};

beforeAll(async () => {
  t = await createTestApp();
  dir = await mkdtemp(join(tmpdir(), 'openeks-gwkeys-'));
  readerId = await createActiveUser(t, { email: 'gw-owner@example.com' });
  user = await signIn(t.app, 'gw-owner@example.com', goodPassword);
  for (const d of Object.values(dev)) d.id = (await storeDevice(t.container, { manufacturer: 'KAM', serial: d.serial, driverHint: 'multical21', keys: [{ hex: d.key }] })).deviceId;
  await grant([dev.a.id, dev.b.id]);
  const created = await post(t, user, '/api/me/tokens', { name: 'Keller', kind: 'gateway' });
  expect(created.statusCode, created.body).toBe(201);
  ({ token } = created.json<{ token: string }>());
  tokenId = created.json<{ view: { id: string } }>().view.id;
  const coreAddress = await t.app.listen({ host: '127.0.0.1', port: 0 });
  relay = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (down) {
      req.socket.destroy();
      return;
    }
    if (fakeSigningKey !== null && req.url === '/.well-known/openeks-signing-key') {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(fakeSigningKey);
      return;
    }
    void fetch(`${coreAddress}${req.url ?? '/'}`, { headers: req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization } }).then(async (r) => {
      const raw = Buffer.from(await r.arrayBuffer());
      const body = tamper !== null && r.status === 200 && (req.url ?? '').startsWith('/api/sync/keys') ? tamper(raw) : raw;
      const headers: Record<string, string> = {};
      r.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') headers[name] = value;
      });
      res.writeHead(r.status, headers).end(body);
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  relayUrl = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => relay?.close(() => resolve()));
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the key source against a real core', () => {
  let ks: GatewayKeySource;

  it('first a full sync (pinning the signing key), then incremental answers with the cursor', async () => {
    ks = await openKeySource({ config: core(), log });
    expect(seen).toEqual(['/.well-known/openeks-signing-key', '/api/sync/keys']);
    expect(ks.status()).toMatchObject({ state: 'fresh', devices: 2, lastError: null });
    expect(keysOf(ks, dev.a.serial)).toEqual([dev.a.key]);
    expect(ks.lookup('KAM', dev.a.serial)).toMatchObject({ driverHint: 'multical21' });
    expect(keysOf(ks, dev.b.serial)).toEqual([dev.b.key]);
    expect(keysOf(ks, dev.c.serial)).toBe('no-right');

    await grant([dev.c.id]);
    await ks.syncNow();
    expect(seen[2]).toMatch(/^\/api\/sync\/keys\?since=[A-Za-z0-9_-]+$/);
    expect(keysOf(ks, dev.c.serial)).toEqual([dev.c.key]);
    expect(ks.status().devices).toBe(3);
  });

  it('a revocation in the core: the meter answers no-right after the next sync', async () => {
    await revoke([dev.b.id]);
    expect(keysOf(ks, dev.b.serial)).toEqual([dev.b.key]);
    await ks.syncNow();
    expect(keysOf(ks, dev.b.serial)).toBe('no-right');
    expect(ks.status()).toMatchObject({ state: 'fresh', devices: 2 });
  });

  it('a tampered answer is dropped whole: the revocation it carried is not applied until an untampered one comes', async () => {
    await revoke([dev.c.id]);
    tamper = (body) => Buffer.from(body.toString('utf8').replace('"full":false', '"full":false '), 'utf8');
    await ks.syncNow();
    tamper = null;
    expect(ks.status().lastError).toBe("the sync answer's signature does not verify with the pinned signing key of the core; dropped");
    expect(ks.status().state).toBe('offline');
    expect(keysOf(ks, dev.c.serial)).toEqual([dev.c.key]);
    await ks.syncNow();
    expect(ks.status()).toMatchObject({ state: 'fresh', lastError: null });
    expect(keysOf(ks, dev.c.serial)).toBe('no-right');
    await grant([dev.b.id, dev.c.id]);
    await ks.syncNow();
    expect(ks.status().devices).toBe(3);
  });

  it('the cache file holds no key in clear', async () => {
    const bytes = await readFile(join(dir, 'keys.db'));
    for (const d of Object.values(dev)) {
      expect(bytes.includes(Buffer.from(d.key, 'utf8'))).toBe(false);
      expect(bytes.includes(Buffer.from(d.key.toLowerCase(), 'utf8'))).toBe(false);
      expect(bytes.includes(Buffer.from(d.key, 'hex'))).toBe(false);
    }
    expect(bytes.includes(Buffer.from(token, 'utf8'))).toBe(false);
  });

  it('lookupKeys: every key type of a DLMS meter (GUEK, GAK), no-right for a meter the token does not hold, and gone after a revocation', async () => {
    const guek = randomBytes(16).toString('hex').toUpperCase();
    const gak = randomBytes(16).toString('hex').toUpperCase();
    const dlms = await storeDevice(t.container, { manufacturer: 'KAM', serial: '71234567', keys: [{ hex: guek, keyType: 'GUEK' }, { hex: gak, keyType: 'GAK' }] });
    await grant([dlms.deviceId]);
    await ks.syncNow();
    const found = ks.lookupKeys('KAM', '71234567');
    if (found.kind !== 'keys') throw new Error(`expected keys, got ${found.kind}`);
    expect([...found.byType.keys()].sort()).toEqual(['GAK', 'GUEK']);
    expect(found.byType.get('GUEK')?.toString('hex').toUpperCase()).toBe(guek);
    expect(found.byType.get('GAK')?.toString('hex').toUpperCase()).toBe(gak);
    // The DEK lookup of a meter held without a DEK says no-right, as before.
    expect(ks.lookup('KAM', '71234567')).toEqual({ kind: 'no-right' });
    // A wM-Bus meter held: its DEK among the types, the driver hint with it.
    const wmbus = ks.lookupKeys('KAM', dev.a.serial);
    expect(wmbus.kind === 'keys' ? [[...wmbus.byType.keys()], wmbus.byType.get('DEK')?.toString('hex').toUpperCase(), wmbus.driverHint] : wmbus.kind).toEqual([['DEK'], dev.a.key, 'multical21']);
    expect(ks.lookupKeys('KAM', '99999999')).toEqual({ kind: 'no-right' });
    // The answer is a copy: the revocation that zeroes the held keys leaves it as it was.
    await revoke([dlms.deviceId]);
    await ks.syncNow();
    expect(ks.lookupKeys('KAM', '71234567')).toEqual({ kind: 'no-right' });
    expect(found.byType.get('GAK')?.toString('hex').toUpperCase()).toBe(gak);
    expect(ks.status().devices).toBe(3);
  });

  it('missed(): one extra sync per interval, however many meters are heard without a key', async () => {
    let clock = Date.parse('2026-12-04T12:00:00Z');
    await ks.close();
    ks = await openKeySource({ config: core(), log, now: () => new Date(clock) });
    seen.length = 0;
    const syncs = () => seen.filter((u) => u.startsWith('/api/sync/keys')).length;
    // Each miss waits for the sync it may have started: coalescing alone would not hold them back.
    for (let i = 0; i < 30; i += 1) {
      ks.missed('KAM', String(70_000_000 + i));
      await ks.settled();
      clock += 1_000;
    }
    expect(syncs()).toBe(1);
    clock = Date.parse('2026-12-04T12:01:00Z');
    ks.missed('KAM', '70000000');
    await ks.settled();
    expect(syncs()).toBe(2);
    for (let i = 0; i < 10; i += 1) {
      ks.missed('KAM', '70000001');
      await ks.settled();
    }
    expect(syncs()).toBe(2);
    expect(ks.status()).toMatchObject({ state: 'fresh', devices: 3 });
  });

  it('restart with the core unreachable: the cache serves the same keys, the status says offline', async () => {
    const before = ks.status();
    await ks.close();
    down = true;
    try {
      ks = await openKeySource({ config: core(), log });
      expect(ks.status()).toMatchObject({ state: 'offline', devices: 3, lastSyncAt: before.lastSyncAt });
      expect(ks.status().lastError).toMatch(/^the core at http:\/\/127\.0\.0\.1:\d+ cannot be reached \(/);
      expect(keysOf(ks, dev.a.serial)).toEqual([dev.a.key]);
      expect(keysOf(ks, dev.c.serial)).toEqual([dev.c.key]);
      expect(keysOf(ks, '99999999')).toBe('no-right');
      await ks.close();

      const lastSync = Date.parse(before.lastSyncAt ?? '');
      ks = await openKeySource({ config: core(), log, now: () => new Date(lastSync + 72 * 3_600_000 + 1) });
      expect(ks.status()).toMatchObject({ state: 'expired', devices: 3, expiresAt: new Date(lastSync + 72 * 3_600_000).toISOString() });
      expect(ks.lookup('KAM', dev.a.serial)).toEqual({ kind: 'expired' });
      expect(ks.lookupKeys('KAM', dev.a.serial)).toEqual({ kind: 'expired' });
      await ks.close();
    } finally {
      down = false;
    }
  });

  it('the wrong cache key: refused at open with a message that says what to do', async () => {
    const err: unknown = await openKeySource({ config: core({ cacheKey: randomBytes(32) }), log }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KeyCacheError);
    expect((err as Error).message).toContain('does not open with this cache key');
  });

  it('a wrong token: never synced, status says the token was refused, nothing is looked up', async () => {
    const wrong = await openKeySource({ config: core({ token: `oeks_${'A'.repeat(43)}`, cachePath: join(dir, 'other.db') }), log });
    expect(wrong.status()).toEqual({ state: 'not-synced', devices: 0, lastSyncAt: null, expiresAt: null, lastError: 'the gateway token was refused (revoked or expired)' });
    expect(wrong.lookup('KAM', dev.a.serial)).toEqual({ kind: 'not-synced' });
    await wrong.close();
  });

  it('the timer: a revocation reaches a running gateway with the next periodic sync, without anyone asking', async () => {
    const running = await openKeySource({ config: core({ syncIntervalSeconds: 5 }), log });
    expect(keysOf(running, dev.a.serial)).toEqual([dev.a.key]);
    await revoke([dev.a.id]);
    seen.length = 0;
    // Bounded wait for the event (the periodic sync), not an assertion on its timing.
    for (let i = 0; i < 300 && keysOf(running, dev.a.serial) !== 'no-right'; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(keysOf(running, dev.a.serial)).toBe('no-right');
    expect(seen.filter((u) => u.startsWith('/api/sync/keys?since=')).length).toBeGreaterThanOrEqual(1);
    await running.close();
    await grant([dev.a.id]);
  });

  it('a cursor two answers old: 410 sync_reset, then one full answer replaces the cache', async () => {
    ks = await openKeySource({ config: core(), log });
    await ks.close();
    await copyFile(join(dir, 'keys.db'), join(dir, 'stale.db'));
    // Two answers that change something move the token two generations on (empty answers do not).
    ks = await openKeySource({ config: core(), log });
    await revoke([dev.b.id]);
    await ks.syncNow();
    await grant([dev.b.id]);
    await ks.syncNow();
    expect(ks.status().devices).toBe(3);
    await ks.close();
    seen.length = 0;
    const stale = await openKeySource({ config: core({ cachePath: join(dir, 'stale.db') }), log });
    expect(seen.map((u) => u.replace(/=.*$/, '=…'))).toEqual(['/api/sync/keys?since=…', '/api/sync/keys']);
    expect(stale.status()).toMatchObject({ state: 'fresh', devices: 3, lastError: null });
    expect(keysOf(stale, dev.b.serial)).toEqual([dev.b.key]);
    expect(log.lines.some((l) => l.includes('key sync starts over with a full answer') && l.includes('sync_reset'))).toBe(true);
    await stale.close();
  });

  it('the core publishing another signing key later: refused, the status says the pin holds', async () => {
    fakeSigningKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const rotated = await openKeySource({ config: core({ cachePath: join(dir, 'rotated.db') }), log });
    fakeSigningKey = null;
    expect(rotated.status()).toMatchObject({ state: 'not-synced', lastError: "the sync answer's signature does not verify with the pinned signing key of the core; dropped" });
    await rotated.syncNow();
    expect(rotated.status().lastError).toMatch(/^the core now publishes another signing key than the one pinned in the key cache: answers are refused/);
    expect(rotated.lookup('KAM', dev.a.serial)).toEqual({ kind: 'not-synced' });
    await rotated.close();
  });

  it('a token with an X25519 key gets sealed answers: not read, and the status says how to make the token', async () => {
    const { publicKey } = generateKeyPairSync('x25519');
    const created = await post(t, user, '/api/me/tokens', { name: 'Verschlüsselt', kind: 'gateway', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    expect(created.statusCode, created.body).toBe(201);
    const sealed = await openKeySource({ config: core({ token: created.json<{ token: string }>().token, cachePath: join(dir, 'sealed.db') }), log });
    expect(sealed.status()).toMatchObject({ state: 'not-synced', devices: 0, lastError: 'the sync answer is application/vnd.openeks.key-sync+hpke: this gateway reads plain JSON answers only; create its token without a public key' });
    await sealed.close();
  });

  it('a token revoked while the gateway runs: the status says so and the cache is wiped, on disk too (SEC-39)', async () => {
    ks = await openKeySource({ config: core(), log });
    expect(ks.status()).toMatchObject({ state: 'fresh', devices: 3 });
    const res = await t.app.inject({ method: 'DELETE', url: `/api/me/tokens/${tokenId}`, headers: as(user) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    await ks.syncNow();
    expect(ks.status()).toEqual({ state: 'not-synced', devices: 0, lastSyncAt: null, expiresAt: null, lastError: 'the gateway token was refused (revoked or expired)' });
    expect(ks.lookup('KAM', dev.a.serial)).toEqual({ kind: 'not-synced' });
    expect(log.lines.join('\n')).not.toContain(token);
    await ks.close();
    down = true;
    try {
      const after = await openKeySource({ config: core(), log });
      expect(after.status()).toMatchObject({ state: 'not-synced', devices: 0, lastSyncAt: null });
      await after.close();
    } finally {
      down = false;
    }
  });

  it("a signing key pinned by the operator that is not the core's: every answer is refused", async () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await writeFile(join(dir, 'pinned.pem'), other);
    const created = await post(t, user, '/api/me/tokens', { name: 'Dach', kind: 'gateway' });
    const pinned = await openKeySource({ config: core({ token: created.json<{ token: string }>().token, cachePath: join(dir, 'pinned.db'), signingKeyPath: join(dir, 'pinned.pem') }), log });
    expect(pinned.status()).toMatchObject({ state: 'not-synced', lastError: "the sync answer's signature does not verify with the pinned signing key of the core; dropped" });
    await pinned.close();
    const missing = join(dir, 'missing.pem');
    await expect(openKeySource({ config: core({ cachePath: join(dir, 'pinned.db'), signingKeyPath: missing }), log })).rejects.toThrow(`core.signing_key_file: ${missing} cannot be read (ENOENT)`);
    await writeFile(join(dir, 'x25519.pem'), generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    await expect(openKeySource({ config: core({ cachePath: join(dir, 'pinned.db'), signingKeyPath: join(dir, 'x25519.pem') }), log })).rejects.toThrow("the core's signing key is x25519, not Ed25519");
  });
});
