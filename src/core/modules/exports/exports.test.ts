import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, signIn, totpCode, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword } from '../../../../test/support/accounts.js';
import { storeDevice } from '../../../../test/support/devices.js';
import { get, post, signInSuperuser } from '../../../../test/support/grants.js';
import { tempDir, type TempDir, unzipped } from '../../../../test/exports/export-files.js';
import { gpgHome, gpgKeys } from '../../../../test/exports/gpg-keys.js';
import { opensslOpensKem } from '../../../../test/support/kem-openssl.js';

// Downloads over the API (docs/downloads.md "Downloading", "Step-up"): the preview's counts, the
// streamed file and its headers, only active key versions leaving, every device audited before it
// leaves, the refusals (status, code, field; nothing sent, nothing stored), step-up, and scopes.

let t: TestApp;
let op: SignedIn & { totpSecret: string };
let su: SignedIn & { totpSecret?: string };
let suSecret: string;
let customerA: string;
const dev: Record<string, string> = {};
const hex = (n: number) => n.toString(16).padStart(2, '0').repeat(16);

beforeAll(async () => {
  t = await createTestApp();
  op = await t.signInOperator('ops@example.com');
  const customers = t.container.customers;
  const system = { principal: { kind: 'system' as const, userId: null, roles: ['operator' as const], customerAccountIds: [] }, actor: { userId: null, role: 'system' as const, ip: null, userAgent: 'test', requestId: null, authMethod: 'cli' } };
  customerA = (await customers.create({ customerNo: 'SW-10042', name: 'Stadtwerke Musterstadt', ...system })).id;
  const customerB = (await customers.create({ customerNo: '4712', name: 'Wohnbau Musterstadt', ...system })).id;
  const store = async (name: string, serial: string, customerAccountId: string, keys: Parameters<typeof storeDevice>[1]['keys']) => {
    dev[name] = (await storeDevice(t.container, { manufacturer: 'KAM', serial, customerAccountId, model: 'MULTICAL 21', keys })).deviceId;
  };
  // a1: an old compromised version and the active one; only the active one leaves.
  await store('a1', '40000001', customerA, [
    { hex: hex(0x01), state: 'compromised' },
    { hex: hex(0x11), state: 'active' },
  ]);
  await store('a2', '40000002', customerA, [{ hex: hex(0x12) }, { hex: hex(0x13), keyType: 'GPK1', version: 1 }]);
  await store('a3', '40000003', customerA, [{ hex: hex(0x03), state: 'compromised' }]);
  await store('a4', '40000004', customerA, [{ hex: hex(0x04), state: 'suspended' }]);
  await store('a5', '40000005', customerA, [{ hex: hex(0x05), state: 'destroyed' }]);
  await store('a6', '40000006', customerA, []);
  await store('a7', '40000007', customerA, [{ hex: hex(0x07), state: 'deactivated' }]);
  await store('a8', '40000008', customerA, [{ hex: hex(0x08), state: 'pre-activation' }]);
  await store('b1', '50000001', customerB, [{ hex: hex(0x21) }]);
  const signedIn = await signInSuperuser(t, 'anna.haendler@example.com', [customerA]);
  su = signedIn;
  // signInSuperuser enrols a fresh TOTP secret; read it back for step-up codes.
  suSecret = await secretOf(signedIn.userId);
});
afterAll(async () => t?.close());

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

async function secretOf(userId: string): Promise<string> {
  const row = await t.container.db.kysely.selectFrom('mfa_totp').select(['user_id', 'secret_ciphertext']).where('user_id', '=', userId).executeTakeFirstOrThrow();
  const seed = await t.container.vault.decrypt({ ciphertext: row.secret_ciphertext, context: { table: 'mfa_totp', userId } });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of seed) bits += byte.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i + 5 <= bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

const allOfA = { filter: { customerNo: 'SW-10042' }, count: 8 };
const day = () => t.clock.now().toISOString().slice(0, 10);
const refusal = (res: { statusCode: number; json(): { error: { code: string; details?: unknown } } }) => ({ status: res.statusCode, code: res.json().error.code, details: res.json().error.details });
const exportRows = async () => Number((await t.container.db.kysely.selectFrom('exports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const exportRecords = async () => (await auditOf(t, 'keys.export')).length;
const linkedDevices = async (exportId: string) =>
  (
    await t.container.db.kysely
      .selectFrom('audit_devices')
      .innerJoin('audit_log', 'audit_log.seq', 'audit_devices.audit_seq')
      .select('audit_devices.device_id')
      .where('audit_log.action', '=', 'keys.export')
      .where('audit_log.target_id', '=', exportId)
      .execute()
  )
    .map((r) => r.device_id)
    .sort();

/** The downloaded ZIP's CSV member's lines (header first). */
async function csvOf(body: Buffer): Promise<string[]> {
  const path = dir.path('download.zip');
  await writeFile(path, body);
  const members = await unzipped(dir, path);
  const csv = members.find((m) => m.endsWith('.csv'));
  if (csv === undefined) throw new Error(`no CSV member in ${members.join(', ')}`);
  return (await readFile(dir.path(`x/${csv}`), 'utf8')).split('\r\n').filter((l) => l !== '');
}

describe('preview', () => {
  it('counts the devices and keys that leave and those left out, by why, and names the file', async () => {
    const res = await post(t, op, '/api/exports/preview', { selection: allOfA, format: 'csv' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      devices: 2,
      keys: 3,
      leftOut: { compromised: 1, suspended: 1, deactivated: 1, destroyed: 1, preActivation: 1, noActiveKey: 1 },
      fileName: `openeks-sw-10042-${day()}-2.csv.zip`,
      reauthRequired: false,
    });
    // Devices of two customer accounts: `all`.
    const mixed = await post(t, op, '/api/exports/preview', { selection: { ids: [dev.a1, dev.b1] }, format: 'csv' });
    expect(mixed.json()).toMatchObject({ devices: 2, keys: 2, fileName: `openeks-all-${day()}-2.csv.zip` });
    expect(await exportRows()).toBe(0);
    expect(await exportRecords()).toBe(0);
  });
});

describe('download', () => {
  it('streams the active keys only, with its headers, audited per device before they leave', async () => {
    const res = await post(t, op, '/api/exports', { selection: allOfA, format: 'csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="openeks-sw-10042-${day()}-2.csv.zip"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-openeks-devices']).toBe('2');
    expect(res.headers['x-openeks-left-out']).toBe('compromised=1, suspended=1, deactivated=1, destroyed=1, pre-activation=1, no-active-key=1');
    const exportId = String(res.headers['x-openeks-export-id']);
    expect(exportId).toMatch(/^exp_/);

    const lines = await csvOf(res.rawPayload);
    // Devices leave in id order (random ids): compared sorted.
    expect(lines.slice(1).sort().map((l) => l.split(',')).map((c) => [c[0], c.at(-2), c.at(-1)])).toEqual([
      ['40000001', 'DEK', hex(0x11).toUpperCase()],
      ['40000002', 'DEK', hex(0x12).toUpperCase()],
      ['40000002', 'GPK1', hex(0x13).toUpperCase()],
    ]);

    expect(await linkedDevices(exportId)).toEqual([dev.a1, dev.a2].sort());
    const record = (await auditOf(t, 'keys.export')).at(-1);
    expect(record).toMatchObject({ actor_id: op.userId, target_type: 'export', target_id: exportId, result: 'allowed' });
    expect(JSON.parse(record?.details ?? '{}')).toEqual({ exportId, format: 'csv', count: 2 });

    const view = await get(t, op, `/api/exports/${exportId}`);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ id: exportId, format: 'csv', status: 'done', total: 2, rowsWritten: 2, fileName: `openeks-sw-10042-${day()}-2.csv.zip`, error: null });
    expect(view.json().leftOut).toEqual({ compromised: 1, suspended: 1, deactivated: 1, destroyed: 1, preActivation: 1, noActiveKey: 1 });
  });

  it('refuses bad input naming the field: nothing sent, nothing stored', async () => {
    const rows = await exportRows();
    const records = await exportRecords();
    const download = (body: object) => post(t, op, '/api/exports', body);

    const format = refusal(await download({ selection: allOfA, format: 'pdf' }));
    expect(format).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(JSON.stringify(format.details)).toContain('format');
    expect(refusal(await download({ selection: allOfA, format: 'kem' }))).toEqual({ status: 400, code: 'validation_failed', details: [{ field: 'password', reason: 'is 0 bytes, must be 1 to 16' }] });
    expect(refusal(await download({ selection: allOfA, format: 'kem', password: '' }))).toEqual({ status: 400, code: 'validation_failed', details: [{ field: 'password', reason: 'is 0 bytes, must be 1 to 16' }] });
    // 16 characters, 17 bytes of UTF-8.
    expect(refusal(await download({ selection: allOfA, format: 'kem2', password: 'ä123456789012345' }))).toEqual({
      status: 400,
      code: 'validation_failed',
      details: [{ field: 'password', reason: 'is 17 bytes, must be 1 to 16' }],
    });
    expect(refusal(await download({ selection: allOfA, format: 'csv', password: 'x' }))).toMatchObject({ status: 400, details: [{ field: 'password' }] });
    expect(refusal(await download({ selection: { ids: [dev.a3, dev.a6] }, format: 'csv' }))).toEqual({
      status: 400,
      code: 'validation_failed',
      details: [{ field: 'selection', reason: 'holds no device with an active key' }],
    });
    expect(refusal(await download({ selection: { filter: { serial: '9*' }, count: 0 }, format: 'csv' }))).toEqual({ status: 400, code: 'validation_failed', details: [{ field: 'selection', reason: 'holds no device' }] });
    expect(refusal(await download({ selection: { ...allOfA, count: 7 }, format: 'csv' }))).toMatchObject({ status: 409, code: 'selection_changed', details: [{ field: 'selection.count', count: 8 }] });
    expect(refusal(await download({ selection: allOfA, format: 'csv', encryptTo: 'openpgp' }))).toMatchObject({ status: 400, details: [{ field: 'encryptTo' }] });

    expect(await exportRows()).toBe(rows);
    expect(await exportRecords()).toBe(records);
  });
});

describe('formats and encryption through the API', () => {
  it('a KEM download with a password opens with openssl, only the active keys inside', async () => {
    await reauth(op, op.totpSecret);
    const res = await post(t, op, '/api/exports', { selection: allOfA, format: 'kem', password: 'Geheim-ä1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="openeks-sw-10042-${day()}-2.kem.zip"`);
    const path = dir.path('download.kem.zip');
    await writeFile(path, res.rawPayload);
    const members = await unzipped(dir, path);
    const kem = members.find((m) => m.endsWith('.kem'));
    expect(kem).toMatch(/^[0-9A-F]{32}\.kem$/);
    const xml = await opensslOpensKem(dir.path(`x/${kem ?? ''}`), 'Geheim-ä1', dir.dir);
    expect(xml).toContain('40000001');
    expect(xml).toContain('40000002');
    expect(xml.toUpperCase()).toContain(hex(0x11).toUpperCase());
    expect(xml).not.toContain('40000003');
    expect(xml.toUpperCase()).not.toContain(hex(0x01).toUpperCase());
    await expect(opensslOpensKem(dir.path(`x/${kem ?? ''}`), 'wrong', dir.dir)).rejects.toThrow();
  });

  it("encrypted to the user's registered OpenPGP key: gpg --decrypt gives back the signed ZIP", async () => {
    const g = await gpgHome();
    try {
      const keys = await gpgKeys(g);
      const rows = await exportRows();
      expect(refusal(await post(t, op, '/api/exports', { selection: allOfA, format: 'csv', encryptTo: 'openpgp' }))).toEqual({
        status: 400,
        code: 'validation_failed',
        details: [{ field: 'encryptTo', reason: 'no OpenPGP key registered' }],
      });
      expect(await exportRows()).toBe(rows);
      const put = await t.app.inject({ method: 'PUT', url: '/api/me/openpgp-key', headers: { cookie: op.cookie, 'x-csrf-token': op.csrfToken }, payload: { armored: keys.publicKey } });
      expect(put.statusCode).toBe(200);
      await reauth(op, op.totpSecret);
      const res = await post(t, op, '/api/exports', { selection: allOfA, format: 'csv', encryptTo: 'openpgp' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pgp-encrypted');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="openeks-sw-10042-${day()}-2.csv.zip.gpg"`);
      await writeFile(dir.path('download.gpg'), res.rawPayload);
      await g.gpg(['--batch', '--yes', '--output', dir.path('download.zip'), '--decrypt', dir.path('download.gpg')]);
      const members = await unzipped(dir, dir.path('download.zip'));
      expect(members).toContain('SHA256SUMS.sig');
      const csv = (await readFile(dir.path(`x/${members.find((m) => m.endsWith('.csv')) ?? ''}`), 'utf8')).split('\r\n').filter((l) => l !== '');
      expect(csv).toHaveLength(4);
    } finally {
      await g.remove();
    }
  }, 60_000);
});

describe('scope', () => {
  it("a superuser downloads his customer accounts' devices; another's device is 404, audited, nothing sent", async () => {
    await reauth(su);
    const own = await post(t, su, '/api/exports', { selection: { filter: {}, count: 8 }, format: 'csv' });
    expect(own.statusCode).toBe(200);
    expect(own.headers['x-openeks-devices']).toBe('2');

    const rows = await exportRows();
    const denials = (await auditOf(t, 'access.deny')).length;
    const foreign = await post(t, su, '/api/exports', { selection: { ids: [dev.a1, dev.b1] }, format: 'csv' });
    expect(refusal(foreign)).toMatchObject({ status: 404, code: 'not_found' });
    expect((await auditOf(t, 'access.deny')).length).toBe(denials + 1);
    expect(await exportRows()).toBe(rows);
    // The export of someone else is not found either.
    const opExport = String((await post(t, op, '/api/exports', { selection: { ids: [dev.b1] }, format: 'csv' })).headers['x-openeks-export-id']);
    expect(refusal(await get(t, su, `/api/exports/${opExport}`))).toMatchObject({ status: 404, code: 'not_found' });
    const suExport = String(own.headers['x-openeks-export-id']);
    expect((await get(t, op, `/api/exports/${suExport}`)).json()).toMatchObject({ status: 'done', total: 2, rowsWritten: 2 });
  });

  it('a reader downloads the devices granted to him and nothing else', async () => {
    await createActiveUser(t, { email: 'bernd.leser@example.com' });
    expect((await post(t, su, '/api/grants', { selection: { ids: [dev.a2] }, email: 'bernd.leser@example.com' })).statusCode).toBe(201);
    const reader = await signIn(t.app, 'bernd.leser@example.com', goodPassword);
    const res = await post(t, reader, '/api/exports', { selection: { filter: {}, count: 1 }, format: 'csv' });
    expect(res.statusCode).toBe(200);
    expect((await csvOf(res.rawPayload)).slice(1).map((l) => l.split(',')[0])).toEqual(['40000002', '40000002']);
    expect(refusal(await post(t, reader, '/api/exports', { selection: { ids: [dev.a1] }, format: 'csv' }))).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('with an API token (Authorization: Bearer)', () => {
  it('downloads without step-up or CSRF, within its user\'s scope narrowed by its filter; the export names the token', async () => {
    await reauth(su);
    const created = await post(t, su, '/api/me/tokens', { name: 'Head-end', kind: 'read', deviceFilter: { serialFrom: '40000002', serialTo: '40000002' } });
    expect(created.statusCode, created.body).toBe(201);
    const { token, view } = created.json<{ token: string; view: { id: string } }>();
    const bearer = (url: string, body: object) => t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

    // Long after the session's sign-in: a token has no step-up.
    t.clock.advance(6 * 60_000);
    const preview = await bearer('/api/exports/preview', { selection: { filter: {}, count: 1 }, format: 'csv' });
    expect(preview.json()).toMatchObject({ devices: 1, reauthRequired: false });
    const res = await bearer('/api/exports', { selection: { filter: {}, count: 1 }, format: 'csv' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await csvOf(res.rawPayload)).slice(1).map((l) => l.split(',')[0])).toEqual(['40000002', '40000002']);
    const exportId = String(res.headers['x-openeks-export-id']);
    const row = await t.container.db.kysely.selectFrom('exports').selectAll().where('id', '=', exportId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ token_id: view.id, user_id: su.userId, status: 'done', total: 1, rows_written: 1 });
    expect(await linkedDevices(exportId)).toEqual([dev.a2]);

    // A device of its user's scope outside the token's filter is not found, audited, nothing sent.
    const rows = await exportRows();
    const denials = (await auditOf(t, 'access.deny')).length;
    expect(refusal(await bearer('/api/exports', { selection: { ids: [dev.a1] }, format: 'csv' }))).toMatchObject({ status: 404, code: 'not_found' });
    expect((await auditOf(t, 'access.deny')).length).toBe(denials + 1);
    expect(await exportRows()).toBe(rows);

    // Revoked: refused on the very next request.
    expect((await t.app.inject({ method: 'DELETE', url: `/api/me/tokens/${view.id}`, headers: { cookie: su.cookie, 'x-csrf-token': su.csrfToken } })).statusCode).toBe(204);
    expect(refusal(await bearer('/api/exports', { selection: { filter: {}, count: 1 }, format: 'csv' }))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(await exportRows()).toBe(rows);
  });
});

/** A fresh step-up with the next time step's code (the one of the sign-in is used up). */
async function reauth(s: SignedIn, secret = suSecret) {
  t.clock.advance(30_000);
  const res = await post(t, s, '/api/session/reauth', { password: goodPassword, code: totpCode(secret, t.clock) });
  if (res.statusCode !== 204) throw new Error(`reauth failed: ${res.statusCode} ${res.body}`);
}

describe('step-up', () => {
  it('a sign-in older than 5 minutes: 401 reauth_required before anything is read; reauth proves it again', async () => {
    t.clock.advance(6 * 60_000);
    expect((await post(t, su, '/api/exports/preview', { selection: allOfA, format: 'csv' })).json()).toMatchObject({ reauthRequired: true });
    const rows = await exportRows();
    const records = await exportRecords();
    expect(refusal(await post(t, su, '/api/exports', { selection: allOfA, format: 'csv' }))).toMatchObject({ status: 401, code: 'reauth_required' });
    expect(await exportRows()).toBe(rows);
    expect(await exportRecords()).toBe(records);

    const wrong = await post(t, su, '/api/session/reauth', { password: 'not the password', code: totpCode(suSecret, t.clock) });
    expect(refusal(wrong)).toMatchObject({ status: 401, code: 'invalid_credentials' });
    const noCode = await post(t, su, '/api/session/reauth', { password: goodPassword });
    expect(refusal(noCode)).toMatchObject({ status: 401, code: 'mfa_invalid', details: [{ field: 'code', reason: 'missing code' }] });
    const reauths = (await auditOf(t, 'session.reauth')).length;
    t.clock.advance(30_000);
    const code = totpCode(suSecret, t.clock);
    expect((await post(t, su, '/api/session/reauth', { password: goodPassword, code })).statusCode).toBe(204);
    expect((await auditOf(t, 'session.reauth')).length).toBe(reauths + 1);
    // The same code again is a replay.
    expect(refusal(await post(t, su, '/api/session/reauth', { password: goodPassword, code }))).toMatchObject({ status: 401, code: 'mfa_invalid', details: [{ field: 'code', reason: 'replayed code' }] });

    expect((await post(t, su, '/api/exports/preview', { selection: allOfA, format: 'csv' })).json()).toMatchObject({ reauthRequired: false });
    expect((await post(t, su, '/api/exports', { selection: allOfA, format: 'csv' })).statusCode).toBe(200);
  });

  it('a user without a second factor proves the password alone', async () => {
    await createActiveUser(t, { email: 'carla.leser@example.com' });
    const reader = await signIn(t.app, 'carla.leser@example.com', goodPassword);
    t.clock.advance(6 * 60_000);
    expect((await post(t, reader, '/api/exports/preview', { selection: { ids: [dev.a1] }, format: 'csv' })).statusCode).toBe(404);
    expect((await post(t, reader, '/api/session/reauth', { password: goodPassword })).statusCode).toBe(204);
    const record = (await auditOf(t, 'session.reauth')).at(-1);
    expect(JSON.parse(record?.details ?? '{}')).toEqual({ method: 'password' });
  });
});

describe('the CSV download re-imports', () => {
  it('into an empty database to the same devices and keys', async () => {
    await reauth(op, op.totpSecret);
    const res = await post(t, op, '/api/exports', { selection: allOfA, format: 'csv' });
    const path = dir.path('download.zip');
    await writeFile(path, res.rawPayload);
    const members = await unzipped(dir, path);
    const csv = dir.path(`x/${members.find((m) => m.endsWith('.csv')) ?? ''}`);
    const other = await createTestApp();
    try {
      const system = { principal: { kind: 'system' as const, userId: null, roles: ['operator' as const], customerAccountIds: [] }, actor: { userId: null, role: 'system' as const, ip: null, userAgent: 'test', requestId: null, authMethod: 'cli' } };
      await other.container.customers.create({ customerNo: 'SW-10042', name: 'Stadtwerke Musterstadt', ...system });
      const view = await other.container.imports.run({ path: csv, fileName: 'export.csv', newVersion: false, ...system });
      expect(view.status).toBe('succeeded');
      const again = await other.signInOperator('ops2@example.com');
      const back = await post(other, again, '/api/exports', { selection: { filter: {}, count: 2 }, format: 'csv' });
      expect(back.statusCode).toBe(200);
      const first = await csvOf(res.rawPayload);
      const second = await csvOf(back.rawPayload);
      // Devices leave in id order, and the ids are new in the other database.
      expect(second[0]).toBe(first[0]);
      expect(second.slice(1).sort()).toEqual(first.slice(1).sort());
      expect(first).toHaveLength(4);
    } finally {
      await other.close();
    }
  });
});
