import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedIn, type TestApp } from '../harness.js';
import { auditOf, signInNewUser } from '../support/accounts.js';

// The security probe's findings on input (issue 11), each as the report sent it: a query number
// beyond every bound was a 500 (finding 4), a JSON body's wrong types were coerced instead of
// refused (7), lone surrogates and bidi controls were stored (8). Each is refused now with 400
// validation_failed naming the field, and nothing is stored or audited. Finding 6 (no-store on a
// percent-encoded API path) is in route-fuzzing.test.ts with the Cache-Control walk.

let t: TestApp;
let operator: SignedIn;
let user: SignedIn;

beforeAll(async () => {
  t = await createTestApp();
  operator = await t.signInOperator('input-operator@example.com');
  user = await signInNewUser(t, 'input-user@example.com');
});

afterAll(async () => {
  await t?.close();
});

const headersOf = (s: SignedIn) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });

/** Sent as JSON text exactly as written, so `\ud800` reaches the server as the escape it is. */
const send = (s: SignedIn, method: 'POST' | 'PATCH', url: string, json: string) =>
  t.app.inject({ method, url, headers: { ...headersOf(s), 'content-type': 'application/json' }, payload: json });

const refusal = (res: { statusCode: number; json(): unknown }) => {
  const body = res.json() as { error?: { code?: string; details?: { field: string; reason: string; code?: string }[] } };
  return { status: res.statusCode, code: body.error?.code, field: body.error?.details?.[0]?.field, reason: body.error?.details?.[0]?.reason, detailCode: body.error?.details?.[0]?.code };
};

const countOf = async (table: 'customer_accounts' | 'access_requests') => Number((await t.container.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('finding 4: integer query parameters are finite integers within bounds', () => {
  const listRoutes = ['/api/devices', '/api/customers', '/api/mail/outbox', '/api/access-requests', '/api/superuser-links'];

  it('refuses 1e309, Infinity, -1e309, 1.5, abc and out-of-range limits with 400 naming limit, on every list route', async () => {
    for (const route of listRoutes) {
      for (const value of ['1e309', 'Infinity', '-1e309', '1.5', 'abc', '', '0x10', '1e2', '99999999999999999999', '0', '201', '-1']) {
        const res = await t.app.inject({ method: 'GET', url: `${route}?limit=${encodeURIComponent(value)}`, headers: headersOf(operator) });
        expect({ route, value, ...refusal(res) }).toMatchObject({ route, value, status: 400, code: 'validation_failed', field: 'limit' });
      }
    }
  });

  it('refuses a repeated limit instead of picking one', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/customers?limit=1&limit=2', headers: headersOf(operator) });
    expect(refusal(res)).toMatchObject({ status: 400, code: 'validation_failed', field: 'limit' });
  });

  it('still reads a plain integer as the number it is', async () => {
    for (const no of ['K-1', 'K-2', 'K-3']) expect((await t.app.inject({ method: 'POST', url: '/api/customers', headers: headersOf(operator), payload: { customerNo: no, name: `Kunde ${no}` } })).statusCode).toBe(201);
    const res = await t.app.inject({ method: 'GET', url: '/api/customers?limit=2', headers: headersOf(operator) });
    expect(res.statusCode).toBe(200);
    const page = res.json<{ items: unknown[]; nextCursor: string | null }>();
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('reads a boolean query parameter only from true or false', async () => {
    for (const value of ['1', 'yes', 'TRUE', '']) {
      const res = await t.app.inject({ method: 'POST', url: `/api/imports?fileName=k.csv&wait=${value}`, headers: { ...headersOf(operator), 'content-type': 'text/csv' }, payload: 'x' });
      expect({ value, ...refusal(res) }).toMatchObject({ value, status: 400, code: 'validation_failed', field: 'wait' });
    }
  });
});

describe('finding 7: a JSON body is taken with the types it says, never coerced', () => {
  it('refuses a number and a boolean where the customer takes text, and stores nothing', async () => {
    const before = (await auditOf(t, 'customer.create')).length;
    const accounts = await countOf('customer_accounts');
    const res = await send(operator, 'POST', '/api/customers', '{"customerNo":12345,"name":true}');
    expect(refusal(res)).toEqual({ status: 400, code: 'validation_failed', field: 'customerNo', reason: 'must be string', detailCode: undefined });
    const named = await send(operator, 'POST', '/api/customers', '{"customerNo":"12345","name":true}');
    expect(refusal(named)).toMatchObject({ status: 400, code: 'validation_failed', field: 'name', reason: 'must be string' });
    expect(await countOf('customer_accounts')).toBe(accounts);
    expect(await auditOf(t, 'customer.create')).toHaveLength(before);
  });

  it('refuses an array instead of unwrapping it', async () => {
    const accounts = await countOf('customer_accounts');
    const res = await send(operator, 'POST', '/api/customers', '{"customerNo":["ARR-1"],"name":"Array GmbH"}');
    expect(refusal(res)).toMatchObject({ status: 400, code: 'validation_failed', field: 'customerNo', reason: 'must be string' });
    expect(await countOf('customer_accounts')).toBe(accounts);
  });

  it('refuses a number as the profile name and leaves the profile as it was', async () => {
    const before = await t.container.db.kysely.selectFrom('users').select(['name', 'updated_at']).where('id', '=', user.userId).executeTakeFirstOrThrow();
    const res = await send(user, 'PATCH', '/api/me', '{"name":404}');
    expect(refusal(res)).toMatchObject({ status: 400, code: 'validation_failed', field: 'name' });
    expect(await t.container.db.kysely.selectFrom('users').select(['name', 'updated_at']).where('id', '=', user.userId).executeTakeFirstOrThrow()).toEqual(before);
    expect((await auditOf(t, 'user.update')).filter((a) => a.actor_id === user.userId)).toEqual([]);
  });
});

describe('finding 8: no lone surrogate and no bidi control in any text field', () => {
  const loneSurrogate = { status: 400, code: 'validation_failed', reason: 'holds a lone surrogate (not valid Unicode)', detailCode: 'lone_surrogate' };
  const bidi = { status: 400, code: 'validation_failed', reason: 'holds a bidirectional control character', detailCode: 'bidi_control' };

  it('refuses the report\'s lone surrogates in a superuser request, naming customerName, and stores nothing', async () => {
    const res = await send(user, 'POST', '/api/me/access-requests', '{"customerName":"\\ud800\\udfff\\ud800","relation":"dealer"}');
    expect(refusal(res)).toEqual({ ...loneSurrogate, field: 'customerName' });
    expect(res.body).not.toContain('\ufffd');
    expect(await countOf('access_requests')).toBe(0);
    expect(await auditOf(t, 'access_request.create')).toEqual([]);
  });

  it('refuses a right-to-left override in a request\'s name and comment, where it would disguise the request in the queue', async () => {
    for (const [field, json] of [
      ['customerName', '{"customerName":"Stadtwerke \\u202egpj.exe","relation":"dealer"}'],
      ['comment', '{"customerNo":"4711","relation":"dealer","comment":"bitte \\u2067freischalten\\u2069"}'],
    ] as const) {
      const res = await send(user, 'POST', '/api/me/access-requests', json);
      expect(refusal(res)).toEqual({ ...bidi, field });
      expect(res.body).not.toMatch(/[\u202e\u2067\u2069]/);
    }
    expect(await countOf('access_requests')).toBe(0);
  });

  it('applies the one rule to every body, query string and path parameter', async () => {
    const accounts = await countOf('customer_accounts');
    const customer = await send(operator, 'POST', '/api/customers', '{"customerNo":"K-9","name":"M\\u00fcller \\u200fGmbH"}');
    expect(refusal(customer)).toEqual({ ...bidi, field: 'name' });
    expect(await countOf('customer_accounts')).toBe(accounts);
    const profile = await send(user, 'PATCH', '/api/me', '{"name":"Eva\\udc00"}');
    expect(refusal(profile)).toEqual({ ...loneSurrogate, field: 'name' });
    const query = await t.app.inject({ method: 'GET', url: '/api/devices?model=%E2%80%AEabc', headers: headersOf(user) });
    expect(refusal(query)).toEqual({ ...bidi, field: 'model' });
    const param = await t.app.inject({ method: 'GET', url: '/api/customers/cus_%E2%81%A6x', headers: headersOf(operator) });
    expect(refusal(param)).toEqual({ ...bidi, field: 'id' });
  });

  it('refuses NUL, which PostgreSQL cannot store (the fuzzer\'s 500), in bodies and path parameters', async () => {
    const nul = { status: 400, code: 'validation_failed', reason: 'holds a NUL character', detailCode: 'nul_character' };
    const accounts = await countOf('customer_accounts');
    const customer = await send(operator, 'POST', '/api/customers', '{"customerNo":"K-11","name":"a\\u0000b"}');
    expect(refusal(customer)).toEqual({ ...nul, field: 'name' });
    expect(await countOf('customer_accounts')).toBe(accounts);
    const unlink = await t.app.inject({ method: 'DELETE', url: '/api/superuser-links/constructor/%00', headers: headersOf(operator) });
    expect(refusal(unlink)).toEqual({ ...nul, field: 'userId' });
  });

  it('names a field inside an array by its path', async () => {
    const res = await send(operator, 'POST', '/api/access-requests/req_doesnotexist/approve', '{"customerIds":["cus_1","cus_\\u202e2"]}');
    expect(refusal(res)).toEqual({ ...bidi, field: 'customerIds.1' });
  });

  it('lets a password hold a bidi control (never shown; one set before the rule keeps working) but not a lone surrogate', async () => {
    // A wrong password, well-formed: the credentials decide (401), not the text rule.
    const bidiPassword = await t.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{"email":"input-user@example.com","password":"Z\\u00e4hler\\u202e 2026!"}' });
    expect(refusal(bidiPassword)).toMatchObject({ status: 401, code: 'invalid_credentials' });
    const lonePassword = await t.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{"email":"input-user@example.com","password":"Z\\ud800hler 2026!"}' });
    expect(refusal(lonePassword)).toEqual({ ...loneSurrogate, field: 'password' });
  });

  it('keeps ordinary text in any script, emoji included', async () => {
    const res = await send(operator, 'POST', '/api/customers', '{"customerNo":"K-10","name":"\\u0645\\u0631\\u062d\\u0628\\u0627 M\\u00fcller \\ud83d\\udd11"}');
    expect(res.statusCode).toBe(201);
    expect(res.json<{ name: string }>().name).toBe('مرحبا Müller 🔑');
  });
});
