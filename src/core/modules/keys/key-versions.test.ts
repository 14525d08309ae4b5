import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, asSystem, testMasterKey, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { envVar } from '../../../lib/env-vars.js';
import { auditOf, signInNewUser } from '../../../../test/support/accounts.js';
import { storeDevice, storeKey } from '../../../../test/support/devices.js';
import { AppError } from '../../../shared/errors.js';
import { keyStates, type KeyState } from '../../../shared/inventory/device-fields.js';
import { canTransition, keyTransitions } from '../../../shared/inventory/key-states.js';

// One app for the file; every test makes its own devices, so they never share a key.
let t: TestApp;
let op: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  op = await t.signInOperator('ops@example.com');
});
afterAll(async () => t?.close());

let serial = 20_000_000;
async function insertDevice(): Promise<string> {
  serial += 1;
  return (await storeDevice(t.container, { manufacturer: 'KAM', serial: String(serial) })).deviceId;
}

/** A version with a real vault ciphertext bound to its row; answers its id and plaintext. */
async function insertKey(deviceId: string, options: { state: KeyState; version?: number; keyType?: string }): Promise<{ id: string; key: Buffer }> {
  const key = randomBytes(16);
  return { id: await storeKey(t.container, deviceId, { hex: key.toString('hex'), ...options }), key };
}

const rowOf = (id: string) => t.container.db.kysely.selectFrom('device_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditFor = async (keyId: string) => (await auditOf(t, 'key.state_change')).filter((a) => a.target_id === keyId);
const setState = (deviceId: string, keyId: string, payload: Record<string, unknown>, session: SignedIn = op) =>
  t.app.inject({ method: 'POST', url: `/api/devices/${deviceId}/keys/${keyId}/state`, headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken }, payload });

async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe('the transition table (SEC-09)', () => {
  it('is the one of docs/inventory.md', () => {
    expect(keyTransitions).toEqual({
      'pre-activation': ['active', 'compromised', 'destroyed'],
      active: ['suspended', 'deactivated', 'compromised'],
      suspended: ['active', 'deactivated', 'compromised'],
      deactivated: ['compromised', 'destroyed'],
      compromised: ['destroyed'],
      destroyed: [],
    });
    expect(canTransition('active', 'active')).toBe(false);
    expect(canTransition('destroyed', 'active')).toBe(false);
    expect(canTransition('suspended', 'active')).toBe(true);
  });

  const pairs = keyStates.flatMap((from) => keyStates.map((to) => [from, to, canTransition(from, to)] as const));
  it('covers all 36 pairs, 12 of them legal', () => {
    expect(pairs).toHaveLength(36);
    expect(pairs.filter(([, , legal]) => legal)).toHaveLength(12);
  });

  it.each(pairs)('%s → %s over the API (legal: %s)', async (from, to, legal) => {
    const deviceId = await insertDevice();
    const { id } = await insertKey(deviceId, { state: from });
    const before = await rowOf(id);
    t.clock.advance(1000);
    const res = await setState(deviceId, id, { state: to, reason: 'Tabellentest' });
    if (legal) {
      const at = t.clock.now().toISOString();
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id, keyType: 'DEK', version: 1, state: to, length: 16, createdAt: before.created_at, stateChangedAt: at, stateReason: 'Tabellentest' });
      const after = await rowOf(id);
      expect(after).toMatchObject({ state: to, state_changed_at: at, state_reason: 'Tabellentest', updated_at: at });
      if (to === 'destroyed') expect(after).toMatchObject({ ciphertext: null, data_key_id: null });
      else expect(after).toMatchObject({ ciphertext: before.ciphertext, data_key_id: before.data_key_id });
      const audit = await auditFor(id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_id: op.userId, actor_role: 'operator', target_type: 'device-key', result: 'allowed' });
      expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({ deviceId, keyType: 'DEK', version: 1, from, to, reason: 'Tabellentest' });
    } else {
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'key_transition_illegal', details: [{ field: 'state', reason: `is ${from}` }] });
      expect(await rowOf(id)).toEqual(before);
      expect(await auditFor(id)).toEqual([]);
    }
  });
});

describe('activation', () => {
  it('deactivates the version that was active before, in the same transaction, and audits both', async () => {
    const deviceId = await insertDevice();
    const v1 = await insertKey(deviceId, { state: 'active', version: 1 });
    const v2 = await insertKey(deviceId, { state: 'pre-activation', version: 2 });
    const gpk = await insertKey(deviceId, { state: 'active', version: 1, keyType: 'GPK1' });
    const otherDevice = await insertDevice();
    const foreign = await insertKey(otherDevice, { state: 'active', version: 1 });
    t.clock.advance(1000);

    const res = await setState(deviceId, v2.id, { state: 'active' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: v2.id, version: 2, state: 'active', stateReason: null });
    const at = t.clock.now().toISOString();
    expect(await rowOf(v1.id)).toMatchObject({ state: 'deactivated', state_changed_at: at, state_reason: 'superseded by version 2', ciphertext: expect.any(String) });
    expect(await rowOf(v2.id)).toMatchObject({ state: 'active', state_changed_at: at, state_reason: null });
    // Other key types and other devices keep their active versions.
    expect(await rowOf(gpk.id)).toMatchObject({ state: 'active', state_changed_at: null });
    expect(await rowOf(foreign.id)).toMatchObject({ state: 'active', state_changed_at: null });

    const audit = (await auditOf(t, 'key.state_change')).filter((a) => a.target_id === v1.id || a.target_id === v2.id);
    expect(audit.map((a) => [a.target_id, JSON.parse(a.details)])).toEqual([
      [v1.id, { deviceId, keyType: 'DEK', version: 1, from: 'active', to: 'deactivated', reason: 'superseded by version 2' }],
      [v2.id, { deviceId, keyType: 'DEK', version: 2, from: 'pre-activation', to: 'active', reason: null }],
    ]);
    // The active key the gateway and readers get is now version 2.
    const active = await t.container.db.kysely.selectFrom('device_keys').select('id').where('device_id', '=', deviceId).where('key_type', '=', 'DEK').where('state', '=', 'active').execute();
    expect(active).toEqual([{ id: v2.id }]);
  });

  it('resuming a suspended version deactivates the one activated meanwhile', async () => {
    const deviceId = await insertDevice();
    const v1 = await insertKey(deviceId, { state: 'suspended', version: 1 });
    const v2 = await insertKey(deviceId, { state: 'active', version: 2 });
    const res = await setState(deviceId, v1.id, { state: 'active', reason: 'zurück' });
    expect(res.statusCode).toBe(200);
    expect(await rowOf(v1.id)).toMatchObject({ state: 'active', state_reason: 'zurück' });
    expect(await rowOf(v2.id)).toMatchObject({ state: 'deactivated', state_reason: 'superseded by version 1' });
    expect(await auditFor(v2.id)).toHaveLength(1);
  });
});

describe('destroying a version (crypto-shredding)', () => {
  it('erases the ciphertext; reading it afterwards answers 410 key_destroyed', async () => {
    const deviceId = await insertDevice();
    const { id, key } = await insertKey(deviceId, { state: 'deactivated' });
    expect(await t.container.keys.readVersion({ ...asSystem, deviceId, keyId: id })).toEqual(key);

    const res = await setState(deviceId, id, { state: 'destroyed', reason: 'Vertragsende' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'destroyed', stateReason: 'Vertragsende' });
    const row = await rowOf(id);
    expect(row).toMatchObject({ state: 'destroyed', ciphertext: null, data_key_id: null });
    expect(JSON.stringify(row)).not.toContain(key.toString('hex'));

    const err = await appErrorOf(t.container.keys.readVersion({ ...asSystem, deviceId, keyId: id }));
    expect(err.code).toBe('key_destroyed');
    expect(err.status).toBe(410);
    // Nothing brings it back.
    expect((await setState(deviceId, id, { state: 'active' })).json().error.code).toBe('key_transition_illegal');
  });
});

describe('readVersion', () => {
  it('decrypts any version that still has its key, and only through its own device', async () => {
    const deviceId = await insertDevice();
    const v1 = await insertKey(deviceId, { state: 'compromised', version: 1 });
    const v2 = await insertKey(deviceId, { state: 'active', version: 2 });
    expect(await t.container.keys.readVersion({ ...asSystem, deviceId, keyId: v1.id })).toEqual(v1.key);
    expect(await t.container.keys.readVersion({ ...asSystem, deviceId, keyId: v2.id })).toEqual(v2.key);
    const otherDevice = await insertDevice();
    expect((await appErrorOf(t.container.keys.readVersion({ ...asSystem, deviceId: otherDevice, keyId: v2.id }))).code).toBe('not_found');
    expect((await appErrorOf(t.container.keys.readVersion({ ...asSystem, deviceId, keyId: 'key_unknown' }))).code).toBe('not_found');
  });
});

describe('POST /api/devices/{deviceId}/keys/{keyId}/state: refusals', () => {
  it('requires a reason to mark a key compromised, and changes nothing without one', async () => {
    const deviceId = await insertDevice();
    const { id } = await insertKey(deviceId, { state: 'active' });
    const before = await rowOf(id);
    for (const payload of [{ state: 'compromised' }, { state: 'compromised', reason: '   ' }]) {
      const res = await setState(deviceId, id, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'reason', reason: 'is required when a key is marked compromised' }] });
    }
    expect(await rowOf(id)).toEqual(before);
    expect(await auditFor(id)).toEqual([]);
    const ok = await setState(deviceId, id, { state: 'compromised', reason: ' Schlüssel im Ticket veröffentlicht ' });
    expect(ok.json()).toMatchObject({ state: 'compromised', stateReason: 'Schlüssel im Ticket veröffentlicht' });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['an unknown state', 'state', { state: 'revoked' }],
    ['no state', 'state', { reason: 'x' }],
    ['a 501-character reason', 'reason', { state: 'suspended', reason: 'r'.repeat(501) }],
    ['a line break in the reason', 'reason', { state: 'suspended', reason: 'a\nFAKE ENTRY' }],
    ['an unknown field', 'force', { state: 'suspended', force: true }],
  ])('answers 400 validation_failed for %s, naming %s', async (_label, field, payload) => {
    const deviceId = await insertDevice();
    const { id } = await insertKey(deviceId, { state: 'active' });
    const before = await rowOf(id);
    const res = await setState(deviceId, id, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ field }] });
    expect(await rowOf(id)).toEqual(before);
  });

  it('accepts a 500-character reason', async () => {
    const deviceId = await insertDevice();
    const { id } = await insertKey(deviceId, { state: 'active' });
    const res = await setState(deviceId, id, { state: 'suspended', reason: 'ä'.repeat(500) });
    expect(res.statusCode).toBe(200);
    expect((await rowOf(id)).state_reason).toBe('ä'.repeat(500));
  });

  it('answers 404 not_found for a key of another device and for an unknown key, and changes nothing', async () => {
    const deviceId = await insertDevice();
    const { id } = await insertKey(deviceId, { state: 'active' });
    const before = await rowOf(id);
    const otherDevice = await insertDevice();
    for (const [device, key] of [
      [otherDevice, id],
      [deviceId, 'key_unknown'],
      ['dev_unknown', id],
    ] as const) {
      const res = await setState(device, key, { state: 'suspended' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    expect(await rowOf(id)).toEqual(before);
    expect(await auditFor(id)).toEqual([]);
  });

  it('answers 404 not_found to a signed-in non-operator, audits the denial, and changes nothing', async () => {
    const deviceId = await insertDevice();
    const { id } = await insertKey(deviceId, { state: 'active' });
    const before = await rowOf(id);
    const reader = await signInNewUser(t, 'reader@example.com');
    const userId = reader.userId;
    const res = await setState(deviceId, id, { state: 'destroyed' }, reader);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect(await rowOf(id)).toEqual(before);
    expect(await auditFor(id)).toEqual([]);
    const denials = (await auditOf(t, 'access.deny')).filter((a) => a.actor_id === userId);
    expect(denials).toMatchObject([{ result: 'denied', target_id: 'POST /api/devices/:deviceId/keys/:keyId/state' }]);
  });
});

describe('the service', () => {
  it('records the actor it is given (CLI, system) and the same transitions as the API', async () => {
    const deviceId = await insertDevice();
    const { id } = await insertKey(deviceId, { state: 'pre-activation' });
    const view = await t.container.keyVersions.transition({ deviceId, keyId: id, to: 'destroyed', ...asSystem });
    expect(view).toMatchObject({ id, state: 'destroyed', stateReason: null });
    expect(await auditFor(id)).toMatchObject([{ actor_role: 'system', auth_method: 'cli' }]);
    const err = await appErrorOf(t.container.keyVersions.transition({ deviceId, keyId: id, to: 'compromised', reason: 'zu spät', ...asSystem }));
    expect(err.code).toBe('key_transition_illegal');
    expect(err.details).toEqual([{ field: 'state', reason: 'is destroyed' }]);
  });
});

describe('a sealed vault (SEC-05, issue 11 finding 9)', () => {
  it('refuses every key operation with 503 sealed and changes nothing', async () => {
    const deviceId = await insertDevice();
    const { id } = await insertKey(deviceId, { state: 'active' });
    // A second instance on the same database started with a wrong master key; the operator's
    // session (made on the first) is valid there too.
    const sealed = await createTestApp({ env: { [envVar.databaseUrl]: t.secrets.databaseUrl.reveal(), [envVar.masterKey]: testMasterKey() } });
    try {
      expect(sealed.container.vault.status().sealed).toBe(true);
      const auditBefore = (await t.container.db.kysely.selectFrom('audit_log').select('seq').execute()).length;
      for (const payload of [{ state: 'suspended' }, { state: 'compromised', reason: 'probe' }, { state: 'deactivated' }]) {
        const res = await sealed.app.inject({ method: 'POST', url: `/api/devices/${deviceId}/keys/${id}/state`, headers: { cookie: op.cookie, 'x-csrf-token': op.csrfToken }, payload });
        expect(res.statusCode).toBe(503);
        expect(res.json().error.code).toBe('sealed');
        expect(res.json().error.message).toContain('env:OPENEKS_MASTER_KEY');
      }
      expect(await rowOf(id)).toMatchObject({ state: 'active', state_reason: null });
      expect(await auditFor(id)).toHaveLength(0);
      expect((await t.container.db.kysely.selectFrom('audit_log').select('seq').execute()).length).toBe(auditBefore);
      // Reads refuse alike, before anything is looked up.
      expect(await appErrorOf(sealed.container.keys.readVersion({ ...asSystem, deviceId, keyId: id }))).toMatchObject({ code: 'sealed' });
      expect(await appErrorOf(sealed.container.keys.readActive({ ...asSystem, deviceId, keyType: 'DEK' }))).toMatchObject({ code: 'sealed' });
      expect(await appErrorOf(sealed.container.keyVersions.transition({ ...asSystem, deviceId, keyId: id, to: 'destroyed' }))).toMatchObject({ code: 'sealed' });
      expect(await rowOf(id)).toMatchObject({ state: 'active' });
      expect((await rowOf(id)).ciphertext).not.toBeNull();
    } finally {
      await sealed.close();
    }
  });
});
