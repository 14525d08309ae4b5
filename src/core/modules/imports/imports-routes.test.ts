import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kamstrupSampleKem } from '../../../../test/fixtures/fixture-files.js';
import { createTestApp, signIn, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword } from '../../../../test/support/accounts.js';
import { kemFileWithOuterDoctype, meterXml } from '../../../../test/fixtures/imports/kem-files.js';
import { KEY_CSV_HEADER as header } from '../../../shared/inventory/key-csv-columns.js';
import { registerAuthHook } from '../../http/auth-hook.js';
import { registerErrorHandler } from '../../http/error-handler.js';
import { ErrorBody } from '../../http/schemas.js';
import { deviceKeyContext } from '../keys/key-crypto.js';
import type { ImportView } from './import-service.js';
import { importsRoutes } from './imports-routes.js';

let t: TestApp;
let operator: SignedIn;
beforeEach(async () => {
  t = await createTestApp();
  operator = await t.signInOperator('ops@example.com');
});
afterEach(async () => t.close());

const csv = (...lines: string[]): string => `${[header, ...lines].join('\n')}\n`;
const line = (serial: string, key: string, extra: { keyType?: string } = {}): string => `${serial},KAM,meter,water-cold,MULTICAL 21,,,ORD-1,DN-1,,${extra.keyType ?? 'DEK'},${key}`;
const hex = (): string => randomBytes(16).toString('hex').toUpperCase();
const kemPassword = 'S3cret-Pass-77';

function post(body: string | Buffer, query = '', session: SignedIn = operator, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: `/api/imports${query}`,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'text/csv', ...headers },
    payload: body,
  });
}

const getImport = (id: string, session: SignedIn = operator) => t.app.inject({ method: 'GET', url: `/api/imports/${id}`, headers: { cookie: session.cookie } });

async function spoolFiles(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('openeks-import-'));
}

describe('POST /api/imports', () => {
  it('answers 202 with the running import; polling shows it succeed; the keys are stored encrypted; the password header reaches no log', async () => {
    const before = await spoolFiles();
    const keys = [hex(), hex()];
    const res = await post(csv(line('63941885', keys[0] ?? ''), line('63941886', keys[1] ?? '')), '?fileName=delivery.csv&deliveryDate=2026-09-30', operator, { 'x-kem-password': kemPassword });
    expect(res.statusCode).toBe(202);
    const started = res.json<ImportView>();
    expect(started).toMatchObject({ fileName: 'delivery.csv', status: 'running', newVersion: false, finishedAt: null, problems: [], problemCount: 0 });
    expect(started.id).toMatch(/^imp_/);

    let view = started;
    for (let i = 0; i < 200 && view.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const poll = await getImport(started.id);
      expect(poll.statusCode).toBe(200);
      view = poll.json<ImportView>();
    }
    expect(view).toMatchObject({ status: 'succeeded', format: 'csv', rowsDone: 2, devicesCreated: 2, keysCreated: 2, errorCode: null });
    expect(view.bytesDone).toBe(view.bytesTotal);

    const devices = await t.container.db.kysely.selectFrom('devices').select(['serial', 'delivery_date', 'import_id']).orderBy('serial').execute();
    expect(devices).toEqual([
      { serial: '63941885', delivery_date: '2026-09-30', import_id: started.id },
      { serial: '63941886', delivery_date: '2026-09-30', import_id: started.id },
    ]);
    const stored = await t.container.db.kysely.selectFrom('device_keys').selectAll().orderBy('created_at').execute();
    const plain = await Promise.all(
      stored.map((k) => t.container.vault.decrypt({ ciphertext: k.ciphertext ?? '', context: deviceKeyContext({ id: k.id, deviceId: k.device_id, keyType: k.key_type, version: k.version }) })),
    );
    expect(plain.map((p) => p.toString('hex').toUpperCase()).sort()).toEqual([...keys].sort());

    const imported = await t.container.db.kysely.selectFrom('imports').selectAll().executeTakeFirstOrThrow();
    expect(imported).toMatchObject({ user_id: operator.userId, status: 'succeeded' });
    expect(imported.sha256).toMatch(/^[0-9a-f]{64}$/);
    const audit = await auditOf(t, 'import.complete');
    expect(audit[0]).toMatchObject({ actor_id: operator.userId, actor_role: 'operator', target_id: started.id });

    const list = await t.app.inject({ method: 'GET', url: '/api/imports', headers: { cookie: operator.cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: ImportView[] }>().items.map((i) => i.id)).toEqual([started.id]);

    expect(t.logs()).not.toContain(kemPassword);
    for (const key of keys) expect(t.logs()).not.toContain(key);
    // The spooled upload is deleted right after the import has finished.
    let left = await spoolFiles();
    for (let i = 0; i < 100 && left.length > before.length; i++) {
      await new Promise((r) => setTimeout(r, 20));
      left = await spoolFiles();
    }
    expect(left).toEqual(before);
  });

  it('with wait=true answers 200 with the finished import', async () => {
    const res = await post(csv(line('63941885', hex())), '?wait=true&fileName=a.csv');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'succeeded', devicesCreated: 1, keysCreated: 1, fileName: 'a.csv' });
  });

  it('answers 422 import_rejected with every bad row (wait=true), stores nothing and audits import.reject', async () => {
    const res = await post(csv(line('63941885', hex()), line('1234', hex()), line('63941886', 'ABCD'), line('63941885', hex())), '?wait=true');
    expect(res.statusCode).toBe(422);
    const error = res.json<{ error: { code: string; details: unknown[] } }>().error;
    expect(error.code).toBe('import_rejected');
    expect(error.details).toEqual([
      { row: 3, field: 'serial', code: 'meter_serial_format', reason: 'a meter serial is its 8-digit wireless M-Bus ID' },
      { row: 4, field: 'key', code: 'key_length', params: { length: 4 }, reason: 'a key is 32 or 64 hex digits (16 or 32 bytes), not 4' },
      { row: 5, field: 'key_type', code: 'duplicate_row', reason: 'duplicate of an earlier row' },
    ]);
    expect(await t.container.db.kysely.selectFrom('devices').select('id').execute()).toEqual([]);
    expect(await t.container.db.kysely.selectFrom('device_keys').select('id').execute()).toEqual([]);
    const reject = await auditOf(t, 'import.reject');
    expect(reject).toHaveLength(1);
    expect(JSON.parse(reject[0]?.details ?? '{}')).toMatchObject({ errorCode: 'import_rejected', problemCount: 3 });
    const [failed] = (await t.app.inject({ method: 'GET', url: '/api/imports', headers: { cookie: operator.cookie } })).json<{ items: ImportView[] }>().items;
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'import_rejected', problemCount: 3, fileName: 'upload' });
  });

  it('gives every problem a stable code and the parameters its text needs, in the 422 answer and in the import', async () => {
    const res = await post(
      csv(line('63941885', hex()), line('1234', hex()), line('63941886', 'ABCD'), line('63941885', hex()), `63941887,KAM,meter,water-cold,MULTICAL 21,,,ORD-1,DN-1,K-404,DEK,${hex()}`),
      '?wait=true',
    );
    expect(res.statusCode).toBe(422);
    const expected = [
      { row: 3, field: 'serial', code: 'meter_serial_format', reason: 'a meter serial is its 8-digit wireless M-Bus ID' },
      { row: 4, field: 'key', code: 'key_length', params: { length: 4 }, reason: 'a key is 32 or 64 hex digits (16 or 32 bytes), not 4' },
      { row: 5, field: 'key_type', code: 'duplicate_row', reason: 'duplicate of an earlier row' },
      { row: 6, field: 'customer_no', code: 'customer_unknown', params: { customerNo: 'K-404' }, reason: 'no customer account K-404' },
    ];
    expect(res.json<{ error: { details: unknown[] } }>().error.details).toEqual(expected);
    const [failed] = (await t.app.inject({ method: 'GET', url: '/api/imports', headers: { cookie: operator.cookie } })).json<{ items: ImportView[] }>().items;
    expect(failed?.problems).toEqual(expected);
    expect((await getImport(failed?.id ?? '')).json<ImportView>().problems).toEqual(expected);
  });

  it('records a KEM file that did not open as a KEM import: a wrong password, no password, damaged base64', async () => {
    const sample = await readFile(kamstrupSampleKem.path);
    const text = sample.toString('latin1');
    const damaged = Buffer.from(text.replace('<CipherValue>', '<CipherValue>-'), 'latin1');
    const cases: Array<[Buffer, Record<string, string>, string]> = [
      [sample, { 'x-kem-password': 'falsch' }, 'kem_password_wrong'],
      [sample, {}, 'kem_password_wrong'],
      [damaged, { 'x-kem-password': kamstrupSampleKem.password }, 'file_unreadable'],
    ];
    for (const [body, headers, code] of cases) {
      const res = await post(body, '?wait=true&fileName=kamstrup.kem', operator, { 'content-type': 'application/octet-stream', ...headers });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe(code);
    }
    const items = (await t.app.inject({ method: 'GET', url: '/api/imports', headers: { cookie: operator.cookie } })).json<{ items: ImportView[] }>().items;
    expect(items.map((i) => [i.status, i.format, i.errorCode]).sort()).toEqual([
      ['failed', 'kem', 'file_unreadable'],
      ['failed', 'kem', 'kem_password_wrong'],
      ['failed', 'kem', 'kem_password_wrong'],
    ]);
    const rows = await t.container.db.kysely.selectFrom('imports').select('format').execute();
    expect(rows.map((r) => r.format)).toEqual(['kem', 'kem', 'kem']);
    // A file that is not recognised stays without a format.
    const other = await post('this is not a file anyone could import\n', '?wait=true', operator, { 'content-type': 'application/octet-stream' });
    expect(other.statusCode).toBe(422);
    const all = (await t.app.inject({ method: 'GET', url: '/api/imports', headers: { cookie: operator.cookie } })).json<{ items: ImportView[] }>().items;
    expect(all.map((i) => i.format).sort()).toEqual(['kem', 'kem', 'kem', null]);
  });

  it('answers 422 file_unreadable for a file that is no import file', async () => {
    const res = await post('this is not a file anyone could import\n', '?wait=true', operator, { 'content-type': 'application/octet-stream' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('file_unreadable');
  });

  it('answers 422 file_unreadable to a KEM file declaring a DOCTYPE, and stores nothing (issue 11, item 11)', async () => {
    const kem = kemFileWithOuterDoctype(`<MetersInOrder orderid="1" schemaVersion="2.0">${meterXml('63941885', hex())}</MetersInOrder>`, kemPassword);
    const res = await post(kem, '?wait=true', operator, { 'content-type': 'application/octet-stream', 'x-kem-password': kemPassword });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'file_unreadable', details: [{ field: 'xml', reason: 'a DOCTYPE declaration (KEM files have none)' }] });
    expect(await t.container.db.kysely.selectFrom('devices').select('id').execute()).toEqual([]);
    expect(await t.container.db.kysely.selectFrom('device_keys').select('id').execute()).toEqual([]);
  });

  it('refuses query values outside their schema with validation_failed', async () => {
    for (const query of ['?deliveryDate=30.09.2026', '?customerNo=a%20b', '?newVersion=maybe', '?other=1']) {
      const res = await post(csv(line('63941885', hex())), query);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    expect(await t.container.db.kysely.selectFrom('imports').select('id').execute()).toEqual([]);
  });

  it('answers 404 to a signed-in user who is no operator, and audits the denial', async () => {
    await createActiveUser(t, { email: 'reader@example.com' });
    const user = await signIn(t.app, 'reader@example.com', goodPassword);
    const res = await post(csv(line('63941885', hex())), '?wait=true', user);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await t.app.inject({ method: 'GET', url: '/api/imports', headers: { cookie: user.cookie } })).statusCode).toBe(404);
    expect((await getImport('imp_x', user)).statusCode).toBe(404);
    expect(await t.container.db.kysely.selectFrom('imports').select('id').execute()).toEqual([]);
    const denials = await auditOf(t, 'access.deny');
    expect(denials.map((d) => d.target_id)).toEqual(['POST /api/imports', 'GET /api/imports', 'GET /api/imports/:id']);
  });

  it('answers 401 without a session and 403 without the CSRF token', async () => {
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/imports', headers: { 'content-type': 'text/csv' }, payload: csv() });
    expect(anonymous.statusCode).toBe(401);
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/imports', headers: { cookie: operator.cookie, 'content-type': 'text/csv' }, payload: csv() });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('csrf_failed');
  });

  it('GET /api/imports/{id} answers 404 for an unknown import', async () => {
    const res = await getImport('imp_unknown');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

describe('the upload cap', () => {
  it('answers 413 body_too_large just above the cap, keeps no file and starts no import', async () => {
    // The same plugin with a cap of 4 KiB instead of 512 MiB, behind the real session hook.
    const small = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
    registerErrorHandler(small, { databaseDown: async () => false });
    small.addSchema(ErrorBody);
    await small.register(cookie);
    registerAuthHook(small, { authenticate: (token) => t.container.sessions.authenticate(token), authenticateToken: (token, origin) => t.container.tokens.authenticate(token, origin), recordDenial: t.container.recordDenial, https: false });
    await small.register(importsRoutes({ imports: t.container.imports, maxUploadBytes: 4096 }));
    await small.ready();
    try {
      const before = await spoolFiles();
      const body = csv(...Array.from({ length: 60 }, (_, i) => line(String(10_000_000 + i), hex())));
      expect(Buffer.byteLength(body)).toBeGreaterThan(4096);
      expect(Buffer.byteLength(body)).toBeLessThan(6000);
      const headers = { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken, 'content-type': 'text/csv' };

      // Declared too large: refused before reading.
      const declared = await small.inject({ method: 'POST', url: '/api/imports?wait=true', headers, payload: body });
      expect(declared.statusCode).toBe(413);
      expect(declared.json().error.code).toBe('body_too_large');

      // Chunked (no length): refused when the spool passes the cap.
      const { Readable } = await import('node:stream');
      const chunked = await small.inject({ method: 'POST', url: '/api/imports?wait=true', headers, payload: Readable.from([body.slice(0, 3000), body.slice(3000)]) });
      expect(chunked.statusCode).toBe(413);
      expect(chunked.json().error.code).toBe('body_too_large');

      expect(await spoolFiles()).toEqual(before);
      expect(await t.container.db.kysely.selectFrom('imports').select('id').execute()).toEqual([]);

      const fits = await small.inject({ method: 'POST', url: '/api/imports?wait=true', headers, payload: csv(line('63941885', hex())) });
      expect(fits.statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });
});
