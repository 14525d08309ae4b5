import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, signInNewUser } from '../../../../test/support/accounts.js';
import { storeDevice } from '../../../../test/support/devices.js';

// One app for the file; each test uses its own customer numbers, so they do not meet.
let t: TestApp;
let op: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  op = await t.signInOperator('ops@example.com');
});
afterAll(async () => t?.close());

const headers = () => ({ cookie: op.cookie, 'x-csrf-token': op.csrfToken });
const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/customers', headers: headers(), payload: payload as object });
const patch = (id: string, payload: unknown) => t.app.inject({ method: 'PATCH', url: `/api/customers/${id}`, headers: headers(), payload: payload as object });
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: headers() });

const rowsOf = (customerNo: string) => t.container.db.kysely.selectFrom('customer_accounts').selectAll().where('customer_no', '=', customerNo).execute();
const auditFor = async (action: string, id: string) => (await auditOf(t, action)).filter((a) => a.target_id === id);

async function create(customerNo: string, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await post({ customerNo, name, ...extra });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}

let serial = 10_000_000;
async function insertDevice(customerAccountId: string | null): Promise<string> {
  serial += 1;
  return (await storeDevice(t.container, { manufacturer: 'KAM', serial: String(serial), customerAccountId })).deviceId;
}

describe('POST /api/customers', () => {
  it('creates the account trimmed, answers 201 with it, and audits it in the same transaction', async () => {
    const res = await post({ customerNo: '  SW-100/a ', name: '  Gemeindewerke Überlingen ', contactEmail: ' kunde@stadtwerke.example ', notes: ' Rahmenvertrag 2026\nZweite Zeile ' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    const now = t.clock.now().toISOString();
    expect(body).toEqual({
      id: expect.stringMatching(/^cus_/),
      customerNo: 'SW-100/a',
      name: 'Gemeindewerke Überlingen',
      contactEmail: 'kunde@stadtwerke.example',
      notes: 'Rahmenvertrag 2026\nZweite Zeile',
      deviceCount: 0,
      createdAt: now,
      updatedAt: now,
    });
    expect(await rowsOf('SW-100/a')).toEqual([
      { id: body.id, customer_no: 'SW-100/a', name: 'Gemeindewerke Überlingen', name_search: 'gemeindewerke überlingen', contact_email: 'kunde@stadtwerke.example', notes: 'Rahmenvertrag 2026\nZweite Zeile', created_at: now, updated_at: now },
    ]);
    const audit = await auditFor('customer.create', body.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: op.userId, actor_role: 'operator', target_type: 'customer', result: 'allowed' });
    // Number and name identify the account; the contact and the notes are not copied.
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({ customerNo: 'SW-100/a', name: 'Gemeindewerke Überlingen', fields: 'customerNo,name,contactEmail,notes' });
    expect(audit[0]?.details).not.toContain('kunde@');
    expect(audit[0]?.details).not.toContain('Rahmenvertrag');
  });

  it('stores empty optional fields as null', async () => {
    const res = await post({ customerNo: 'EMPTY-1', name: 'Leer', contactEmail: '', notes: '   ' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ contactEmail: null, notes: null });
    expect(await rowsOf('EMPTY-1')).toMatchObject([{ contact_email: null, notes: null }]);
    expect(JSON.parse((await auditFor('customer.create', res.json().id))[0]?.details ?? '{}')).toMatchObject({ fields: 'customerNo,name' });
  });

  it.each<[string, Record<string, unknown>, { field: string; reason: string }[]]>([
    ['a blank in the number', { customerNo: 'VAL 1', name: 'N' }, [{ field: 'customerNo', reason: expect.stringContaining('1 to 32') }]],
    ['a 33-character number', { customerNo: 'V'.repeat(33), name: 'N' }, [{ field: 'customerNo', reason: expect.stringContaining('1 to 32') }]],
    ['a number of blanks only', { customerNo: '   ', name: 'N' }, [{ field: 'customerNo', reason: expect.stringContaining('1 to 32') }]],
    ['an umlaut in the number', { customerNo: 'VAL-Ä', name: 'N' }, [{ field: 'customerNo', reason: expect.stringContaining('1 to 32') }]],
    ['an empty name', { customerNo: 'VAL-2', name: '' }, [{ field: 'name', reason: expect.any(String) }]],
    ['a name of blanks', { customerNo: 'VAL-3', name: '   ' }, [{ field: 'name', reason: 'a name is 1 to 200 characters' }]],
    ['a 201-character name', { customerNo: 'VAL-4', name: 'n'.repeat(201) }, [{ field: 'name', reason: 'a name is 1 to 200 characters' }]],
    ['a line break in the name', { customerNo: 'VAL-5', name: 'a\nb' }, [{ field: 'name', reason: 'must not contain control characters' }]],
    ['an implausible e-mail', { customerNo: 'VAL-6', name: 'N', contactEmail: 'kunde@localhost' }, [{ field: 'contactEmail', reason: 'is not a valid e-mail address' }]],
    ['two addresses', { customerNo: 'VAL-7', name: 'N', contactEmail: 'a@example.com, b@example.com' }, [{ field: 'contactEmail', reason: 'is not a valid e-mail address' }]],
    ['2,001 characters of notes', { customerNo: 'VAL-8', name: 'N', notes: 'x'.repeat(2001) }, [{ field: 'notes', reason: 'notes are at most 2000 characters' }]],
    ['a missing name', { customerNo: 'VAL-9' }, [{ field: 'name', reason: 'is required' }]],
    ['an unknown field', { customerNo: 'VAL-10', name: 'N', dealer: 'x' }, [{ field: 'dealer', reason: 'is not a known field' }]],
    [
      'several bad fields at once',
      { customerNo: 'VAL 11', name: ' ', contactEmail: 'nope', notes: 'y'.repeat(2001) },
      [
        { field: 'customerNo', reason: expect.any(String) },
        { field: 'name', reason: expect.any(String) },
        { field: 'contactEmail', reason: expect.any(String) },
        { field: 'notes', reason: expect.any(String) },
      ],
    ],
  ])('refuses %s with validation_failed naming the field, and stores nothing', async (_label, payload, details) => {
    const before = (await auditOf(t, 'customer.create')).length;
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details });
    expect(res.json().error.details).toHaveLength(details.length);
    const number = typeof payload.customerNo === 'string' ? payload.customerNo.trim() : '';
    expect(await rowsOf(number)).toEqual([]);
    expect(await auditOf(t, 'customer.create')).toHaveLength(before);
  });

  it('accepts the longest number and name and 2,000 characters of notes', async () => {
    const res = await post({ customerNo: `L${'0'.repeat(31)}`, name: 'ü'.repeat(200), notes: 'ß'.repeat(2000) });
    expect(res.statusCode).toBe(201);
    expect(await rowsOf(`L${'0'.repeat(31)}`)).toHaveLength(1);
  });

  it('answers 409 customer_no_taken for a number that exists, and stores nothing', async () => {
    const id = await create('DUP-1', 'Erste');
    const res = await post({ customerNo: ' DUP-1 ', name: 'Zweite' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('customer_no_taken');
    expect(res.json().error.message).toContain('DUP-1');
    expect(await rowsOf('DUP-1')).toMatchObject([{ id, name: 'Erste' }]);
    expect((await auditOf(t, 'customer.create')).filter((a) => a.details.includes('DUP-1'))).toHaveLength(1);
  });

  it('lets exactly one of two simultaneous creations of a number win (the unique index decides)', async () => {
    const answers = await Promise.all([post({ customerNo: 'RACE-1', name: 'A' }), post({ customerNo: 'RACE-1', name: 'B' })]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(answers.find((r) => r.statusCode === 409)?.json().error.code).toBe('customer_no_taken');
    const rows = await rowsOf('RACE-1');
    expect(rows).toHaveLength(1);
    expect(await auditFor('customer.create', rows[0]?.id ?? '')).toHaveLength(1);
  });
});

describe('GET /api/customers/{id}', () => {
  it('answers the account with the number of its devices', async () => {
    const id = await create('CNT-1', 'Zählt');
    const other = await create('CNT-2', 'Andere');
    await insertDevice(id);
    await insertDevice(id);
    await insertDevice(other);
    await insertDevice(null);
    const res = await get(`/api/customers/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, customerNo: 'CNT-1', name: 'Zählt', deviceCount: 2 });
    expect((await get(`/api/customers/${other}`)).json().deviceCount).toBe(1);
  });

  it('answers 404 not_found for an unknown id', async () => {
    const res = await get('/api/customers/cus_unknown');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

describe('PATCH /api/customers/{id}', () => {
  it('changes the given fields, keeps the others, and audits what changed', async () => {
    const id = await create('UPD-1', 'Alt GmbH', { contactEmail: 'alt@example.com', notes: 'alte Notiz' });
    const created = t.clock.now().toISOString();
    t.clock.advance(60_000);
    const res = await patch(id, { name: ' Neu GmbH ', notes: 'geheime neue Notiz' });
    expect(res.statusCode).toBe(200);
    const now = t.clock.now().toISOString();
    expect(res.json()).toEqual({ id, customerNo: 'UPD-1', name: 'Neu GmbH', contactEmail: 'alt@example.com', notes: 'geheime neue Notiz', deviceCount: 0, createdAt: created, updatedAt: now });
    expect(await rowsOf('UPD-1')).toEqual([
      { id, customer_no: 'UPD-1', name: 'Neu GmbH', name_search: 'neu gmbh', contact_email: 'alt@example.com', notes: 'geheime neue Notiz', created_at: created, updated_at: now },
    ]);
    const audit = await auditFor('customer.update', id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: op.userId, target_type: 'customer', result: 'allowed' });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({ fields: 'name,notes', customerNo: 'UPD-1', name: 'Neu GmbH', previousName: 'Alt GmbH' });
    expect((await get(`/api/customers/${id}`)).json()).toEqual(res.json());
  });

  it('changes the number and clears the contact with null', async () => {
    const id = await create('UPD-2', 'Nummer', { contactEmail: 'n@example.com' });
    const res = await patch(id, { customerNo: 'UPD-2b', contactEmail: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ customerNo: 'UPD-2b', contactEmail: null });
    expect(await rowsOf('UPD-2')).toEqual([]);
    expect(await rowsOf('UPD-2b')).toMatchObject([{ id, contact_email: null }]);
    expect(JSON.parse((await auditFor('customer.update', id))[0]?.details ?? '{}')).toEqual({ fields: 'customerNo,contactEmail', customerNo: 'UPD-2b', name: 'Nummer', previousCustomerNo: 'UPD-2' });
  });

  it('answers 409 customer_no_taken when the new number is taken, and changes nothing', async () => {
    await create('UPD-3', 'Hat die Nummer');
    const id = await create('UPD-4', 'Will sie');
    const res = await patch(id, { customerNo: 'UPD-3', name: 'Umbenannt' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('customer_no_taken');
    expect(await rowsOf('UPD-4')).toMatchObject([{ id, name: 'Will sie' }]);
    expect(await auditFor('customer.update', id)).toEqual([]);
  });

  it('writes nothing when the values are the ones stored', async () => {
    const id = await create('UPD-5', 'Gleich');
    const before = await rowsOf('UPD-5');
    t.clock.advance(1000);
    const res = await patch(id, { customerNo: 'UPD-5', name: ' Gleich ' });
    expect(res.statusCode).toBe(200);
    expect(res.json().updatedAt).toBe(before[0]?.updated_at);
    expect(await rowsOf('UPD-5')).toEqual(before);
    expect(await auditFor('customer.update', id)).toEqual([]);
  });

  it('refuses an empty body, bad values and unknown accounts', async () => {
    const id = await create('UPD-6', 'Bleibt');
    const empty = await patch(id, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('validation_failed');
    const bad = await patch(id, { name: ' ', contactEmail: 'x@' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'name' }, { field: 'contactEmail' }] });
    expect(await rowsOf('UPD-6')).toMatchObject([{ name: 'Bleibt', contact_email: null }]);
    expect(await auditFor('customer.update', id)).toEqual([]);
    const unknown = await patch('cus_unknown', { name: 'X' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });
});

describe('GET /api/customers', () => {
  // Numbers sort the same under any collation (same case, same length), so the order is fixed.
  beforeAll(async () => {
    await create('Q100', 'Stadtwerke München');
    await create('Q101', 'Wasserverband Nord');
    await create('Q102', 'Hausverwaltung 100% Sicher');
    await create('Q200', 'Müller & Söhne');
    await create('Q201', 'stadtwerke musterstadt');
  });
  const numbers = async (url: string) => {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    return res.json<{ items: { customerNo: string }[] }>().items.map((c) => c.customerNo);
  };

  it('finds by the prefix of the number, case-insensitive', async () => {
    expect(await numbers('/api/customers?q=q10')).toEqual(['Q100', 'Q101', 'Q102']);
    expect(await numbers('/api/customers?q=Q2')).toEqual(['Q200', 'Q201']);
    // A prefix, not any part: "01" is inside Q101 but starts no number (and is in no name).
    expect(await numbers('/api/customers?q=01')).toEqual([]);
  });

  it('finds by any part of the name, case-insensitive (also beyond ASCII)', async () => {
    expect(await numbers('/api/customers?q=STADTWERKE')).toEqual(['Q100', 'Q201']);
    expect(await numbers(`/api/customers?q=${encodeURIComponent('MÜNCHEN')}`)).toEqual(['Q100']);
    expect(await numbers(`/api/customers?q=${encodeURIComponent('müller &')}`)).toEqual(['Q200']);
  });

  it('takes % and _ in the query literally', async () => {
    expect(await numbers(`/api/customers?q=${encodeURIComponent('100%')}`)).toEqual(['Q102']);
    expect(await numbers(`/api/customers?q=${encodeURIComponent('%')}`)).toEqual(['Q102']);
    expect(await numbers('/api/customers?q=Q_0')).toEqual([]);
  });

  it('pages in number order with an opaque cursor that stays stable while accounts are added', async () => {
    const p1 = (await get('/api/customers?q=q&limit=2')).json();
    expect(p1.items.map((c: { customerNo: string }) => c.customerNo)).toEqual(['Q100', 'Q101']);
    expect(p1.nextCursor).toEqual(expect.any(String));
    expect(p1.nextCursor).not.toContain('Q101');
    // Added before and after the cursor: the next pages neither repeat nor skip anything.
    await create('Q000', 'Vorne');
    await create('Q150', 'Mittendrin');
    const p2 = (await get(`/api/customers?q=q&limit=2&cursor=${p1.nextCursor}`)).json();
    expect(p2.items.map((c: { customerNo: string }) => c.customerNo)).toEqual(['Q102', 'Q150']);
    const p3 = (await get(`/api/customers?q=q&limit=2&cursor=${p2.nextCursor}`)).json();
    expect(p3.items.map((c: { customerNo: string }) => c.customerNo)).toEqual(['Q200', 'Q201']);
    expect(p3.nextCursor).toBeNull();
  });

  it('answers the Customer view with device counts, and 50 per page by default', async () => {
    const id = await create('Q300', 'Mit Geräten', { contactEmail: 'g@example.com' });
    await insertDevice(id);
    const res = (await get('/api/customers?q=Q300')).json();
    expect(res).toEqual({
      items: [{ id, customerNo: 'Q300', name: 'Mit Geräten', contactEmail: 'g@example.com', notes: null, deviceCount: 1, createdAt: expect.any(String), updatedAt: expect.any(String) }],
      nextCursor: null,
    });
    for (let i = 0; i < 50; i += 1) await create(`BULK-${String(i).padStart(3, '0')}`, `Viele ${i}`);
    const all = (await get('/api/customers?q=bulk-')).json();
    expect(all.items).toHaveLength(50);
    expect(all.nextCursor).toBeNull();
    const page = (await get('/api/customers')).json();
    expect(page.items).toHaveLength(50);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it.each([
    ['cursor=%25%25%25', 'cursor'],
    [`cursor=${Buffer.from('{"before":1}').toString('base64url')}`, 'cursor'],
    ['cursor=bm90IGpzb24', 'cursor'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=abc', 'limit'],
    ['sort=name', 'sort'],
  ])('answers 400 validation_failed for %s, naming %s', async (query, field) => {
    const res = await get(`/api/customers?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ field }] });
  });
});

describe('who may', () => {
  it('answers 404 not_found to a signed-in non-operator on every customer route, and changes nothing', async () => {
    const id = await create('PRIV-1', 'Geheim');
    const reader = await signInNewUser(t, 'reader@example.com');
    const h = { cookie: reader.cookie, 'x-csrf-token': reader.csrfToken };
    const answers = await Promise.all([
      t.app.inject({ method: 'GET', url: '/api/customers', headers: h }),
      t.app.inject({ method: 'GET', url: `/api/customers/${id}`, headers: h }),
      t.app.inject({ method: 'POST', url: '/api/customers', headers: h, payload: { customerNo: 'PRIV-2', name: 'X' } }),
      t.app.inject({ method: 'PATCH', url: `/api/customers/${id}`, headers: h, payload: { name: 'Gekapert' } }),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    expect(await rowsOf('PRIV-1')).toMatchObject([{ name: 'Geheim' }]);
    expect(await rowsOf('PRIV-2')).toEqual([]);
    expect(await auditFor('customer.update', id)).toEqual([]);
  });
});
