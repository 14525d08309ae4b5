import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, enrolTotp, signIn, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { systemPrincipal } from '../../access/principal.js';
import { auditOf, outboxMail, signInNewUser } from '../../../../test/support/accounts.js';

// The request and the decision (docs/superusers.md): every transition and every refusal through
// the API, with the rows, audit records and mails each one leaves.

let t: TestApp;
let op: SignedIn;
let customerA: string;
let customerB: string;

beforeAll(async () => {
  t = await createTestApp();
  op = await t.signInOperator('ops@example.com');
  customerA = (await t.container.customers.create({ customerNo: '4711', name: 'Stadtwerke Musterstadt GmbH', principal: systemPrincipal, actor: opActor() })).id;
  customerB = (await t.container.customers.create({ customerNo: '4712', name: 'Wohnbau Musterstadt eG', principal: systemPrincipal, actor: opActor() })).id;
  await t.container.customers.create({ customerNo: '9000', name: 'Gemeindewerke Anderswo', principal: systemPrincipal, actor: opActor() });
});
afterAll(async () => t?.close());

function opActor() {
  return { userId: null, role: 'system' as const, ip: null, userAgent: 'test', requestId: null, authMethod: 'cli' };
}

const as = (s: SignedIn) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });
const ask = (s: SignedIn, payload: object) => t.app.inject({ method: 'POST', url: '/api/me/access-requests', headers: as(s), payload });
const own = (s: SignedIn) => t.app.inject({ method: 'GET', url: '/api/me/access-requests', headers: as(s) });
const withdraw = (s: SignedIn, id: string) => t.app.inject({ method: 'POST', url: `/api/me/access-requests/${id}/withdraw`, headers: as(s), payload: {} });
const queue = (query = '') => t.app.inject({ method: 'GET', url: `/api/access-requests${query}`, headers: as(op) });
const approve = (id: string, payload: object) => t.app.inject({ method: 'POST', url: `/api/access-requests/${id}/approve`, headers: as(op), payload });
const reject = (id: string, payload: object) => t.app.inject({ method: 'POST', url: `/api/access-requests/${id}/reject`, headers: as(op), payload });
const requestRow = (id: string) => t.container.db.kysely.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditFor = async (action: string, id: string) => (await auditOf(t, action)).filter((a) => a.target_id === id);
const linksOf = (userId: string) => t.container.db.kysely.selectFrom('superuser_links').selectAll().where('user_id', '=', userId).execute();

let users = 0;
const newUser = () => signInNewUser(t, `haendler-${++users}@example.com`);

describe('asking for superuser access', () => {
  it('stores an open request, answers 201 with it, and audits it', async () => {
    const user = await newUser();
    const res = await ask(user, { customerNo: ' 4711 ', customerName: 'Stadtwerke Musterstadt', relation: 'dealer', comment: ' Wir betreuen\ndie Zähler seit 2020. ' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^arq_/),
      customerNo: '4711',
      customerName: 'Stadtwerke Musterstadt',
      relation: 'dealer',
      comment: 'Wir betreuen\ndie Zähler seit 2020.',
      status: 'open',
      createdAt: t.clock.now().toISOString(),
      decidedAt: null,
      decisionReason: null,
      linkedCustomers: [],
    });
    expect(await requestRow(body.id)).toMatchObject({ user_id: user.userId, subject: 'no:4711', status: 'open', operators_notified_at: null });
    const [record] = await auditFor('access_request.create', body.id);
    expect(record).toMatchObject({ actor_id: user.userId, actor_role: 'user', result: 'allowed' });
    const details = JSON.parse(record?.details ?? '{}');
    expect(details).toEqual({ customerNo: '4711', customerName: 'Stadtwerke Musterstadt', relation: 'dealer', matched: true });
    // The comment stays on the request, not in the trail.
    expect(record?.details).not.toContain('Zähler');
  });

  it('accepts a number that names no account, and records it as unmatched', async () => {
    const user = await newUser();
    const res = await ask(user, { customerNo: 'K-0815', relation: 'customer-admin' });
    expect(res.statusCode).toBe(201);
    const [record] = await auditFor('access_request.create', res.json().id);
    expect(JSON.parse(record?.details ?? '{}')).toMatchObject({ matched: false, relation: 'customer-admin' });
    const queued = await t.app.inject({ method: 'GET', url: `/api/access-requests/${res.json().id}`, headers: as(op) });
    expect(queued.json().matches).toEqual({ byNumber: null, byName: [] });
  });

  it('refuses a second open request for the same number or name, and allows another customer', async () => {
    const user = await newUser();
    expect((await ask(user, { customerNo: '4712', relation: 'dealer' })).statusCode).toBe(201);
    const again = await ask(user, { customerNo: '4712', customerName: 'anders geschrieben', relation: 'customer-admin' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'access_request_open', message: 'You already have an open request for customer number "4712".' });

    expect((await ask(user, { customerName: 'Wohnbau  Musterstadt', relation: 'dealer' })).statusCode).toBe(201);
    const sameName = await ask(user, { customerName: ' wohnbau musterstadt ', relation: 'dealer' });
    expect(sameName.json().error.code).toBe('access_request_open');
    expect((await ask(user, { customerNo: '9000', relation: 'dealer' })).statusCode).toBe(201);
    const rows = await t.container.db.kysely.selectFrom('access_requests').select('subject').where('user_id', '=', user.userId).orderBy('subject').execute();
    expect(rows.map((r) => r.subject)).toEqual(['name:wohnbau musterstadt', 'no:4712', 'no:9000']);
  });

  it('names every bad field and stores nothing', async () => {
    const user = await newUser();
    const cases: Array<[object, string, string]> = [
      [{ relation: 'dealer' }, 'customerNo', 'give the customer number, the customer name or both'],
      [{ customerNo: '   ', customerName: '', relation: 'dealer' }, 'customerNo', 'give the customer number, the customer name or both'],
      [{ customerNo: '47 11', relation: 'dealer' }, 'customerNo', 'a customer number is 1 to 32 letters, digits, "-", "_", "." or "/"'],
      [{ customerName: 'A\u0007B', relation: 'dealer' }, 'customerName', 'must not contain control characters'],
      [{ customerNo: '4711', relation: 'dealer', comment: 'x'.repeat(2001) }, 'comment', 'a comment is at most 2000 characters'],
    ];
    for (const [payload, field, reason] of cases) {
      const res = await ask(user, payload);
      expect({ status: res.statusCode, code: res.json().error.code, details: res.json().error.details }).toEqual({ status: 400, code: 'validation_failed', details: [{ field, reason }] });
    }
    for (const payload of [{ customerNo: '4711', relation: 'owner' }, { customerNo: '4711' }, { customerNo: '4711', relation: 'dealer', role: 'operator' }]) {
      const res = await ask(user, payload);
      expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 400, code: 'validation_failed' });
    }
    expect(await t.container.db.kysely.selectFrom('access_requests').select('id').where('user_id', '=', user.userId).execute()).toEqual([]);
  });

  it('lists only the user’s own requests, newest first', async () => {
    const user = await newUser();
    const other = await newUser();
    const first = (await ask(user, { customerNo: '4711', relation: 'dealer' })).json().id;
    t.clock.advance(1000);
    const second = (await ask(user, { customerName: 'Irgendwer', relation: 'dealer' })).json().id;
    await ask(other, { customerNo: '4711', relation: 'dealer' });
    const res = await own(user);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((r: { id: string }) => r.id)).toEqual([second, first]);
  });
});

describe('withdrawing', () => {
  it('withdraws an open request once, audits it, and allows a new one', async () => {
    const user = await newUser();
    const id = (await ask(user, { customerNo: '4711', relation: 'dealer' })).json().id;
    const res = await withdraw(user, id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, status: 'withdrawn' });
    expect(await requestRow(id)).toMatchObject({ status: 'withdrawn', decided_by: user.userId });
    expect(await auditFor('access_request.withdraw', id)).toHaveLength(1);

    const again = await withdraw(user, id);
    expect({ status: again.statusCode, code: again.json().error.code }).toEqual({ status: 409, code: 'access_request_decided' });
    expect((await ask(user, { customerNo: '4711', relation: 'dealer' })).statusCode).toBe(201);
  });

  it('answers 404 for someone else’s request and leaves it open', async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const id = (await ask(owner, { customerNo: '4711', relation: 'dealer' })).json().id;
    const res = await withdraw(stranger, id);
    expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 404, code: 'not_found' });
    expect((await requestRow(id)).status).toBe('open');
    expect((await withdraw(stranger, 'arq_doesnotexist')).statusCode).toBe(404);
  });
});

describe('the operators’ queue', () => {
  it('lists open requests oldest first with requester, matches and paging', async () => {
    const before = (await queue('?limit=200')).json().items.length;
    const user = await newUser();
    t.clock.advance(60_000);
    const id = (await ask(user, { customerNo: '4711', customerName: 'Stadtwerke Musterstadt', relation: 'dealer', comment: 'Bitte freischalten' })).json().id;
    const all = (await queue('?limit=200')).json().items;
    expect(all).toHaveLength(before + 1);
    const times = all.map((r: { createdAt: string }) => r.createdAt);
    expect([...times].sort()).toEqual(times);
    const mine = all.find((r: { id: string }) => r.id === id);
    expect(mine).toMatchObject({
      requester: { id: user.userId, email: `haendler-${users}@example.com`, name: null },
      decidedBy: null,
      comment: 'Bitte freischalten',
      matches: {
        byNumber: { id: customerA, customerNo: '4711', name: 'Stadtwerke Musterstadt GmbH', deviceCount: 0 },
        // "Musterstadt" also names 4712; "GmbH" and "eG" say nothing.
        byName: [{ id: customerB, customerNo: '4712', name: 'Wohnbau Musterstadt eG', deviceCount: 0 }],
      },
    });

    const firstPage = (await queue('?limit=2')).json();
    expect(firstPage.items).toHaveLength(2);
    const secondPage = (await queue(`?limit=2&cursor=${firstPage.nextCursor}`)).json();
    expect(secondPage.items[0].id).toBe(all[2].id);
    const bad = await queue('?cursor=bm90LWEtY3Vyc29y');
    expect({ status: bad.statusCode, code: bad.json().error.code, details: bad.json().error.details }).toEqual({ status: 400, code: 'validation_failed', details: [{ field: 'cursor', reason: 'malformed' }] });
  });

  it('answers 404 for an unknown request', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/access-requests/arq_doesnotexist', headers: as(op) });
    expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 404, code: 'not_found' });
  });
});

describe('approving', () => {
  it('links the user, ends their sessions, mails them in their language, and audits it all', async () => {
    const user = await newUser();
    await t.container.db.kysely.updateTable('users').set({ language: 'de' }).where('id', '=', user.userId).execute();
    const id = (await ask(user, { customerNo: '4711', relation: 'dealer' })).json().id;
    t.clock.advance(5_000);

    const res = await approve(id, { customerIds: [customerA, customerB], note: 'Beide Konten, wie besprochen.' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      status: 'approved',
      decidedAt: t.clock.now().toISOString(),
      decisionReason: 'Beide Konten, wie besprochen.',
      decidedBy: { id: op.userId, email: 'ops@example.com' },
      linkedCustomers: [
        { id: customerA, customerNo: '4711', name: 'Stadtwerke Musterstadt GmbH' },
        { id: customerB, customerNo: '4712', name: 'Wohnbau Musterstadt eG' },
      ],
    });
    const links = await linksOf(user.userId);
    expect(links.map((l) => [l.customer_account_id, l.request_id, l.linked_by]).sort()).toEqual(
      [
        [customerA, id, op.userId],
        [customerB, id, op.userId],
      ].sort(),
    );
    // A privilege change ends the user's sessions (SEC-24): the old cookie is gone.
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: user.cookie } })).statusCode).toBe(401);

    const [approval] = await auditFor('access_request.approve', id);
    expect(approval).toMatchObject({ actor_id: op.userId, actor_role: 'operator', result: 'allowed' });
    expect(JSON.parse(approval?.details ?? '{}')).toEqual({ userId: user.userId, customerIds: `${customerA},${customerB}`, newlyLinked: 2, sessionsEnded: 1 });
    const linkRecords = (await auditOf(t, 'superuser.link')).filter((a) => JSON.parse(a.details).requestId === id);
    expect(linkRecords.map((a) => a.target_id).sort()).toEqual([customerA, customerB].sort());

    const mail = await outboxMail(t, `haendler-${users}@example.com`, 'access-request-decided');
    expect(mail).toMatchObject({ language: 'de', subject: 'openeks: Ihr Superuser-Zugang wurde freigegeben' });
    expect(mail?.text).toContain('Sie sind jetzt Superuser von: 4711 Stadtwerke Musterstadt GmbH, 4712 Wohnbau Musterstadt eG.');
    expect(mail?.text).toContain('Hinweis: Beide Konten, wie besprochen.');
    expect(mail?.text).toContain('http://localhost:8080/access');
  });

  it('refuses a second decision, also when two operators decide at once', async () => {
    const user = await newUser();
    const id = (await ask(user, { customerNo: '9000', relation: 'dealer' })).json().id;
    const [one, two] = await Promise.all([approve(id, { customerIds: [customerA] }), reject(id, { reason: 'zu spät' })]);
    expect([one.statusCode, two.statusCode].sort()).toEqual([200, 409]);
    expect([one, two].find((r) => r.statusCode === 409)?.json().error.code).toBe('access_request_decided');
    const again = await approve(id, { customerIds: [customerB] });
    expect({ status: again.statusCode, code: again.json().error.code }).toEqual({ status: 409, code: 'access_request_decided' });
    expect((await auditOf(t, 'access_request.approve')).filter((a) => a.target_id === id).length + (await auditFor('access_request.reject', id)).length).toBe(1);
  });

  it('names an unknown customer account and changes nothing', async () => {
    const user = await newUser();
    const id = (await ask(user, { customerNo: '4711', relation: 'dealer' })).json().id;
    const res = await approve(id, { customerIds: [customerA, 'cus_doesnotexist'] });
    expect({ status: res.statusCode, code: res.json().error.code, details: res.json().error.details }).toEqual({
      status: 400,
      code: 'validation_failed',
      details: [{ field: 'customerIds/1', reason: 'no such customer account' }],
    });
    expect((await requestRow(id)).status).toBe('open');
    expect(await linksOf(user.userId)).toEqual([]);
    expect((await approve(id, { customerIds: [] })).json().error.code).toBe('validation_failed');
    expect((await approve('arq_doesnotexist', { customerIds: [customerA] })).statusCode).toBe(404);
  });

  it('refuses a request for an account the user is already superuser of', async () => {
    const user = await newUser();
    const id = (await ask(user, { customerNo: '4711', relation: 'dealer' })).json().id;
    expect((await approve(id, { customerIds: [customerA] })).statusCode).toBe(200);
    const again = await signIn(t.app, `haendler-${users}@example.com`, 'Zähler-Schlüssel 2026!');
    // A superuser without a second factor may only enrol; the request needs a finished sign-in.
    expect(again.stage).toBe('enrol');
    const enrolled = (await enrolTotp(t.app, again, t.clock)).session;
    const res = await ask(enrolled, { customerNo: '4711', relation: 'dealer' });
    expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 409, code: 'already_superuser' });
  });
});

describe('rejecting', () => {
  it('needs a reason, which the user sees and receives', async () => {
    const user = await newUser();
    const id = (await ask(user, { customerName: 'Unbekannte Werke', relation: 'customer-admin' })).json().id;
    for (const reason of ['', '   ']) {
      const res = await reject(id, { reason });
      expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 400, code: 'validation_failed' });
    }
    t.clock.advance(1_000);
    const res = await reject(id, { reason: 'Kein Vertrag mit diesem Kunden bekannt.' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'rejected', decisionReason: 'Kein Vertrag mit diesem Kunden bekannt.', linkedCustomers: [] });
    expect((await own(user)).json().items[0]).toMatchObject({ id, status: 'rejected', decisionReason: 'Kein Vertrag mit diesem Kunden bekannt.' });
    expect(await linksOf(user.userId)).toEqual([]);
    const [record] = await auditFor('access_request.reject', id);
    expect(record).toMatchObject({ actor_id: op.userId, result: 'allowed' });
    expect(record?.details).not.toContain('Vertrag');
    const mail = await outboxMail(t, `haendler-${users}@example.com`, 'access-request-decided');
    expect(mail).toMatchObject({ language: 'en', subject: 'openeks: your superuser request was rejected' });
    expect(mail?.text).toContain('Reason: Kein Vertrag mit diesem Kunden bekannt.');
    // Rejected: the user's session goes on.
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: user.cookie } })).statusCode).toBe(200);
    const decided = await queue('?status=rejected');
    expect(decided.json().items[0]).toMatchObject({ id, decidedBy: { id: op.userId } });
  });
});
