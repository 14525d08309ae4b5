import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, signIn, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword, outboxCount, outboxMail, signInNewUser, tokenIn } from '../../../../test/support/accounts.js';
import { storeDevice } from '../../../../test/support/devices.js';
import { activeGrants, get, post, signInSuperuser, userByEmail } from '../../../../test/support/grants.js';

// Read rights over the API (docs/grants.md): assign to an account or by invitation, the readers
// of a selection, revoke, and every refusal with its status, code, rows, audit records and mails.

let t: TestApp;
let op: SignedIn;
let su: SignedIn;
let customerA: string;
let customerB: string;
/** Customer A's meters 20000001 … 20000006, in serial order. */
const devA: string[] = [];
let devB: string;
let compromisable: { deviceId: string; keyId: string };

beforeAll(async () => {
  t = await createTestApp();
  op = await t.signInOperator('ops@example.com');
  customerA = (await t.container.customers.create({ customerNo: '4711', name: 'Stadtwerke Musterstadt', ...asSystem })).id;
  customerB = (await t.container.customers.create({ customerNo: '4712', name: 'Wohnbau Musterstadt', ...asSystem })).id;
  for (let i = 1; i <= 6; i++) {
    const stored = await storeDevice(t.container, { manufacturer: 'KAM', serial: `2000000${i}`, customerAccountId: customerA, keys: i === 6 ? [{ hex: '00112233445566778899aabbccddeeff', state: 'active' }] : [] });
    devA.push(stored.deviceId);
    if (i === 6) compromisable = { deviceId: stored.deviceId, keyId: stored.keyIds[0] ?? '' };
  }
  devB = (await storeDevice(t.container, { manufacturer: 'KAM', serial: '30000001', customerAccountId: customerB })).deviceId;
  su = await signInSuperuser(t, 'anna.haendler@example.com', [customerA], { name: 'Anna Händler' });
});
afterAll(async () => t?.close());

const ids = (...list: string[]) => ({ ids: list });
const grant = (s: SignedIn, selection: object, email: string) => post(t, s, '/api/grants', { selection, email });
const refusal = (res: { statusCode: number; json(): { error: { code: string; details?: unknown } } }) => ({ status: res.statusCode, code: res.json().error.code, details: res.json().error.details });
const serials = async (s: SignedIn) => (await get(t, s, '/api/devices')).json<{ items: Array<{ serial: string }> }>().items.map((d) => d.serial);
const grantRows = async () => (await t.container.db.kysely.selectFrom('grants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

describe('assigning read rights to an account', () => {
  it('grants at once, mails the reader in his language, audits once, and the reader sees exactly those devices', async () => {
    const readerId = await createActiveUser(t, { email: 'bernd.leser@example.com', language: 'de' });
    const res = await grant(su, ids(devA[0] ?? '', devA[1] ?? ''), 'Bernd.Leser@example.com');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ granted: 2, alreadyGranted: 0, reader: { readerId, email: 'bernd.leser@example.com', status: 'active' } });
    expect(await activeGrants(t, readerId)).toEqual([devA[0], devA[1]].sort());

    const record = (await auditOf(t, 'grant.create')).at(-1);
    expect(record).toMatchObject({ actor_id: su.userId, target_type: 'user', target_id: readerId, result: 'allowed' });
    expect(JSON.parse(record?.details ?? '{}')).toEqual({ selection: 'ids', devices: 2, granted: 2, alreadyGranted: 0, reader: 'active', at: t.clock.now().toISOString() });

    const mail = await outboxMail(t, 'bernd.leser@example.com', 'read-access-granted');
    expect(mail).toMatchObject({ language: 'de', subject: 'openeks: Leserechte für 2 Geräte' });
    expect(mail?.text).toContain('Anna Händler (anna.haendler@example.com) hat Ihnen Leserechte für 2 Geräte zugeordnet.');
    expect(mail?.text).toContain('http://localhost:8080/eks');

    const reader = await signIn(t.app, 'bernd.leser@example.com', goodPassword);
    expect(await serials(reader)).toEqual(['20000001', '20000002']);
    expect((await get(t, reader, '/api/devices/count')).json()).toEqual({ total: 2 });
    expect((await get(t, reader, `/api/devices/${devA[0]}`)).statusCode).toBe(200);
    expect(refusal(await get(t, reader, `/api/devices/${devA[2]}`))).toMatchObject({ status: 404, code: 'not_found' });
    // Readers do not learn who else reads; the superuser sees the count.
    expect((await get(t, reader, '/api/devices')).json().items[0].readerCount).toBeNull();
    const list = (await get(t, su, '/api/devices')).json<{ items: Array<{ serial: string; readerCount: number }> }>().items;
    expect(list.map((d) => [d.serial, d.readerCount])).toEqual([['20000001', 1], ['20000002', 1], ['20000003', 0], ['20000004', 0], ['20000005', 0], ['20000006', 0]]);
  });

  it('counts what was granted already, and lists the readers of a selection', async () => {
    const readerId = (await userByEmail(t, 'bernd.leser@example.com'))?.id;
    const firstGrantAt = t.clock.now().toISOString();
    t.clock.advance(60_000);
    const res = await grant(su, ids(devA[1] ?? '', devA[2] ?? ''), 'bernd.leser@example.com');
    expect(res.json()).toEqual({ granted: 1, alreadyGranted: 1, reader: { readerId, email: 'bernd.leser@example.com', status: 'active' } });
    expect((await outboxMail(t, 'bernd.leser@example.com', 'read-access-granted'))?.subject).toBe('openeks: Leserechte für 1 Gerät');

    const readers = await post(t, su, '/api/grants/readers', { selection: { filter: { customerNo: '4711' }, count: 6 } });
    expect(readers.statusCode).toBe(200);
    expect(readers.json()).toEqual({
      selected: 6,
      items: [{ readerId, email: 'bernd.leser@example.com', name: null, status: 'active', devices: 3, since: firstGrantAt, grantedBy: { email: 'anna.haendler@example.com', name: 'Anna Händler' } }],
    });
  });

  it('grants a filter selection set-based, and refuses it when the count changed meanwhile', async () => {
    const readerId = await createActiveUser(t, { email: 'carla.leser@example.com' });
    const before = await grantRows();
    const changed = await grant(su, { filter: { serial: '2000000*' }, count: 5 }, 'carla.leser@example.com');
    expect(refusal(changed)).toEqual({ status: 409, code: 'selection_changed', details: [{ field: 'selection.count', reason: 'is now 6', count: 6 }] });
    expect(await grantRows()).toBe(before);
    const ok = await grant(su, { filter: { serial: '2000000*' }, count: 6 }, 'carla.leser@example.com');
    expect(ok.json()).toEqual({ granted: 6, alreadyGranted: 0, reader: { readerId, email: 'carla.leser@example.com', status: 'active' } });
    const record = (await auditOf(t, 'grant.create')).at(-1);
    expect(JSON.parse(record?.details ?? '{}')).toMatchObject({ selection: 'filter', filter: '{"serial":"2000000*"}', devices: 6, granted: 6 });
  });
});

describe('refusals of an assignment', () => {
  it('names the field and stores nothing', async () => {
    await createActiveUser(t, { email: 'dora.gesperrt@example.com' });
    await t.container.db.kysely.updateTable('users').set({ status: 'disabled' }).where('email', '=', 'dora.gesperrt@example.com').execute();
    const before = await grantRows();
    const users = (await t.container.db.kysely.selectFrom('users').select('id').execute()).length;
    const one = ids(devA[0] ?? '');

    const invalid = refusal(await grant(su, one, 'not-an-address'));
    expect(invalid).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(JSON.stringify(invalid.details)).toContain('email');
    expect(refusal(await grant(su, one, 'ANNA.haendler@example.com'))).toEqual({ status: 400, code: 'validation_failed', details: [{ field: 'email', reason: 'self' }] });
    expect(refusal(await grant(su, one, 'ops@example.com'))).toEqual({ status: 400, code: 'validation_failed', details: [{ field: 'email', reason: 'operator' }] });
    expect(refusal(await grant(su, one, 'dora.gesperrt@example.com'))).toMatchObject({ status: 409, code: 'reader_disabled' });
    expect(refusal(await grant(su, { filter: { serial: '9*' }, count: 0 }, 'neu@example.com'))).toEqual({ status: 400, code: 'validation_failed', details: [{ field: 'selection', reason: 'holds no device' }] });
    expect(refusal(await grant(su, { ids: [] }, 'neu@example.com'))).toMatchObject({ status: 400, code: 'validation_failed' });

    expect(await grantRows()).toBe(before);
    expect((await t.container.db.kysely.selectFrom('users').select('id').execute()).length).toBe(users);
  });

  it('refuses a device outside the scope for the whole request: 404 naming no device, audited', async () => {
    const before = await grantRows();
    const denials = (await auditOf(t, 'access.deny')).length;
    const res = await grant(su, ids(devA[0] ?? '', devB), 'erik.leser@example.com');
    expect(refusal(res)).toMatchObject({ status: 404, code: 'not_found' });
    expect(res.body).not.toContain(devB);
    expect(await grantRows()).toBe(before);
    expect(await userByEmail(t, 'erik.leser@example.com')).toBeUndefined();
    const denial = (await auditOf(t, 'access.deny')).at(-1);
    expect((await auditOf(t, 'access.deny')).length).toBe(denials + 1);
    expect(denial).toMatchObject({ actor_id: su.userId, target_type: 'device-selection', result: 'denied' });
    // Through a filter the foreign device simply does not match: the count the superuser saw is his.
    expect(refusal(await grant(su, { filter: { customerNo: '4712' }, count: 1 }, 'erik.leser@example.com'))).toMatchObject({ status: 409, code: 'selection_changed', details: [{ count: 0 }] });
  });

  it('never lets a reader re-share (no permission: 404, audited)', async () => {
    const reader = await signIn(t.app, 'bernd.leser@example.com', goodPassword);
    for (const url of ['/api/grants', '/api/grants/readers', '/api/grants/revoke']) {
      const res = await post(t, reader, url, { selection: ids(devA[0] ?? ''), email: 'freund@example.com', readerId: reader.userId });
      expect(refusal(res)).toMatchObject({ status: 404, code: 'not_found' });
    }
    expect((await auditOf(t, 'access.deny')).at(-1)).toMatchObject({ actor_id: reader.userId, target_type: 'route', target_id: 'POST /api/grants/revoke' });
    expect(await userByEmail(t, 'freund@example.com')).toBeUndefined();
    // A superuser cannot hand on what was only granted to him.
    const other = await signInSuperuser(t, 'fritz.haendler@example.com', [customerB]);
    await grant(op, ids(devA[0] ?? ''), 'fritz.haendler@example.com');
    expect(refusal(await grant(other, ids(devA[0] ?? ''), 'freund@example.com'))).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('invitations', () => {
  it('invites an address without an account; a second assignment renews the link; completing shows exactly the granted devices', async () => {
    const first = await grant(su, ids(devA[3] ?? ''), 'neu.kunde@example.com');
    expect(first.statusCode).toBe(201);
    const invitee = await userByEmail(t, 'neu.kunde@example.com');
    expect(invitee).toMatchObject({ status: 'pending', password_hash: null, language: 'en' });
    expect(first.json()).toEqual({ granted: 1, alreadyGranted: 0, reader: { readerId: invitee?.id, email: 'neu.kunde@example.com', status: 'invited' } });
    const mail1 = await outboxMail(t, 'neu.kunde@example.com', 'invitation');
    expect(mail1?.text).toContain('Anna Händler (anna.haendler@example.com) gave you read rights for 1 device');
    expect(mail1?.text).not.toMatch(/password:/i);
    const oldToken = tokenIn(mail1?.text, '/register/complete');

    t.clock.advance(60_000);
    await grant(su, ids(devA[4] ?? ''), 'neu.kunde@example.com');
    const mail2 = await outboxMail(t, 'neu.kunde@example.com', 'invitation');
    expect(mail2?.text).toContain('read rights for 2 devices');
    const token = tokenIn(mail2?.text, '/register/complete');
    expect(token).not.toBe(oldToken);
    expect(refusal(await t.app.inject({ method: 'POST', url: '/api/registrations/inspect', payload: { token: oldToken } }))).toMatchObject({ status: 410, code: 'token_invalid' });
    expect((await auditOf(t, 'invitation.send')).filter((r) => r.target_id === invitee?.id)).toHaveLength(2);

    const readers = await post(t, su, '/api/grants/readers', { selection: ids(devA[3] ?? '') });
    expect(readers.json().items).toEqual([
      expect.objectContaining({ email: 'carla.leser@example.com', status: 'active', devices: 1 }),
      expect.objectContaining({ email: 'neu.kunde@example.com', status: 'invited', devices: 1 }),
    ]);

    const inspect = await t.app.inject({ method: 'POST', url: '/api/registrations/inspect', payload: { token } });
    expect(inspect.json()).toEqual({ email: 'neu.kunde@example.com', invitedDevices: 2 });
    const weak = await t.app.inject({ method: 'POST', url: '/api/registrations/complete', payload: { token, password: 'short' } });
    expect(refusal(weak)).toMatchObject({ status: 400, code: 'password_rejected' });
    const done = await t.app.inject({ method: 'POST', url: '/api/registrations/complete', payload: { token, password: goodPassword, name: 'Neu Kunde' } });
    expect(done.statusCode).toBe(200);
    expect((await userByEmail(t, 'neu.kunde@example.com'))?.status).toBe('active');
    expect((await auditOf(t, 'invitation.accept')).at(-1)).toMatchObject({ target_id: invitee?.id, actor_id: invitee?.id, auth_method: 'invitation-link' });
    const reader = await signIn(t.app, 'neu.kunde@example.com', goodPassword);
    expect(await serials(reader)).toEqual(['20000004', '20000005']);
    // Used once.
    expect(refusal(await t.app.inject({ method: 'POST', url: '/api/registrations/complete', payload: { token, password: goodPassword } }))).toMatchObject({ status: 410, code: 'token_invalid' });
  });

  it('withdraws an invitation whose read rights were all revoked: its link answers invitation_withdrawn', async () => {
    await grant(su, ids(devA[5] ?? ''), 'zurueck@example.com');
    const token = tokenIn((await outboxMail(t, 'zurueck@example.com', 'invitation'))?.text, '/register/complete');
    const invitee = await userByEmail(t, 'zurueck@example.com');
    const res = await post(t, su, '/api/grants/revoke', { readerId: invitee?.id });
    expect(res.json()).toEqual({ revoked: 1 });
    expect((await auditOf(t, 'invitation.cancel')).at(-1)).toMatchObject({ target_id: invitee?.id, actor_id: su.userId });
    expect(await outboxCount(t, 'zurueck@example.com')).toBe(1); // no revocation mail to an invitee
    for (const url of ['/api/registrations/inspect', '/api/registrations/complete']) {
      const dead = await t.app.inject({ method: 'POST', url, payload: url.endsWith('inspect') ? { token } : { token, password: goodPassword } });
      expect(refusal(dead)).toMatchObject({ status: 410, code: 'invitation_withdrawn' });
    }
    expect((await userByEmail(t, 'zurueck@example.com'))?.status).toBe('pending');
  });
});

describe('two assignments at once', () => {
  it('to the same new address: one pending account, both selections granted', async () => {
    const [a, b] = await Promise.all([grant(su, ids(devA[0] ?? '', devA[1] ?? ''), 'gleichzeitig@example.com'), grant(su, ids(devA[1] ?? '', devA[2] ?? ''), 'gleichzeitig@example.com')]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json<{ granted: number }>().granted + b.json<{ granted: number }>().granted).toBe(3);
    const users = await t.container.db.kysely.selectFrom('users').select('id').where('email', '=', 'gleichzeitig@example.com').execute();
    expect(users).toHaveLength(1);
    expect(await activeGrants(t, users[0]?.id ?? '')).toEqual([devA[0], devA[1], devA[2]].sort());
  });
});

describe('revoking', () => {
  it('takes effect on the reader’s next request, tells him by mail, and refuses what does not exist', async () => {
    const readerUser = await userByEmail(t, 'bernd.leser@example.com');
    const readerId = readerUser?.id ?? '';
    const reader = await signIn(t.app, 'bernd.leser@example.com', goodPassword);
    expect(await serials(reader)).toEqual(['20000001', '20000002', '20000003']);

    const res = await post(t, su, '/api/grants/revoke', { readerId, selection: ids(devA[0] ?? '') });
    expect(res.json()).toEqual({ revoked: 1 });
    expect(await serials(reader)).toEqual(['20000002', '20000003']);
    expect(refusal(await get(t, reader, `/api/devices/${devA[0]}`))).toMatchObject({ status: 404, code: 'not_found' });
    const row = await t.container.db.kysely.selectFrom('grants').selectAll().where('reader_id', '=', readerId).where('device_id', '=', devA[0] ?? '').executeTakeFirst();
    expect(row).toMatchObject({ revoked_by: su.userId, revoked_at: t.clock.now().toISOString() });
    const record = (await auditOf(t, 'grant.revoke')).at(-1);
    expect(JSON.parse(record?.details ?? '{}')).toMatchObject({ selection: 'ids', devices: 1, revoked: 1 });
    const mail = await outboxMail(t, 'bernd.leser@example.com', 'read-access-revoked');
    expect(mail?.text).toContain('hat Ihre Leserechte für 1 Gerät entfernt');

    expect(refusal(await post(t, su, '/api/grants/revoke', { readerId, selection: ids(devA[0] ?? '') }))).toMatchObject({ status: 409, code: 'nothing_to_revoke' });
    expect(refusal(await post(t, su, '/api/grants/revoke', { readerId: 'usr_unknown' }))).toMatchObject({ status: 409, code: 'nothing_to_revoke' });

    const all = await post(t, su, '/api/grants/revoke', { readerId });
    expect(all.json()).toEqual({ revoked: 2 });
    expect(await serials(reader)).toEqual([]);
    expect(JSON.parse((await auditOf(t, 'grant.revoke')).at(-1)?.details ?? '{}')).toMatchObject({ selection: 'all', revoked: 2 });
  });
});

describe('a compromised key', () => {
  it('tells every reader of its device by mail (grants follow the device)', async () => {
    const carla = 'carla.leser@example.com';
    const before = await outboxCount(t, carla);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/devices/${compromisable.deviceId}/keys/${compromisable.keyId}/state`,
      headers: { cookie: op.cookie, 'x-csrf-token': op.csrfToken },
      payload: { state: 'compromised', reason: 'Leaked in a test' },
    });
    expect(res.statusCode).toBe(200);
    expect(await outboxCount(t, carla)).toBe(before + 1);
    const mail = await outboxMail(t, carla, 'key-compromised');
    expect(mail?.subject).toBe('openeks: key of KAM 20000006 compromised');
    expect((await auditOf(t, 'key.compromise_notice')).at(-1)).toMatchObject({ target_id: compromisable.keyId, details: JSON.stringify({ deviceId: compromisable.deviceId, readers: 1 }) });
  });
});

describe('with no grants at all', () => {
  it('a plain user sees nothing', async () => {
    const nobody = await signInNewUser(t, 'niemand@example.com');
    expect(await serials(nobody)).toEqual([]);
  });
});

describe('invitation links that no longer work (runs last: it moves the clock a week on)', () => {
  it('an assignment that adds nothing sends no mail', async () => {
    const before = await outboxCount(t, 'carla.leser@example.com');
    const res = await grant(su, ids(devA[0] ?? ''), 'carla.leser@example.com');
    expect(res.json()).toMatchObject({ granted: 0, alreadyGranted: 1 });
    expect(await outboxCount(t, 'carla.leser@example.com')).toBe(before);
  });

  it('an expired one answers token_invalid, and an invitation link opens no other page', async () => {
    await grant(su, ids(devA[2] ?? ''), 'spaet@example.com');
    const token = tokenIn((await outboxMail(t, 'spaet@example.com', 'invitation'))?.text, '/register/complete');
    const reset = await t.app.inject({ method: 'POST', url: '/api/password-resets/inspect', payload: { token } });
    expect(refusal(reset)).toMatchObject({ status: 410, code: 'token_invalid' });
    expect((await t.app.inject({ method: 'POST', url: '/api/registrations/inspect', payload: { token } })).json()).toEqual({ email: 'spaet@example.com', invitedDevices: 1 });
    t.clock.advance(7 * 24 * 3600_000 + 1000);
    for (const url of ['/api/registrations/inspect', '/api/registrations/complete']) {
      const res = await t.app.inject({ method: 'POST', url, payload: url.endsWith('inspect') ? { token } : { token, password: goodPassword } });
      expect(refusal(res)).toMatchObject({ status: 410, code: 'token_invalid' });
    }
    expect((await userByEmail(t, 'spaet@example.com'))?.status).toBe('pending');
    // A new assignment (the sessions ended meanwhile: through the service) sends a fresh link that works.
    await t.container.grants.assign({ ...asSystem, selection: ids(devA[1] ?? ''), email: 'spaet@example.com' });
    const fresh = tokenIn((await outboxMail(t, 'spaet@example.com', 'invitation'))?.text, '/register/complete');
    expect((await t.app.inject({ method: 'POST', url: '/api/registrations/inspect', payload: { token: fresh } })).json()).toEqual({ email: 'spaet@example.com', invitedDevices: 2 });
  });

});

describe('a superuser who also reads', () => {
  it('sees the reader count of his customer accounts’ devices only, never of a device granted to him', async () => {
    // Fresh sessions: the clock of the tests above has run past the first ones' lifetime.
    const operator = await t.signInOperator('ops.zwei@example.com');
    const clara = await signInSuperuser(t, 'clara.zwei@example.com', [customerA]);
    expect((await grant(operator, ids(devB), 'clara.zwei@example.com')).statusCode).toBe(201);
    const granted = (await get(t, clara, '/api/devices?serial=30000001')).json<{ items: Array<{ serial: string; readerCount: number | null }> }>().items;
    expect(granted).toEqual([expect.objectContaining({ serial: '30000001', readerCount: null })]);
    const own = (await get(t, clara, '/api/devices?serial=20000003')).json<{ items: Array<{ readerCount: number | null }> }>().items;
    expect(own[0]?.readerCount).toEqual(expect.any(Number));
  });
});
