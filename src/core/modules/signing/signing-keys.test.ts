import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, testMasterKey, type TestApp } from '../../../../test/harness.js';
import { envVar } from '../../../lib/env-vars.js';

const apps: TestApp[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Verifies with Debian's openssl, an independent reader: true when `openssl pkeyutl -verify` accepts. */
function opensslVerifies(pem: string, data: Buffer, signature: Buffer): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'openeks-sig-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'key.pem'), pem);
  writeFileSync(join(dir, 'data'), data);
  writeFileSync(join(dir, 'data.sig'), signature);
  try {
    execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'key.pem'), '-rawin', '-in', join(dir, 'data'), '-sigfile', join(dir, 'data.sig')], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('the service signing key', () => {
  it('is made at the first start, audited, published in PEM, and its signatures verify with openssl', async () => {
    const t = await createTestApp();
    apps.push(t);
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/openeks-signing-key' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-pem-file/);
    expect(res.body).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    const keyId = res.headers['openeks-signing-key-id'];
    expect(keyId).toMatch(/^sk_[0-9a-f]{16}$/);

    const records = await t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'signing_key.create').execute();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ target_type: 'signing-key', target_id: keyId, result: 'allowed' });

    const row = await t.container.db.kysely.selectFrom('signing_keys').selectAll().executeTakeFirstOrThrow();
    // The private key is a vault envelope, never PKCS#8 in clear.
    expect(row.private_ciphertext).not.toMatch(/PRIVATE KEY/);
    expect(row.public_pem).toBe(res.body);

    const data = randomBytes(1000);
    const signer = t.container.signingKeys.signer();
    const signature = signer.sign(data);
    expect(signature).toHaveLength(64);
    expect(opensslVerifies(res.body, data, signature)).toBe(true);
    data.writeUInt8(data.readUInt8(0) ^ 1, 0);
    expect(opensslVerifies(res.body, data, signature)).toBe(false);
  });

  it('is shared by a second instance on the same database; a sealed instance publishes it but signs nothing', async () => {
    const masterKey = testMasterKey();
    const first = await createTestApp({ env: { [envVar.masterKey]: masterKey } });
    apps.push(first);
    const same = await createTestApp({ env: { [envVar.databaseUrl]: first.secrets.databaseUrl.reveal(), [envVar.masterKey]: masterKey } });
    apps.push(same);
    expect(same.container.signingKeys.signer().keyId).toBe(first.container.signingKeys.signer().keyId);
    expect(await same.container.db.kysely.selectFrom('signing_keys').select('id').execute()).toHaveLength(1);

    const sealed = await createTestApp({ env: { [envVar.databaseUrl]: first.secrets.databaseUrl.reveal(), [envVar.masterKey]: `env:${randomBytes(32).toString('base64')}` } });
    apps.push(sealed);
    expect(() => sealed.container.signingKeys.signer()).toThrow(expect.objectContaining({ code: 'sealed' }));
    const published = await sealed.app.inject({ method: 'GET', url: '/.well-known/openeks-signing-key' });
    expect(published.statusCode).toBe(200);
    expect(published.headers['openeks-signing-key-id']).toBe(first.container.signingKeys.signer().keyId);
  });
});
