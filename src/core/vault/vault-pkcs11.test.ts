import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSoftHsm, type SoftHsm, type SoftHsmToken } from '../../../test/support/softhsm.js';
import { createTestDb, type TestDb } from '../../../test/support/test-db.js';
import { describeVaultContract } from '../../../test/support/vault-contract.js';
import { systemClock } from '../../lib/clock.js';
import { parseMasterKeySpec } from '../../lib/master-key-spec.js';
import { openMasterKeyProvider, type MasterKeyProvider } from './master-key/index.js';
import { createVault } from './vault-service.js';

// SEC-07: the same contract against a PKCS#11 token (SoftHSM2 in a private token directory),
// plus what only a token can get wrong: PIN, token presence, key attributes.

const PIN_VARIABLE = 'OPENEKS_TEST_PKCS11_PIN';
let hsm: SoftHsm;
let token: SoftHsmToken;

beforeAll(async () => {
  hsm = await createSoftHsm();
  token = hsm.initToken('openeks-test');
});

afterAll(async () => {
  await hsm.cleanup();
});

function providerFor(label: string, env: Record<string, string> = { [PIN_VARIABLE]: token.pin }): Promise<MasterKeyProvider> {
  return openMasterKeyProvider(parseMasterKeySpec(hsm.spec({ token: token.label, label, pinVariable: PIN_VARIABLE }), env));
}

/** The token's secret keys as pkcs11-tool (a separate process) sees them. */
function listKeys(): string {
  return execFileSync('pkcs11-tool', ['--module', hsm.module, '--token-label', token.label, '--login', '--pin', token.pin, '--list-objects', '--type', 'secrkey'], {
    env: { ...process.env, SOFTHSM2_CONF: hsm.conf },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

// Each fixture uses its own key label in the shared token: a fresh master key per test.
describeVaultContract('pkcs11: provider (SoftHSM2)', async () => {
  const label = `m${randomBytes(4).toString('hex')}`;
  return {
    open: () => providerFor(label),
    async openOther() {
      const provider = await providerFor(`${label}-other`);
      await provider.open({ createIfMissing: true });
      await provider.close();
      return providerFor(`${label}-other`);
    },
    canCreateVersions: true,
    cleanup: async () => undefined,
  };
});

describe('pkcs11: provider specifics', () => {
  let testDb: TestDb;
  const providers: MasterKeyProvider[] = [];

  async function boot(provider: MasterKeyProvider) {
    providers.push(provider);
    const vault = createVault({ db: testDb.db, clock: systemClock, provider });
    await vault.init();
    return vault;
  }

  beforeEach(async () => {
    testDb = await createTestDb();
  });

  afterEach(async () => {
    for (const provider of providers.splice(0)) await provider.close();
    await testDb.cleanup();
  });

  it('creates master keys that are sensitive and never extractable, and versions on rotation', async () => {
    const label = `k${randomBytes(4).toString('hex')}`;
    const vault = await boot(await providerFor(label));
    expect(vault.status().sealed).toBe(false);
    await vault.rotate();
    const listing = listKeys();
    for (const version of [1, 2]) {
      const block = listing.split('Secret Key Object').find((b) => b.includes(`label:      ${label}-v${version}\n`));
      expect(block).toBeDefined();
      expect(block).toContain('AES length 32');
      expect(block).toMatch(/Access:\s+sensitive, always sensitive, never extractable/);
    }
  });

  it('seals on a wrong PIN without printing it', async () => {
    const vault = await boot(await providerFor('any', { [PIN_VARIABLE]: 'wrong-pin-123' }));
    const status = vault.status();
    expect(status).toMatchObject({ sealed: true, label: `pkcs11:token=${token.label};label=any` });
    expect(status.reason).toContain('CKR_PIN_INCORRECT');
    expect(status.reason).not.toContain('wrong-pin-123');
  });

  it('seals when the PIN variable is not set, or the token is absent', async () => {
    const noPin = await boot(await providerFor('any', {}));
    expect(noPin.status().reason).toContain(`the PIN variable ${PIN_VARIABLE} is not set`);
    const spec = `pkcs11:module=${hsm.module};token=no-such-token;pin=env:${PIN_VARIABLE};label=any`;
    const noToken = await boot(await openMasterKeyProvider(parseMasterKeySpec(spec, { [PIN_VARIABLE]: token.pin })));
    expect(noToken.status().reason).toContain('no token labelled "no-such-token"');
  });

  it('reads the PIN from a file of mode 0600 and refuses one readable by others', async () => {
    const file = join(hsm.dir, 'pin');
    await writeFile(file, `${token.pin}\n`, { mode: 0o600 });
    const label = `f${randomBytes(4).toString('hex')}`;
    const spec = `pkcs11:module=${hsm.module};token=${token.label};pin=file:${file};label=${label}`;
    const vault = await boot(await openMasterKeyProvider(parseMasterKeySpec(spec)));
    expect(vault.status().sealed).toBe(false);
    await chmod(file, 0o644);
    const loose = await boot(await openMasterKeyProvider(parseMasterKeySpec(spec)));
    expect(loose.status().reason).toContain('must not be accessible by group or others');
  });

  it('never creates a key for a vault that already has one', async () => {
    const label = `e${randomBytes(4).toString('hex')}`;
    const first = await boot(await providerFor(label));
    expect(first.status().sealed).toBe(false);
    const missing = `${label}-gone`;
    const vault = await boot(await providerFor(missing));
    expect(vault.status().reason).toContain(`holds no key labelled ${missing}-v1`);
    expect(listKeys()).not.toContain(`${missing}-v1`);
  });
});
