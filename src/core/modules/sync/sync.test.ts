import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser } from '../../../../test/support/accounts.js';
import { storeDevice, storeKey } from '../../../../test/support/devices.js';
import { AppError } from '../../../shared/errors.js';
import type { MachinePrincipal, TokenKind } from '../../access/principal.js';
import type { DeviceFilter } from '../../../shared/api/devices.js';
import { rolesOf } from '../../access/principal.js';
import { createSettingsRepo } from '../settings/settings-repo.js';
import { createCursorKeys } from './sync-cursor.js';
import { hpkeOpen } from './sync-hpke.js';
import { createSyncRepo } from './sync-repo.js';
import { createSyncService, type SyncService } from './sync-service.js';

// The key sync (docs/key-sync.md) through its service, with token principals built as the auth
// hook builds them (the user's roles and links read afresh each time): a full answer, then each
// kind of change appears in the next incremental answer and nothing else does.

const run = promisify(execFile);

let t: TestApp;
let sync: SyncService;
let customerId: string;
const keyHex = new Map<string, string>();
const serialOf = new Map<string, string>();
let serial = 30_000_000;

interface Answer {
  format: string;
  full: boolean;
  cursor: string;
  upserts: { deviceId: string; serial: string; manufacturer: string; kind: string; medium: string; driverHint: string | null; keys: { keyType: string; version: number; key: string }[] }[];
  removals: { deviceId: string; keyType?: string }[];
}

async function device(options: { customerAccountId?: string | null; types?: string[] } = {}): Promise<string> {
  serial += 1;
  const keys = (options.types ?? ['DEK']).map((keyType) => ({ hex: randomBytes(16).toString('hex').toUpperCase(), keyType, version: 1 }));
  const { deviceId } = await storeDevice(t.container, { manufacturer: 'KAM', serial: String(serial), customerAccountId: options.customerAccountId ?? null, driverHint: 'multical21', keys });
  for (const k of keys) keyHex.set(`${deviceId}/${k.keyType}/1`, k.hex);
  serialOf.set(deviceId, String(serial));
  return deviceId;
}

/** A token principal as the auth hook builds it on each request: the user's links read now. */
async function token(tokenId: string, userId: string, options: { kind?: TokenKind; deviceFilter?: DeviceFilter } = {}): Promise<MachinePrincipal> {
  const links = await t.container.db.kysely.selectFrom('superuser_links').select('customer_account_id').where('user_id', '=', userId).execute();
  const customerAccountIds = links.map((l) => l.customer_account_id);
  return { kind: 'machine', userId, tokenId, tokenKind: options.kind ?? 'gateway', deviceFilter: options.deviceFilter ?? null, bytewise: t.container.db.dialect.bytewise, expiresAt: '2027-01-01T00:00:00.000Z', roles: rolesOf({ isOperator: false }, customerAccountIds), customerAccountIds };
}

const actor = { userId: null, role: 'user' as const, ip: '192.0.2.7', userAgent: 'gateway-test', requestId: null, authMethod: 'token' };

async function ask(principal: MachinePrincipal, since?: string, service: SyncService = sync): Promise<Answer> {
  const answer = await service.sync({ principal, actor: { ...actor, userId: principal.userId }, since });
  expect(answer.contentType).toBe('application/json; charset=utf-8');
  return JSON.parse(answer.body.toString('utf8')) as Answer;
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

const grant = (ids: string[], email: string) => t.container.grants.assign({ ...asSystem, selection: { ids }, email });
const revoke = (ids: string[], readerId: string) => t.container.grants.revoke({ ...asSystem, readerId, selection: { ids } });
/** The (deviceId, keyType, version, key) of an answer's upserts, sorted. */
const keysOf = (a: Answer) => a.upserts.flatMap((d) => d.keys.map((k) => `${d.deviceId}/${k.keyType}/${k.version}=${k.key}`)).sort();
const expected = (...slots: string[]) => slots.map((s) => `${s}=${keyHex.get(s) ?? '?'}`).sort();

beforeAll(async () => {
  t = await createTestApp();
  sync = t.container.sync;
  customerId = (await t.container.customers.create({ ...asSystem, customerNo: '4711', name: 'Stadtwerke Sync' })).id;
});
afterAll(async () => t?.close());

describe('a reader token: full answer, then each change in the next incremental answer and nothing else', () => {
  let readerId: string;
  let otherId: string;
  let d1: string, d2: string, d3: string, d4: string;
  let cursor: string;
  const cursors: string[] = [];

  beforeAll(async () => {
    readerId = await createActiveUser(t, { email: 'gateway-owner@example.com' });
    otherId = await createActiveUser(t, { email: 'someone-else@example.com' });
    [d1, d2, d3, d4] = [await device(), await device({ types: ['DEK', 'GAK'] }), await device(), await device()];
    await grant([d1, d2], 'gateway-owner@example.com');
  });

  it('full sync: every active key the token may read, once, and its audit record with the devices', async () => {
    const answer = await ask(await token('tok_reader', readerId));
    expect(answer.format).toBe('openeks-key-sync/1');
    expect(answer.full).toBe(true);
    expect(answer.removals).toEqual([]);
    expect(keysOf(answer)).toEqual(expected(`${d1}/DEK/1`, `${d2}/DEK/1`, `${d2}/GAK/1`));
    const two = answer.upserts.find((d) => d.deviceId === d2);
    expect(two?.keys.map((k) => k.keyType)).toEqual(['DEK', 'GAK']);
    expect(two).toMatchObject({ manufacturer: 'KAM', kind: 'meter', medium: 'water-cold', driverHint: 'multical21' });
    const [record] = (await auditOf(t, 'keys.sync')).filter((a) => a.target_id === 'tok_reader');
    expect(record).toMatchObject({ result: 'allowed', auth_method: 'token', ip: '192.0.2.7' });
    expect(JSON.parse(record?.details ?? '{}')).toMatchObject({ full: true, devices: 2, keys: 3, removals: 0 });
    const linked = await t.container.db.kysely.selectFrom('audit_devices').select('device_id').where('audit_seq', '=', record?.seq ?? -1).execute();
    expect(linked.map((l) => l.device_id).sort()).toEqual([d1, d2].sort());
    cursor = answer.cursor;
    cursors.push(cursor);
  });

  it('nothing changed: an empty answer', async () => {
    const answer = await ask(await token('tok_reader', readerId), cursor);
    expect(answer).toMatchObject({ full: false, upserts: [], removals: [] });
    cursor = answer.cursor;
  });

  it('a grant: the granted device only', async () => {
    await grant([d3], 'gateway-owner@example.com');
    const answer = await ask(await token('tok_reader', readerId), cursor);
    expect(answer.full).toBe(false);
    expect(keysOf(answer)).toEqual(expected(`${d3}/DEK/1`));
    expect(answer.removals).toEqual([]);
    cursors.push(answer.cursor);
    cursor = answer.cursor;
  });

  it('a lost answer asked for again with the previous cursor: the same answer; two back: 410 sync_reset', async () => {
    const previous = cursors[cursors.length - 2] ?? '';
    const again = await ask(await token('tok_reader', readerId), previous);
    expect(keysOf(again)).toEqual(expected(`${d3}/DEK/1`));
    cursor = again.cursor;
    const after = await ask(await token('tok_reader', readerId), cursor);
    expect(after).toMatchObject({ upserts: [], removals: [] });
    cursor = after.cursor;
  });

  it("another reader's grant appears nowhere", async () => {
    await grant([d4], 'someone-else@example.com');
    const answer = await ask(await token('tok_reader', readerId), cursor);
    expect(answer).toMatchObject({ upserts: [], removals: [] });
    cursor = answer.cursor;
    void otherId;
  });

  it('a revocation: the device is removed', async () => {
    await revoke([d1], readerId);
    const answer = await ask(await token('tok_reader', readerId), cursor);
    expect(answer.upserts).toEqual([]);
    expect(answer.removals).toEqual([{ deviceId: d1 }]);
    cursor = answer.cursor;
    // The full answer's cursor is two answers back now: it cannot be served again.
    const stale = await refusal(sync.sync({ principal: await token('tok_reader', readerId), actor, since: cursors[0] }));
    expect(stale.code).toBe('sync_reset');
    expect(stale.status).toBe(410);
  });

  it('a new key version activated: the new version, the old one superseded', async () => {
    const hex = randomBytes(16).toString('hex').toUpperCase();
    const keyId = await storeKey(t.container, d2, { hex, keyType: 'DEK', version: 2, state: 'pre-activation' });
    keyHex.set(`${d2}/DEK/2`, hex);
    await t.container.keyVersions.transition({ ...asSystem, deviceId: d2, keyId, to: 'active' });
    const answer = await ask(await token('tok_reader', readerId), cursor);
    expect(keysOf(answer)).toEqual(expected(`${d2}/DEK/2`));
    expect(answer.removals).toEqual([]);
    cursor = answer.cursor;
  });

  it('a compromised key: that key type removed, the device kept', async () => {
    const gak = await t.container.db.kysely.selectFrom('device_keys').select('id').where('device_id', '=', d2).where('key_type', '=', 'GAK').executeTakeFirstOrThrow();
    await t.container.keyVersions.transition({ ...asSystem, deviceId: d2, keyId: gak.id, to: 'compromised', reason: 'seen on a forum' });
    const answer = await ask(await token('tok_reader', readerId), cursor);
    expect(answer.upserts).toEqual([]);
    expect(answer.removals).toEqual([{ deviceId: d2, keyType: 'GAK' }]);
    cursor = answer.cursor;
  });

  it('a compromised last key: the whole device removed', async () => {
    const dek = await t.container.db.kysely.selectFrom('device_keys').select('id').where('device_id', '=', d3).where('key_type', '=', 'DEK').executeTakeFirstOrThrow();
    await t.container.keyVersions.transition({ ...asSystem, deviceId: d3, keyId: dek.id, to: 'compromised', reason: 'leaked' });
    const answer = await ask(await token('tok_reader', readerId), cursor);
    expect(answer).toMatchObject({ upserts: [], removals: [{ deviceId: d3 }] });
    cursor = answer.cursor;
  });

  it('a one-change answer is a few hundred bytes', async () => {
    await grant([d4], 'gateway-owner@example.com');
    const raw = await sync.sync({ principal: await token('tok_reader', readerId), actor, since: cursor });
    expect(raw.body.length).toBeLessThan(400);
    cursor = (JSON.parse(raw.body.toString('utf8')) as Answer).cursor;
  });

  it("garbage, an edited cursor or another token's cursor: 400 sync_cursor_invalid naming since, audited", async () => {
    for (const since of ['garbage', `${cursor.slice(0, -2)}AA`]) {
      const err = await refusal(sync.sync({ principal: await token('tok_reader', readerId), actor, since }));
      expect(err.code).toBe('sync_cursor_invalid');
      expect(err.status).toBe(400);
      expect(err.details).toEqual([{ field: 'since', reason: 'is not a cursor this service gave to this token' }]);
    }
    const other = await refusal(sync.sync({ principal: await token('tok_other', readerId), actor, since: cursor }));
    expect(other.code).toBe('sync_cursor_invalid');
    const denied = (await auditOf(t, 'keys.sync')).filter((a) => a.result === 'denied');
    expect(denied.map((a) => a.target_id)).toEqual(['tok_reader', 'tok_reader', 'tok_other']);
    expect(denied.every((a) => a.reason === 'cursor invalid')).toBe(true);
  });

  it('a device filter: only its devices, and changes elsewhere appear nowhere', async () => {
    const only = (id: string): DeviceFilter => ({ serial: serialOf.get(id) ?? '' });
    const filtered = await token('tok_filtered', readerId, { deviceFilter: only(d4) });
    const first = await ask(filtered);
    expect(keysOf(first)).toEqual(expected(`${d4}/DEK/1`));
    await grant([d1], 'gateway-owner@example.com');
    const next = await ask(await token('tok_filtered', readerId, { deviceFilter: only(d4) }), first.cursor);
    expect(next).toMatchObject({ upserts: [], removals: [] });
    // The token's filter changed (here: dropped): the whole scope is diffed.
    const widened = await ask(await token('tok_filtered', readerId), next.cursor);
    expect(keysOf(widened)).toEqual(expected(`${d1}/DEK/1`, `${d2}/DEK/2`));
    expect(widened.removals).toEqual([]);
  });

  it('a read token or a session never syncs (404, audited as access.deny)', async () => {
    const read = await refusal(sync.sync({ principal: await token('tok_read', readerId, { kind: 'read' }), actor, since: undefined }));
    expect(read.code).toBe('not_found');
    const denials = (await auditOf(t, 'access.deny')).filter((a) => a.target_id === 'keys.sync');
    expect(denials.length).toBeGreaterThan(0);
    const person = { kind: 'person' as const, userId: readerId, email: 'gateway-owner@example.com', name: null, language: 'en' as const, sessionId: 'ses_x', stage: 'complete' as const, aal: 1, authenticatedAt: null, roles: ['user' as const], customerAccountIds: [] };
    expect((await refusal(sync.sync({ principal: person, actor }))).code).toBe('not_found');
  });
});

describe('a superuser token: link and unlink', () => {
  let superId: string;
  let a: string, b: string;
  let cursor: string;

  beforeAll(async () => {
    superId = await createActiveUser(t, { email: 'dealer@example.com' });
    [a, b] = [await device({ customerAccountId: customerId }), await device({ customerAccountId: customerId })];
    await device(); // not the customer's
  });

  it('before the link: a full answer with nothing', async () => {
    const answer = await ask(await token('tok_dealer', superId, { kind: 'concentrator' }));
    expect(answer).toMatchObject({ full: true, upserts: [], removals: [] });
    cursor = answer.cursor;
  });

  it("a superuser link: every device of the customer account, and nothing else", async () => {
    await t.container.superusers.link({ ...asSystem, email: 'dealer@example.com', customerId });
    const answer = await ask(await token('tok_dealer', superId, { kind: 'concentrator' }), cursor);
    expect(keysOf(answer)).toEqual(expected(`${a}/DEK/1`, `${b}/DEK/1`));
    expect(answer.removals).toEqual([]);
    cursor = answer.cursor;
  });

  it('a superuser unlink: those devices removed', async () => {
    await t.container.superusers.unlink({ ...asSystem, userId: superId, customerId });
    const answer = await ask(await token('tok_dealer', superId, { kind: 'concentrator' }), cursor);
    expect(answer.upserts).toEqual([]);
    expect(answer.removals).toEqual([{ deviceId: a }, { deviceId: b }].sort((x, y) => (x.deviceId < y.deviceId ? -1 : 1)));
    cursor = answer.cursor;
  });

  it('a pruned cursor: 410 sync_reset, and a full answer starts over', async () => {
    // A change after the cursor, then older than the retention: pruned, so the cursor cannot be served.
    await grant([a], 'dealer@example.com');
    t.clock.advance(31 * 86_400_000);
    expect(await sync.prune()).toBeGreaterThan(0);
    const err = await refusal(sync.sync({ principal: await token('tok_dealer', superId, { kind: 'concentrator' }), actor, since: cursor }));
    expect(err.code).toBe('sync_reset');
    expect(err.status).toBe(410);
    const again = await ask(await token('tok_dealer', superId, { kind: 'concentrator' }));
    expect(keysOf(again)).toEqual(expected(`${a}/DEK/1`));
  });
});

describe('the answer is signed and, with a registered X25519 key, encrypted', () => {
  let readerId: string;
  let dev: string;
  let dir: string;

  beforeAll(async () => {
    readerId = await createActiveUser(t, { email: 'signed@example.com' });
    dev = await device();
    await grant([dev], 'signed@example.com');
    dir = await mkdtemp(join(tmpdir(), 'openeks-sync-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function verify(body: Buffer, signature: string): Promise<void> {
    expect(signature).toMatch(/^ed25519=[A-Za-z0-9+/]{86}==$/);
    await writeFile(join(dir, 'key.pem'), t.container.signingKeys.signer().publicKeyPem);
    await writeFile(join(dir, 'body'), body);
    await writeFile(join(dir, 'sig'), Buffer.from(signature.slice('ed25519='.length), 'base64'));
    const ok = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'key.pem'), '-rawin', '-in', join(dir, 'body'), '-sigfile', join(dir, 'sig')]);
    expect(ok.stdout).toContain('Signature Verified Successfully');
    // One byte changed: openssl refuses.
    const tampered = Buffer.from(body);
    tampered[tampered.length - 2] = (tampered[tampered.length - 2] ?? 0) ^ 1;
    await writeFile(join(dir, 'body'), tampered);
    await expect(run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'key.pem'), '-rawin', '-in', join(dir, 'body'), '-sigfile', join(dir, 'sig')])).rejects.toThrow();
  }

  it('openssl pkeyutl -verify -rawin accepts the signature over the exact body', async () => {
    const answer = await sync.sync({ principal: await token('tok_signed', readerId), actor });
    await verify(answer.body, answer.signature);
  });

  it('encrypted with HPKE to the token key: the private key opens it, the signature covers the ciphertext', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const c = t.container;
    const encrypting = createSyncService({
      db: c.db,
      repo: createSyncRepo(c.db.kysely),
      guard: c.guard,
      vault: c.vault,
      audit: c.audit,
      clock: c.clock,
      cursors: createCursorKeys({ db: c.db.kysely, settings: createSettingsRepo(c.db.kysely), vault: c.vault, clock: c.clock }),
      settings: createSettingsRepo(c.db.kysely),
      signer: () => c.signingKeys.signer(),
      publicKeyOf: async (tokenId) => (tokenId === 'tok_hpke' ? pem : null),
    });
    const answer = await encrypting.sync({ principal: await token('tok_hpke', readerId), actor });
    expect(answer.contentType).toBe('application/vnd.openeks.key-sync+hpke');
    expect(answer.body.includes(Buffer.from('openeks-key-sync'))).toBe(false);
    await verify(answer.body, answer.signature);
    const raw = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
    const plain = JSON.parse((await hpkeOpen(raw, answer.body)).toString('utf8')) as Answer;
    expect(keysOf(plain)).toEqual(expected(`${dev}/DEK/1`));
    // Another private key opens nothing.
    const stranger = Buffer.from(generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
    await expect(hpkeOpen(stranger, answer.body)).rejects.toThrow();
  });
});
