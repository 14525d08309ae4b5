import argon2 from 'argon2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, signIn, signInWithTotp, totpCode, type TestApp } from '../../../../test/harness.js';
import { hashPassword } from '../../../lib/crypto/passwords.js';

// SEC-21 through the API: per-account and per-address counters, progressive and hard locks,
// one answer for every refusal, an audit record for every failure and every lock.

const password = 'Leser-Passwort 2026!';
let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

async function addReader(email: string, hash?: string): Promise<string> {
  const now = t.clock.now().toISOString();
  const id = `usr_${email.split('@')[0]?.replace(/[^a-z0-9]/g, '') ?? 'x'}`;
  await t.container.db.kysely
    .insertInto('users')
    .values({ id, email, name: null, password_hash: hash ?? (await hashPassword(password)), is_operator: 0, status: 'active', language: 'en', created_at: now, updated_at: now })
    .execute();
  return id;
}

const attempt = (email: string, pw: string, remoteAddress = '198.51.100.7') =>
  t.app.inject({ method: 'POST', url: '/api/session', payload: { email, password: pw }, remoteAddress });
const errorOf = (body: string) => ({ ...(JSON.parse(body) as { error: Record<string, unknown> }).error, requestId: undefined });
const userRow = (id: string) => t.container.db.kysely.selectFrom('users').select(['failed_sign_ins', 'locked_until', 'hard_locked', 'password_hash']).where('id', '=', id).executeTakeFirstOrThrow();
const auditRows = (action: string) => t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();

describe('per-account lockout', () => {
  it('locks after 5 failures for 1 minute, doubling to a 15-minute cap; the correct password is refused meanwhile with the same answer', async () => {
    const id = await addReader('anna@example.com');
    const wrong = await attempt('anna@example.com', 'not the password');
    for (let i = 2; i <= 5; i += 1) expect((await attempt('anna@example.com', `wrong ${i}`)).statusCode).toBe(401);
    expect(await userRow(id)).toMatchObject({ failed_sign_ins: 5, locked_until: new Date(t.clock.now().getTime() + 60_000).toISOString(), hard_locked: 0 });

    // Locked: the right password gets exactly the wrong password's answer, and is not counted.
    const locked = await attempt('anna@example.com', password);
    expect(locked.statusCode).toBe(401);
    expect(errorOf(locked.body)).toEqual(errorOf(wrong.body));
    expect(locked.cookies).toHaveLength(0);
    expect((await userRow(id)).failed_sign_ins).toBe(5);

    // Each further run of 5 locks twice as long, up to 15 minutes.
    const expected = [2, 4, 8, 15, 15];
    for (const minutes of expected) {
      t.clock.advance(16 * 60_000);
      for (let i = 0; i < 5; i += 1) await attempt('anna@example.com', 'still wrong');
      const row = await userRow(id);
      expect(Date.parse(row.locked_until ?? '') - t.clock.now().getTime()).toBe(minutes * 60_000);
    }
    const locks = await auditRows('user.lock');
    expect(locks.map((l) => JSON.parse(l.details).seconds)).toEqual([60, 120, 240, 480, 900, 900]);
    expect(locks[0]).toMatchObject({ target_type: 'user', target_id: id, result: 'allowed', reason: 'temporary lock' });

    // After the lock the right password works and ends the run of failures.
    t.clock.advance(15 * 60_000);
    expect((await attempt('anna@example.com', password)).statusCode).toBe(200);
    expect(await userRow(id)).toMatchObject({ failed_sign_ins: 0, locked_until: null });
  });

  it('audits every refusal with its reason, never the password', async () => {
    await addReader('anna@example.com');
    for (let i = 0; i < 5; i += 1) await attempt('anna@example.com', 'Geheim-Falsch-123');
    await attempt('anna@example.com', password);
    await attempt('ghost@example.com', 'Geheim-Falsch-123');
    const denials = await auditRows('session.deny');
    expect(denials.map((d) => d.reason)).toEqual(['wrong password', 'wrong password', 'wrong password', 'wrong password', 'wrong password', 'locked', 'unknown e-mail']);
    expect(denials.every((d) => d.result === 'denied' && d.ip === '198.51.100.7')).toBe(true);
    const trail = JSON.stringify(await t.container.db.kysely.selectFrom('audit_log').selectAll().execute());
    expect(trail).not.toContain('Geheim-Falsch-123');
    expect(trail).not.toContain(password);
  });

  it('does not let a new source address bypass the account counter', async () => {
    const id = await addReader('anna@example.com');
    for (let i = 0; i < 5; i += 1) await attempt('anna@example.com', 'wrong', `203.0.113.${i + 1}`);
    expect((await userRow(id)).failed_sign_ins).toBe(5);
    const fresh = await attempt('anna@example.com', password, '192.0.2.99');
    expect(fresh.statusCode).toBe(401);
    expect(fresh.json().error.code).toBe('invalid_credentials');
    const last = (await auditRows('session.deny')).at(-1);
    expect(last).toMatchObject({ reason: 'locked', ip: '192.0.2.99' });
  });

  it('counts parallel failures atomically (none lost)', async () => {
    const id = await addReader('anna@example.com');
    const results = await Promise.all([1, 2, 3, 4].map((i) => attempt('anna@example.com', `parallel ${i}`)));
    expect(results.map((r) => r.statusCode)).toEqual([401, 401, 401, 401]);
    expect((await userRow(id)).failed_sign_ins).toBe(4);
    // A burst past the threshold: exactly one lock, every attempt refused.
    const burst = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => attempt('anna@example.com', i === 6 ? password : `burst ${i}`)));
    expect(burst.every((r) => r.statusCode === 401)).toBe(true);
    expect(await auditRows('user.lock')).toHaveLength(1);
  });

  it('hard-locks after 100 consecutive failures; only a reset (clearing the counters) lifts it', async () => {
    const id = await addReader('anna@example.com');
    for (let i = 1; i <= 100; i += 1) {
      // Addresses change so the per-address limit stays out of the way; the account counts on.
      await attempt('anna@example.com', 'wrong', `10.0.${Math.floor(i / 40)}.${i % 250}`);
      if (i % 5 === 0) t.clock.advance(15 * 60_000 + 1);
    }
    expect(await userRow(id)).toMatchObject({ failed_sign_ins: 100, hard_locked: 1 });
    const hard = (await auditRows('user.lock')).at(-1);
    expect(hard).toMatchObject({ reason: 'hard lock: only a password reset lifts it' });
    expect(JSON.parse(hard?.details ?? '{}')).toEqual({ lock: 'hard', failures: 100 });

    // Time does not lift a hard lock; the correct password is refused alike.
    t.clock.advance(30 * 24 * 3600_000);
    const refused = await attempt('anna@example.com', password, '192.0.2.1');
    expect(refused.statusCode).toBe(401);
    expect((await auditRows('session.deny')).at(-1)?.reason).toBe('hard locked');

    // What the password reset does to the counters (accounts/password-reset-service.ts).
    await t.container.db.kysely.updateTable('users').set({ failed_sign_ins: 0, locked_until: null, hard_locked: 0 }).where('id', '=', id).execute();
    expect((await attempt('anna@example.com', password, '192.0.2.1')).statusCode).toBe(200);
  });
});

describe('per-address throttling', () => {
  it('throttles password spraying across accounts from one address, not from others', async () => {
    const ids = [];
    for (let i = 0; i < 20; i += 1) ids.push(await addReader(`user${i}@example.com`));
    // 50 failures across 20 accounts (never 5 on one): no account locks, the address does.
    for (let n = 0; n < 50; n += 1) await attempt(`user${n % 20}@example.com`, 'Sommer2026!', '203.0.113.50');
    const lock = (await auditRows('user.lock')).at(-1);
    expect(lock).toMatchObject({ target_type: 'source-address', target_id: 'ip:203.0.113.50', reason: 'source address throttled' });
    for (const id of ids) expect((await userRow(id)).locked_until).toBeNull();

    const wrong = await attempt('user0@example.com', 'Sommer2026!', '198.51.100.1');
    const throttled = await attempt('user0@example.com', password, '203.0.113.50');
    expect(throttled.statusCode).toBe(401);
    expect(errorOf(throttled.body)).toEqual(errorOf(wrong.body));
    expect((await auditRows('session.deny')).at(-1)?.reason).toBe('ip throttled');
    // The same user from elsewhere is fine; the throttled address is again after 15 minutes.
    expect((await attempt('user0@example.com', password, '198.51.100.1')).statusCode).toBe(200);
    t.clock.advance(15 * 60_000 + 1);
    expect((await attempt('user1@example.com', password, '203.0.113.50')).statusCode).toBe(200);
  });

  it('counts IPv6 addresses by their /64', async () => {
    await addReader('anna@example.com');
    for (let n = 0; n < 50; n += 1) await attempt(`ghost${n}@example.com`, 'x', `2001:db8:1:2::${n.toString(16)}`);
    const refused = await attempt('anna@example.com', password, '2001:db8:1:2:ffff::1');
    expect(refused.statusCode).toBe(401);
    expect((await attempt('anna@example.com', password, '2001:db8:1:3::1')).statusCode).toBe(200);
  });
});

describe('second-factor failures', () => {
  it('count toward the account: guessing codes between correct passwords still locks', async () => {
    const op = await t.signInOperator('op@example.com');
    t.clock.advance(30_000);
    for (let i = 0; i < 5; i += 1) {
      const first = await signIn(t.app, 'op@example.com', 'Zähler-Schlüssel 2026!');
      const res = await t.app.inject({ method: 'POST', url: '/api/session/mfa', headers: { cookie: first.cookie, 'x-csrf-token': first.csrfToken }, payload: { code: '000000' === totpCode(op.totpSecret, t.clock) ? '111111' : '000000' } });
      expect(res.json().error.code).toBe('mfa_invalid');
    }
    const row = await userRow(op.userId);
    expect(row.failed_sign_ins).toBe(5);
    expect(row.locked_until).not.toBeNull();
    // Locked: the password step refuses, and a pending session's right code is refused too.
    expect((await attempt('op@example.com', 'Zähler-Schlüssel 2026!')).statusCode).toBe(401);
    t.clock.advance(61_000);
    const signedIn = await signInWithTotp(t.app, 'op@example.com', 'Zähler-Schlüssel 2026!', op.totpSecret, t.clock);
    expect(signedIn.stage).toBe('complete');
    expect((await userRow(op.userId)).failed_sign_ins).toBe(0);
    const verifies = await auditRows('mfa.verify');
    expect(verifies.map((v) => [v.result, v.reason])).toEqual([...Array(5).fill(['denied', 'wrong code']), ['allowed', null]]);
  });
});

describe('password storage', () => {
  it('rehashes a hash made with weaker parameters at sign-in (SEC-20)', async () => {
    const weak = await argon2.hash(password, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const id = await addReader('anna@example.com', weak);
    expect(weak).toMatch(/^\$argon2id\$v=19\$m=4096,t=1,p=1\$/);
    expect((await attempt('anna@example.com', password)).statusCode).toBe(200);
    const stored = (await userRow(id)).password_hash ?? '';
    expect(stored).not.toBe(weak);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await argon2.verify(stored, password)).toBe(true);
    // A current hash stays as it is.
    expect((await attempt('anna@example.com', password)).statusCode).toBe(200);
    expect((await userRow(id)).password_hash).toBe(stored);
  });
});
