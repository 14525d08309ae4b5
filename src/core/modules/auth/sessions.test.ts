import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { hashPassword } from '../../../lib/crypto/passwords.js';

// SEC-24 / SEC-29: a user's own sessions (list, end), and an operator disabling an account.

const password = 'Leser-Passwort 2026!';
const chromeOnLinux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const firefoxOnWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

async function addReader(id: string, email: string): Promise<void> {
  const now = t.clock.now().toISOString();
  await t.container.db.kysely
    .insertInto('users')
    .values({ id, email, name: null, password_hash: await hashPassword(password), is_operator: 0, status: 'active', language: 'de', created_at: now, updated_at: now })
    .execute();
}

async function signInFrom(email: string, userAgent: string, remoteAddress: string): Promise<SignedIn> {
  const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email, password }, headers: { 'user-agent': userAgent }, remoteAddress });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'openeks_session');
  return { cookie: `openeks_session=${cookie?.value ?? ''}`, csrfToken: res.json().csrfToken, userId: res.json().user.id, stage: 'complete' };
}

const as = (s: SignedIn) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });
const alive = async (s: SignedIn) => (await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: s.cookie } })).statusCode === 200;

describe('own sessions', () => {
  it('lists the user’s sessions with device, address and last use, the current one marked', async () => {
    await addReader('usr_anna', 'anna@example.com');
    await addReader('usr_bert', 'bert@example.com');
    const laptop = await signInFrom('anna@example.com', chromeOnLinux, '198.51.100.10');
    t.clock.advance(5 * 60_000);
    const desktop = await signInFrom('anna@example.com', firefoxOnWindows, '203.0.113.20');
    await signInFrom('bert@example.com', chromeOnLinux, '192.0.2.1');

    // (Asking is a use of the laptop's session: its last use becomes now.)
    const res = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: { cookie: laptop.cookie } });
    expect(res.statusCode).toBe(200);
    const { sessions } = res.json<{ sessions: Record<string, unknown>[] }>();
    expect(sessions).toEqual([
      { id: expect.stringMatching(/^ses_/), device: 'Firefox on Windows', ip: '203.0.113.20', createdAt: '2026-11-28T09:05:00.000Z', lastSeenAt: '2026-11-28T09:05:00.000Z', stage: 'complete', current: false },
      { id: expect.stringMatching(/^ses_/), device: 'Chrome on Linux', ip: '198.51.100.10', createdAt: '2026-11-28T09:00:00.000Z', lastSeenAt: '2026-11-28T09:05:00.000Z', stage: 'complete', current: true },
    ]);
    expect(await alive(desktop)).toBe(true);
  });

  it('leaves out sessions that ended by idling', async () => {
    await addReader('usr_anna', 'anna@example.com');
    await signInFrom('anna@example.com', chromeOnLinux, '198.51.100.10');
    t.clock.advance(31 * 60_000);
    const now = await signInFrom('anna@example.com', chromeOnLinux, '198.51.100.11');
    const { sessions } = (await t.app.inject({ method: 'GET', url: '/api/sessions', headers: { cookie: now.cookie } })).json<{ sessions: { ip: string }[] }>();
    expect(sessions.map((s) => s.ip)).toEqual(['198.51.100.11']);
  });

  it('ends another own session (audited), refuses the current one and answers 404 for someone else’s', async () => {
    await addReader('usr_anna', 'anna@example.com');
    await addReader('usr_bert', 'bert@example.com');
    const here = await signInFrom('anna@example.com', chromeOnLinux, '198.51.100.10');
    const there = await signInFrom('anna@example.com', firefoxOnWindows, '203.0.113.20');
    const bert = await signInFrom('bert@example.com', chromeOnLinux, '192.0.2.1');
    const ids = async (s: SignedIn) =>
      (await t.app.inject({ method: 'GET', url: '/api/sessions', headers: { cookie: s.cookie } })).json<{ sessions: { id: string; current: boolean }[] }>().sessions;
    const thereId = (await ids(there)).find((s) => s.current)?.id ?? '';
    const hereId = (await ids(here)).find((s) => s.current)?.id ?? '';
    const bertId = (await ids(bert))[0]?.id ?? '';

    const foreign = await t.app.inject({ method: 'DELETE', url: `/api/sessions/${bertId}`, headers: as(here) });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('not_found');
    expect(await alive(bert)).toBe(true);

    const current = await t.app.inject({ method: 'DELETE', url: `/api/sessions/${hereId}`, headers: as(here) });
    expect(current.statusCode).toBe(409);
    expect(current.json().error.code).toBe('conflict');

    const ended = await t.app.inject({ method: 'DELETE', url: `/api/sessions/${thereId}`, headers: as(here) });
    expect(ended.statusCode).toBe(204);
    expect(await alive(there)).toBe(false);
    expect(await alive(here)).toBe(true);
    const audit = await t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'session.revoke').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: 'usr_anna', target_type: 'session', target_id: thereId, result: 'allowed' });

    const again = await t.app.inject({ method: 'DELETE', url: `/api/sessions/${thereId}`, headers: as(here) });
    expect(again.statusCode).toBe(404);
  });
});

describe('disabling an account', () => {
  it('ends all its sessions at once, in the same transaction, and refuses its sign-in', async () => {
    const op = await t.signInOperator('op@example.com');
    await addReader('usr_anna', 'anna@example.com');
    const one = await signInFrom('anna@example.com', chromeOnLinux, '198.51.100.10');
    const two = await signInFrom('anna@example.com', firefoxOnWindows, '203.0.113.20');

    const res = await t.app.inject({ method: 'POST', url: '/api/users/usr_anna/disable', headers: as(op) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ sessionsEnded: 2 });
    expect(await t.container.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', 'usr_anna').execute()).toEqual([]);
    expect((await t.container.db.kysely.selectFrom('users').select('status').where('id', '=', 'usr_anna').executeTakeFirstOrThrow()).status).toBe('disabled');
    for (const s of [one, two]) {
      const next = await t.app.inject({ method: 'GET', url: '/api/sessions', headers: { cookie: s.cookie } });
      expect(next.statusCode).toBe(401);
      expect(next.json().error.code).toBe('unauthenticated');
    }
    const audit = await t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'user.disable').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: op.userId, target_type: 'user', target_id: 'usr_anna', result: 'allowed' });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({ sessionsEnded: 2, previousStatus: 'active' });

    const signInAgain = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'anna@example.com', password } });
    expect(signInAgain.statusCode).toBe(401);
    expect(signInAgain.json().error.code).toBe('invalid_credentials');
    const denial = await t.container.db.kysely.selectFrom('audit_log').select('reason').where('action', '=', 'session.deny').executeTakeFirstOrThrow();
    expect(denial.reason).toBe('account disabled');
  });

  it('answers 404 for an unknown account and 409 for one’s own', async () => {
    const op = await t.signInOperator('op@example.com');
    const unknown = await t.app.inject({ method: 'POST', url: '/api/users/usr_nobody/disable', headers: as(op) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    const self = await t.app.inject({ method: 'POST', url: `/api/users/${op.userId}/disable`, headers: as(op) });
    expect(self.statusCode).toBe(409);
    expect(await alive(op)).toBe(true);
  });

  it('is not for readers (404, audited as access.deny)', async () => {
    await addReader('usr_anna', 'anna@example.com');
    await addReader('usr_bert', 'bert@example.com');
    const anna = await signIn(t.app, 'anna@example.com', password);
    const res = await t.app.inject({ method: 'POST', url: '/api/users/usr_bert/disable', headers: as(anna) });
    expect(res.statusCode).toBe(404);
    expect((await t.container.db.kysely.selectFrom('users').select('status').where('id', '=', 'usr_bert').executeTakeFirstOrThrow()).status).toBe('active');
  });
});
