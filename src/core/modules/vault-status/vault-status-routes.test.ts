import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.js';
import { envVar } from '../../../lib/env-vars.js';

const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe('vault status and sealed start through the service', () => {
  it('shows an unsealed vault with its first key-encryption key to operators', async () => {
    const t = await createTestApp();
    apps.push(t);
    const op = await t.signInOperator();
    const res = await t.app.inject({ method: 'GET', url: '/api/vault', headers: { cookie: op.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ sealed: false, label: 'env:OPENEKS_MASTER_KEY', activeKekVersion: 1, masterVersions: [1], keks: [{ version: 1, masterVersion: 1, state: 'active' }] });
  });

  it('starts sealed with a wrong master key: /readyz 503 naming the label, never the key', async () => {
    const first = await createTestApp();
    apps.push(first);
    const wrongKey = randomBytes(32).toString('base64');
    // A second instance on the same database with another master key.
    const second = await createTestApp({ env: { [envVar.databaseUrl]: first.secrets.databaseUrl.reveal(), [envVar.masterKey]: `env:${wrongKey}` } });
    apps.push(second);
    const ready = await second.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    const error = ready.json().error;
    expect(error.code).toBe('sealed');
    expect(error.message).toContain('env:OPENEKS_MASTER_KEY');
    expect(ready.body).not.toContain(wrongKey);
    expect(second.logs()).not.toContain(wrongKey);
    expect((await first.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('starts sealed with a short master key, and says why', async () => {
    const short = randomBytes(16).toString('base64');
    const t = await createTestApp({ env: { [envVar.masterKey]: `env:${short}` } });
    apps.push(t);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error.message).toMatch(/OPENEKS_MASTER_KEY/);
    expect(ready.body).not.toContain(short);
    expect(t.container.vault.status().sealed).toBe(true);
    await expect(t.container.vault.encrypt({ plaintext: randomBytes(16), context: { table: 'device_keys', rowId: 'key_x', deviceId: 'dev_x', keyType: 'DEK', version: 1 } })).rejects.toMatchObject({ code: 'sealed' });
  });
});
