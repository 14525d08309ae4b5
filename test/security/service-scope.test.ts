import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor } from '../../src/core/access/actor.js';
import type { MachinePrincipal, PersonPrincipal, Principal } from '../../src/core/access/principal.js';
import { isAppError } from '../../src/shared/errors.js';
import { asSystem, createTestApp, type TestApp } from '../harness.js';
import { createActiveUser } from '../support/accounts.js';
import { storeDevice } from '../support/devices.js';

// Authorization is checked where the data is (docs/architecture.md "Access"): every service that
// reads or changes devices, keys, customer accounts, superuser links, requests or audit records,
// called directly — as a CLI command or a token would — with a principal outside its rights,
// answers `not_found`, records an `access.deny`, and returns or changes nothing. The routes'
// own check (the auth hook) is not involved here at all.
//
// Each call here is one refusal of its own, and must leave its own record: the folding of repeated
// refusals (access.deny_repeated, SEC-35) is switched off, test/security/route-security.test.ts covers it.

let t: TestApp;
let customerA: string;
let customerB: string;
let deviceA: string;
let deviceB: string;
let keyA: string;
let requestOfOther: string;
let plainUser: PersonPrincipal;
let dealerB: PersonPrincipal;
/** A read token of an operator, limited to device B. */
let readToken: MachinePrincipal;

const keyHexB = '00112233445566778899aabbccddeeff';

function person(userId: string, email: string, customerAccountIds: string[]): PersonPrincipal {
  return {
    kind: 'person',
    userId,
    email,
    name: null,
    roles: customerAccountIds.length > 0 ? ['user', 'superuser'] : ['user'],
    language: 'en',
    sessionId: 'ses_test',
    stage: 'complete',
    aal: 2,
    authenticatedAt: null,
    customerAccountIds,
  };
}

const origin = { ip: '192.0.2.7', userAgent: 'service-scope test', requestId: null };
const as = (principal: Principal) => ({ principal, actor: actorFor(principal, origin) });

async function denials(): Promise<Array<{ actor_id: string | null; target_type: string | null; target_id: string | null; result: string }>> {
  return t.container.db.kysely.selectFrom('audit_log').select(['actor_id', 'target_type', 'target_id', 'result']).where('action', '=', 'access.deny').orderBy('seq').execute();
}

/** The call fails with not_found and adds exactly one access.deny record naming the principal and target. */
async function expectDenied(principal: Principal, call: () => Promise<unknown>, target: { type: string; id: string }): Promise<void> {
  const before = (await denials()).length;
  const outcome = await call().then(
    (value) => ({ returned: value }),
    (err: unknown) => ({ code: isAppError(err) ? err.code : String(err) }),
  );
  expect(outcome).toEqual({ code: 'not_found' });
  const after = await denials();
  expect(after.slice(before)).toEqual([{ actor_id: principal.userId, target_type: target.type, target_id: target.id, result: 'denied' }]);
}

beforeAll(async () => {
  t = await createTestApp({ container: { denialAggregation: { windowMs: 0 } } });
  customerA = (await t.container.customers.create({ customerNo: 'A-1', name: 'Stadtwerke A', ...asSystem })).id;
  customerB = (await t.container.customers.create({ customerNo: 'B-1', name: 'Wohnbau B', ...asSystem })).id;
  const a = await storeDevice(t.container, { manufacturer: 'KAM', serial: '71000001', customerAccountId: customerA, keys: [{ hex: 'ffeeddccbbaa99887766554433221100' }] });
  const b = await storeDevice(t.container, { manufacturer: 'KAM', serial: '71000002', customerAccountId: customerB, keys: [{ hex: keyHexB }] });
  deviceA = a.deviceId;
  deviceB = b.deviceId;
  keyA = a.keyIds[0] ?? '';
  plainUser = person(await createActiveUser(t, { email: 'plain@example.com' }), 'plain@example.com', []);
  dealerB = person(await createActiveUser(t, { email: 'dealer-b@example.com' }), 'dealer-b@example.com', [customerB]);
  const operatorId = await createActiveUser(t, { email: 'token-owner@example.com', operator: true });
  readToken = { kind: 'machine', userId: operatorId, tokenId: 'tok_test', tokenKind: 'read', roles: ['operator'], customerAccountIds: [], deviceFilter: { serial: '71000002' }, bytewise: t.container.db.dialect.bytewise, expiresAt: '2099-01-01T00:00:00.000Z' };
  const other = person(await createActiveUser(t, { email: 'asker@example.com' }), 'asker@example.com', []);
  requestOfOther = (await t.container.accessRequests.create({ ...as(other), input: { customerNo: 'A-1', relation: 'dealer' } })).id;
});
afterAll(async () => t?.close());

describe('devices', () => {
  it('a superuser sees only the devices of his customer accounts; another account’s device is not found', async () => {
    expect((await t.container.devices.list({ ...as(dealerB), query: {} })).items.map((d) => d.id)).toEqual([deviceB]);
    expect(await t.container.devices.count({ ...as(dealerB), query: {} })).toBe(1);
    await expectDenied(dealerB, () => t.container.devices.get({ ...as(dealerB), id: deviceA }), { type: 'device', id: deviceA });
  });

  it('a user without grants sees nothing', async () => {
    expect(await t.container.devices.list({ ...as(plainUser), query: {} })).toEqual({ items: [], nextCursor: null });
    expect(await t.container.devices.count({ ...as(plainUser), query: {} })).toBe(0);
    await expectDenied(plainUser, () => t.container.devices.get({ ...as(plainUser), id: deviceB }), { type: 'device', id: deviceB });
  });

  it("a token sees its device filter's devices only, though its user is an operator", async () => {
    expect((await t.container.devices.list({ ...as(readToken), query: {} })).items.map((d) => d.id)).toEqual([deviceB]);
    await expectDenied(readToken, () => t.container.devices.get({ ...as(readToken), id: deviceA }), { type: 'device', id: deviceA });
  });
});

describe('keys', () => {
  it('the active key of a device in scope is read; of one outside it, nothing is', async () => {
    const own = await t.container.keys.readActive({ ...as(dealerB), deviceId: deviceB, keyType: 'DEK' });
    expect(own?.key.toString('hex')).toBe(keyHexB);
    await expectDenied(dealerB, () => t.container.keys.readActive({ ...as(dealerB), deviceId: deviceA, keyType: 'DEK' }), { type: 'device', id: deviceA });
    await expectDenied(readToken, () => t.container.keys.readActive({ ...as(readToken), deviceId: deviceA, keyType: 'DEK' }), { type: 'device', id: deviceA });
  });

  it('key history and state changes are for operators: a superuser is refused and nothing changes', async () => {
    await expectDenied(dealerB, () => t.container.keys.readVersion({ ...as(dealerB), deviceId: deviceA, keyId: keyA }), { type: 'permission', id: 'keys.manage' });
    await expectDenied(dealerB, () => t.container.keyVersions.transition({ ...as(dealerB), deviceId: deviceA, keyId: keyA, to: 'suspended' }), { type: 'permission', id: 'keys.manage' });
    const row = await t.container.db.kysely.selectFrom('device_keys').select('state').where('id', '=', keyA).executeTakeFirstOrThrow();
    expect(row.state).toBe('active');
  });
});

describe('customer accounts', () => {
  it('are for operators: listing, reading, creating and changing are refused, nothing is stored', async () => {
    const denied = { type: 'permission', id: 'customers.manage' };
    await expectDenied(dealerB, () => t.container.customers.list({ ...as(dealerB) }), denied);
    await expectDenied(dealerB, () => t.container.customers.get({ ...as(dealerB), id: customerB }), denied);
    await expectDenied(dealerB, () => t.container.customers.create({ ...as(dealerB), customerNo: 'X-1', name: 'Fremd' }), denied);
    await expectDenied(dealerB, () => t.container.customers.update({ ...as(dealerB), id: customerB, name: 'Umbenannt' }), denied);
    await expectDenied(readToken, () => t.container.customers.list({ ...as(readToken) }), denied);
    const rows = await t.container.db.kysely.selectFrom('customer_accounts').select(['customer_no', 'name']).orderBy('customer_no').execute();
    expect(rows).toEqual([
      { customer_no: 'A-1', name: 'Stadtwerke A' },
      { customer_no: 'B-1', name: 'Wohnbau B' },
    ]);
  });
});

describe('imports, the telegram check, the demo seed', () => {
  it('imports are for operators', async () => {
    await expectDenied(dealerB, () => t.container.imports.list({ ...as(dealerB) }), { type: 'permission', id: 'devices.import' });
    await expectDenied(plainUser, () => t.container.demo.seed({ ...as(plainUser), devices: 3 }), { type: 'permission', id: 'devices.import' });
    expect(await t.container.db.kysely.selectFrom('imports').select('id').execute()).toEqual([]);
  });

  it('a read token may not check telegrams (its kind does not allow it)', async () => {
    await expectDenied(readToken, () => t.container.telegramCheck.check({ ...as(readToken), telegram: '00' }), { type: 'permission', id: 'telegram.check' });
  });
});

describe('superuser links and requests', () => {
  it('links are managed by operators only; nothing is linked', async () => {
    const denied = { type: 'permission', id: 'superusers.manage' };
    await expectDenied(dealerB, () => t.container.superusers.list({ ...as(dealerB), query: {} }), denied);
    await expectDenied(dealerB, () => t.container.superusers.link({ ...as(dealerB), email: 'plain@example.com', customerId: customerA }), denied);
    await expectDenied(dealerB, () => t.container.superusers.unlink({ ...as(dealerB), userId: dealerB.userId, customerId: customerB }), denied);
    expect(await t.container.db.kysely.selectFrom('superuser_links').select('user_id').execute()).toEqual([]);
  });

  it('the queue and its decisions are for operators; someone else’s request cannot be withdrawn', async () => {
    const denied = { type: 'permission', id: 'access.decide' };
    await expectDenied(dealerB, () => t.container.accessRequests.queue({ ...as(dealerB), query: {} }), denied);
    await expectDenied(dealerB, () => t.container.accessRequests.approve({ ...as(dealerB), id: requestOfOther, customerIds: [customerA] }), denied);
    await expectDenied(dealerB, () => t.container.accessRequests.reject({ ...as(dealerB), id: requestOfOther, reason: 'nein' }), denied);
    const withdrawn = await t.container.accessRequests.withdraw({ ...as(plainUser), id: requestOfOther }).catch((err: unknown) => err);
    expect(isAppError(withdrawn) && withdrawn.code).toBe('not_found');
    const row = await t.container.db.kysely.selectFrom('access_requests').select('status').where('id', '=', requestOfOther).executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
  });
});

describe('the audit trail, the outbox, accounts, settings and the vault', () => {
  it('each refuses a principal without the permission', async () => {
    await expectDenied(dealerB, () => t.container.auditTrail.verify({ ...as(dealerB) }), { type: 'permission', id: 'audit.read' });
    await expectDenied(dealerB, () => t.container.outbox.list({ ...as(dealerB), limit: 10 }), { type: 'permission', id: 'mail.read' });
    await expectDenied(dealerB, () => t.container.settings.setPasswordProfile({ ...as(dealerB), profile: 'nist' }), { type: 'permission', id: 'settings.manage' });
    await expectDenied(dealerB, () => t.container.userAdmin.disable({ ...as(dealerB), userId: plainUser.userId }), { type: 'permission', id: 'users.manage' });
    await expectDenied(dealerB, () => t.container.passwordResets.sendByOperator({ ...as(dealerB), userId: plainUser.userId }), { type: 'permission', id: 'users.manage' });
    await expectDenied(dealerB, () => t.container.operatorSetup.createOperator({ ...as(dealerB), email: 'new-op@example.com' }), { type: 'permission', id: 'users.manage' });
    await expectDenied(readToken, () => t.container.vaultStatus.inspect({ ...as(readToken) }), { type: 'permission', id: 'vault.read' });
    const plain = await t.container.db.kysely.selectFrom('users').select('status').where('id', '=', plainUser.userId).executeTakeFirstOrThrow();
    expect(plain.status).toBe('active');
    expect(await t.container.db.kysely.selectFrom('users').select('id').where('email', '=', 'new-op@example.com').execute()).toEqual([]);
    expect(await t.container.settings.getPasswordProfile()).toBe('guide');
  });
});
