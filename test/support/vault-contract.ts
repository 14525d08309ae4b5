import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/core/db/database.js';
import type { MasterKeyProvider } from '../../src/core/vault/master-key/index.js';
import { createVault, type Vault, type VaultLimits } from '../../src/core/vault/vault-service.js';
import { AppError } from '../../src/shared/errors.js';
import { FixedClock } from './clock.js';
import { captureLogs } from './log-capture.js';
import { createTestDb, sqlitePath, type TestDb } from './test-db.js';

// The vault contract (SEC-01…SEC-06), run unchanged against every master key provider: file,
// env and PKCS#11 (SoftHSM2) — SEC-07 asks for exactly that.

export interface MasterKeyFixture {
  /** A new provider on this fixture's master key: the same key on every call. */
  open(): Promise<MasterKeyProvider>;
  /** A new provider on a different master key that exists (the "wrong key" case). */
  openOther(): Promise<MasterKeyProvider>;
  canCreateVersions: boolean;
  cleanup(): Promise<void>;
}

export function deviceContext(rowId: string, overrides: Record<string, string | number> = {}) {
  return { table: 'device_keys', rowId, deviceId: 'dev_contract', keyType: 'wmbus-aes128', version: 1, ...overrides };
}

export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

type Part = 'nonce' | 'tag' | 'ciphertext';

/** The same envelope with one bit flipped in the nonce, the tag or the ciphertext. */
export function flipBit(envelope: string, part: Part): string {
  const fields = envelope.split('.');
  const nonce = Buffer.from(fields[3] ?? '', 'base64url');
  const body = Buffer.from(fields[4] ?? '', 'base64url');
  if (part === 'nonce') nonce[5] = (nonce[5] ?? 0) ^ 0x01;
  if (part === 'tag') body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0x80;
  if (part === 'ciphertext') body[0] = (body[0] ?? 0) ^ 0x10;
  return [...fields.slice(0, 3), nonce.toString('base64url'), body.toString('base64url')].join('.');
}

/** Every row of every table, as text, for SEC-01 greps. */
export async function dumpAllTables(db: Db): Promise<string> {
  const tables = await db.kysely.introspection.getTables();
  const parts: string[] = [];
  for (const table of tables) {
    const { rows } = await sql`select * from ${sql.table(table.name)}`.execute(db.kysely);
    parts.push(`${table.name}: ${JSON.stringify(rows)}`);
  }
  return parts.join('\n');
}

function encodings(secret: Buffer): string[] {
  return [secret.toString('hex'), secret.toString('hex').toUpperCase(), secret.toString('base64'), secret.toString('base64url')];
}

export function describeVaultContract(name: string, makeFixture: () => Promise<MasterKeyFixture>): void {
  describe(`vault contract: ${name}`, () => {
    let testDb: TestDb;
    let fixture: MasterKeyFixture;
    let logs: ReturnType<typeof captureLogs>;
    const opened: { vaults: Vault[]; providers: MasterKeyProvider[] } = { vaults: [], providers: [] };
    const clock = new FixedClock();

    async function openVault(options: { other?: boolean; limits?: Partial<VaultLimits> } = {}): Promise<{ vault: Vault; provider: MasterKeyProvider }> {
      const provider = options.other === true ? await fixture.openOther() : await fixture.open();
      opened.providers.push(provider);
      const vault = createVault({ db: testDb.db, clock, provider, logger: logs.logger, limits: options.limits });
      opened.vaults.push(vault);
      await vault.init();
      return { vault, provider };
    }

    beforeEach(async () => {
      testDb = await createTestDb();
      fixture = await makeFixture();
      logs = captureLogs();
    });

    afterEach(async () => {
      for (const vault of opened.vaults.splice(0)) await vault.close();
      for (const provider of opened.providers.splice(0)) await provider.close();
      await testDb.cleanup();
      await fixture.cleanup();
    });

    it('boots an empty vault with KEK v1 and a canary', async () => {
      const { vault, provider } = await openVault();
      expect(vault.status()).toEqual({ sealed: false, label: provider.label });
      const keks = await testDb.db.kysely.selectFrom('vault_keks').selectAll().execute();
      expect(keks).toHaveLength(1);
      expect(keks[0]).toMatchObject({ version: 1, master_version: 1, state: 'active' });
      expect(keks[0]?.wrapped).toMatch(/^oek1\.A256GCM\.master-v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      const canary = await testDb.db.kysely.selectFrom('vault_meta').select('value').where('name', '=', 'canary').executeTakeFirst();
      expect(canary?.value.startsWith(`oek1.A256GCM.${keks[0]?.id ?? 'none'}.`)).toBe(true);
    });

    it('round-trips 16- and 32-byte device keys, also in a transaction and in a second instance', async () => {
      const { vault } = await openVault();
      for (const length of [16, 32]) {
        const plaintext = randomBytes(length);
        const context = deviceContext(`key_${length}`);
        const sealed = await vault.encrypt({ plaintext, context });
        expect(sealed.ciphertext).toMatch(/^oek1\.A256GCM\.dk_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
        expect(sealed.ciphertext.split('.')[2]).toBe(sealed.dataKeyId);
        expect(await vault.decrypt({ ciphertext: sealed.ciphertext, context })).toEqual(plaintext);
        const inTrx = await testDb.db.kysely.transaction().execute((trx) => vault.decrypt({ ciphertext: sealed.ciphertext, context }, trx));
        expect(inTrx).toEqual(plaintext);
        const { vault: second } = await openVault();
        expect(second.status().sealed).toBe(false);
        expect(await second.decrypt({ ciphertext: sealed.ciphertext, context })).toEqual(plaintext);
      }
    });

    it('decrypts many at once, all or nothing', async () => {
      const { vault } = await openVault({ limits: { dataKeyMaxOperations: 2 } });
      const items = [];
      for (let i = 0; i < 5; i++) {
        const plaintext = randomBytes(i % 2 === 0 ? 16 : 32);
        const context = deviceContext(`key_many_${i}`);
        items.push({ plaintext, context, ...(await vault.encrypt({ plaintext, context })) });
      }
      expect(await vault.decryptMany(items)).toEqual(items.map((i) => i.plaintext));
      const { vault: fresh } = await openVault();
      expect(await fresh.decryptMany(items)).toEqual(items.map((i) => i.plaintext));
      const third = items[2];
      if (third === undefined) throw new Error('no items');
      const broken = [...items.slice(0, 2), { ...third, ciphertext: flipBit(third.ciphertext, 'tag') }, ...items.slice(3)];
      expect((await rejection(fresh.decryptMany(broken))).code).toBe('key_integrity');
      expect(await fresh.decryptMany([])).toEqual([]);
    });

    it('never produces the same ciphertext twice (random nonces)', async () => {
      const { vault } = await openVault();
      const plaintext = randomBytes(16);
      const context = deviceContext('key_same');
      const a = await vault.encrypt({ plaintext, context });
      const b = await vault.encrypt({ plaintext, context });
      expect(a.ciphertext).not.toBe(b.ciphertext);
      expect(a.ciphertext.split('.')[3]).not.toBe(b.ciphertext.split('.')[3]);
    });

    it('fails with key_integrity when one bit of nonce, tag or ciphertext flips (SEC-02)', async () => {
      const { vault } = await openVault();
      const plaintext = randomBytes(16);
      const context = deviceContext('key_tamper');
      const { ciphertext } = await vault.encrypt({ plaintext, context });
      for (const part of ['nonce', 'tag', 'ciphertext'] as const) {
        const err = await rejection(vault.decrypt({ ciphertext: flipBit(ciphertext, part), context }));
        expect(err.code).toBe('key_integrity');
        expect(err.message).toBe('A stored key failed its integrity check.');
      }
      const fields = ciphertext.split('.');
      const variants = [
        ciphertext.replace('A256GCM', 'A128GCM'),
        ciphertext.replace('oek1', 'oek2'),
        [...fields.slice(0, 2), 'dk_doesnotexist', ...fields.slice(3)].join('.'),
        ciphertext.slice(0, -4),
        `${ciphertext}.x`,
        '',
      ];
      for (const variant of variants) expect((await rejection(vault.decrypt({ ciphertext: variant, context }))).code).toBe('key_integrity');
    });

    it('fails when a stored row is changed directly in the database (SEC-02)', async () => {
      const { vault } = await openVault();
      const now = clock.now().toISOString();
      await testDb.db.kysely.insertInto('devices').values({ id: 'dev_contract', manufacturer: 'KAM', serial: '12345678', kind: 'meter', medium: 'water', created_at: now }).execute();
      const context = deviceContext('key_row');
      const sealed = await vault.encrypt({ plaintext: randomBytes(16), context });
      await testDb.db.kysely
        .insertInto('device_keys')
        .values({ id: 'key_row', device_id: 'dev_contract', key_type: 'wmbus-aes128', version: 1, state: 'active', ciphertext: sealed.ciphertext, data_key_id: sealed.dataKeyId, created_at: now, updated_at: now })
        .execute();
      await testDb.db.kysely.updateTable('device_keys').set({ ciphertext: flipBit(sealed.ciphertext, 'ciphertext') }).where('id', '=', 'key_row').execute();
      const row = await testDb.db.kysely.selectFrom('device_keys').select('ciphertext').where('id', '=', 'key_row').executeTakeFirstOrThrow();
      expect((await rejection(vault.decrypt({ ciphertext: row.ciphertext ?? '', context }))).code).toBe('key_integrity');
    });

    it('binds the ciphertext to its row: another row, device, type or version fails (SEC-03)', async () => {
      const { vault } = await openVault();
      const plaintext = randomBytes(32);
      const context = deviceContext('key_a');
      const { ciphertext } = await vault.encrypt({ plaintext, context });
      const moved = [
        deviceContext('key_b'),
        deviceContext('key_a', { deviceId: 'dev_other' }),
        deviceContext('key_a', { keyType: 'dlms-guek' }),
        deviceContext('key_a', { version: 2 }),
        { ...deviceContext('key_a'), table: 'users' },
      ];
      for (const other of moved) expect((await rejection(vault.decrypt({ ciphertext, context: other }))).code).toBe('key_integrity');
      const reordered = { version: 1, keyType: 'wmbus-aes128', deviceId: 'dev_contract', rowId: 'key_a', table: 'device_keys' };
      expect(await vault.decrypt({ ciphertext, context: reordered })).toEqual(plaintext);
    });

    it('rejects device keys that are not 16 or 32 bytes', async () => {
      const { vault } = await openVault();
      for (const length of [0, 5, 15, 17, 24, 33]) {
        const err = await rejection(vault.encrypt({ plaintext: randomBytes(length), context: deviceContext('key_len') }));
        expect(err.code).toBe('validation_failed');
      }
    });

    it('seals with the label, and no key bytes, when the master key is the wrong one (SEC-05)', async () => {
      const { vault } = await openVault();
      const context = deviceContext('key_wrong');
      const { ciphertext } = await vault.encrypt({ plaintext: randomBytes(16), context });
      const { vault: wrong, provider } = await openVault({ other: true });
      const status = wrong.status();
      expect(status.sealed).toBe(true);
      expect(status.label).toBe(provider.label);
      expect(status.reason).toContain(provider.label);
      // Nothing that looks like key material besides the label (which holds a path).
      expect((status.reason ?? '').replaceAll(provider.label, '')).not.toMatch(/[A-Za-z0-9+/_-]{24,}|[0-9a-f]{32,}/i);
      const readErr = await rejection(wrong.decrypt({ ciphertext, context }));
      expect(readErr.code).toBe('sealed');
      expect(readErr.message).toBe(`The key vault is sealed: ${status.reason ?? ''}`);
      expect((await rejection(wrong.encrypt({ plaintext: randomBytes(16), context }))).code).toBe('sealed');
      expect((await rejection(wrong.rotate())).code).toBe('sealed');
    });

    it('seals when the canary is damaged or missing (SEC-32)', async () => {
      await openVault();
      const row = await testDb.db.kysely.selectFrom('vault_meta').select('value').where('name', '=', 'canary').executeTakeFirstOrThrow();
      await testDb.db.kysely.updateTable('vault_meta').set({ value: flipBit(row.value, 'tag') }).where('name', '=', 'canary').execute();
      const { vault: damaged, provider } = await openVault();
      expect(damaged.status()).toMatchObject({ sealed: true, label: provider.label });
      expect(damaged.status().reason).toContain('canary');
      await testDb.db.kysely.deleteFrom('vault_meta').where('name', '=', 'canary').execute();
      const { vault: missing } = await openVault();
      expect(missing.status().reason).toContain('canary is missing');
      await testDb.db.kysely.insertInto('vault_meta').values({ name: 'canary', value: row.value }).execute();
      const { vault: restored } = await openVault();
      expect(restored.status().sealed).toBe(false);
    });

    it('rotates online: old ciphertext decrypts, data keys are rewrapped, the old KEK is retired (SEC-06)', async () => {
      const { vault } = await openVault({ limits: { dataKeyMaxOperations: 1 } });
      const items = [];
      for (let i = 0; i < 5; i++) {
        const plaintext = randomBytes(16);
        const context = deviceContext(`key_rot_${i}`);
        items.push({ plaintext, context, ...(await vault.encrypt({ plaintext, context })) });
      }
      const first = items[0];
      if (first === undefined) throw new Error('no items');
      const kekV1 = await testDb.db.kysely.selectFrom('vault_keks').selectAll().where('version', '=', 1).executeTakeFirstOrThrow();
      const savedDataKey = await testDb.db.kysely.selectFrom('vault_data_keys').selectAll().where('id', '=', first.dataKeyId).executeTakeFirstOrThrow();
      expect(savedDataKey.kek_id).toBe(kekV1.id);

      const report = await vault.rotate({ batchSize: 2 });
      expect(report).toMatchObject({
        masterVersion: fixture.canCreateVersions ? 2 : 1,
        masterVersionCreated: fixture.canCreateVersions,
        kekVersion: 2,
        rewrapped: 5,
        failed: 0,
        retired: [1],
        stillInUse: [],
      });
      for (const item of items) expect(await vault.decrypt(item)).toEqual(item.plaintext);

      const kekV2 = await testDb.db.kysely.selectFrom('vault_keks').selectAll().where('version', '=', 2).executeTakeFirstOrThrow();
      expect(kekV2).toMatchObject({ state: 'active', master_version: report.masterVersion });
      const retired = await testDb.db.kysely.selectFrom('vault_keks').selectAll().where('version', '=', 1).executeTakeFirstOrThrow();
      expect(retired).toMatchObject({ state: 'retired', wrapped: '' });
      const dataKeys = await testDb.db.kysely.selectFrom('vault_data_keys').selectAll().execute();
      expect(dataKeys.every((k) => k.kek_id === kekV2.id)).toBe(true);

      const after = await vault.encrypt({ plaintext: randomBytes(16), context: deviceContext('key_after') });
      expect(items.map((i) => i.dataKeyId)).not.toContain(after.dataKeyId);

      const { vault: fresh } = await openVault();
      expect(fresh.status().sealed).toBe(false);
      for (const item of items) expect(await fresh.decrypt(item)).toEqual(item.plaintext);

      // A copy of the data key wrapped by the retired KEK (e.g. from an old backup) opens no more.
      await testDb.db.kysely.updateTable('vault_data_keys').set({ kek_id: savedDataKey.kek_id, wrapped: savedDataKey.wrapped }).where('id', '=', first.dataKeyId).execute();
      const { vault: restored } = await openVault();
      expect((await rejection(restored.decrypt(first))).code).toBe('key_integrity');
    });

    it('refuses to retire a KEK version that still protects data keys', async () => {
      const { vault } = await openVault({ limits: { dataKeyMaxOperations: 1, kekMaxOperations: 2 } });
      const items = [];
      for (let i = 0; i < 3; i++) {
        const plaintext = randomBytes(16);
        const context = deviceContext(`key_ret_${i}`);
        items.push({ plaintext, context, ...(await vault.encrypt({ plaintext, context })) });
      }
      expect((await vault.inspect()).activeKekVersion).toBe(2);
      const inUse = await rejection(vault.retireKek({ version: 1 }));
      expect(inUse.code).toBe('vault_version_in_use');
      expect(inUse.message).toContain('2 data keys');
      expect((await rejection(vault.setMinDecryptionVersion({ version: 2 }))).code).toBe('vault_version_in_use');
      expect((await rejection(vault.retireKek({ version: 2 }))).code).toBe('vault_version_in_use');
      expect((await rejection(vault.retireKek({ version: 99 }))).code).toBe('not_found');

      const report = await vault.rewrap();
      expect(report).toMatchObject({ rewrapped: 2, failed: 0, retired: [1] });
      await vault.retireKek({ version: 1 });
      expect(await vault.setMinDecryptionVersion({ version: 2 })).toEqual({ retired: [] });
      expect((await vault.inspect()).minDecryptionVersion).toBe(2);
      const { vault: fresh } = await openVault();
      for (const item of items) expect(await fresh.decrypt(item)).toEqual(item.plaintext);
    });

    it('starts a new data key when one reaches its operation limit (SEC-04)', async () => {
      const { vault } = await openVault({ limits: { dataKeyMaxOperations: 3, counterFlushInterval: 2 } });
      const items = [];
      for (let i = 0; i < 7; i++) {
        const plaintext = randomBytes(16);
        const context = deviceContext(`key_cnt_${i}`);
        items.push({ plaintext, context, ...(await vault.encrypt({ plaintext, context })) });
      }
      const ids = [...new Set(items.map((i) => i.dataKeyId))];
      expect(ids).toHaveLength(3);
      const rows = await testDb.db.kysely.selectFrom('vault_data_keys').selectAll().where('id', 'in', ids.slice(0, 2)).execute();
      for (const row of rows) expect(row).toMatchObject({ operations: 3, state: 'decrypt-only' });
      for (const item of items) expect(await vault.decrypt(item)).toEqual(item.plaintext);
      // A restarted instance never resumes a data key: its count could not be trusted.
      const { vault: next } = await openVault({ limits: { dataKeyMaxOperations: 3 } });
      const more = await next.encrypt({ plaintext: randomBytes(16), context: deviceContext('key_cnt_next') });
      expect(ids).not.toContain(more.dataKeyId);
    });

    it('records the counter of encryptions in a caller transaction (PostgreSQL: once the key is used outside it)', async () => {
      const { vault } = await openVault({ limits: { counterFlushInterval: 2 } });
      const recorded = async (id: string) => (await testDb.db.kysely.selectFrom('vault_data_keys').select('operations').where('id', '=', id).executeTakeFirstOrThrow()).operations;
      const id = await testDb.db.kysely.transaction().execute(async (trx) => {
        let last = '';
        for (let i = 0; i < 5; i++) last = (await vault.encrypt({ plaintext: randomBytes(16), context: deviceContext(`key_trx_${i}`) }, trx)).dataKeyId;
        return last;
      });
      expect(await recorded(id)).toBe(testDb.db.kind === 'postgres' ? 0 : 4);
      await vault.encrypt({ plaintext: randomBytes(16), context: deviceContext('key_after_trx') });
      expect(await recorded(id)).toBe(6);
    });

    it('creates a new KEK version when the active one reaches its operation limit (SEC-04)', async () => {
      const { vault } = await openVault({ limits: { dataKeyMaxOperations: 1, kekMaxOperations: 2 } });
      const items = [];
      for (let i = 0; i < 5; i++) {
        const plaintext = randomBytes(16);
        const context = deviceContext(`key_kek_${i}`);
        items.push({ plaintext, context, ...(await vault.encrypt({ plaintext, context })) });
      }
      const keks = (await vault.inspect()).keks;
      expect(keks.map((k) => [k.version, k.state, k.operations])).toEqual([
        [1, 'decrypt-only', 2],
        [2, 'decrypt-only', 2],
        [3, 'active', 1],
      ]);
      const { vault: fresh } = await openVault();
      expect(fresh.status().sealed).toBe(false);
      for (const item of items) expect(await fresh.decrypt(item)).toEqual(item.plaintext);
    });

    it('lets two instances share one database, each with its own data key', async () => {
      const { vault: a } = await openVault();
      const { vault: b } = await openVault();
      const ca = deviceContext('key_a1');
      const cb = deviceContext('key_b1');
      const pa = randomBytes(16);
      const pb = randomBytes(16);
      const sa = await a.encrypt({ plaintext: pa, context: ca });
      const sb = await b.encrypt({ plaintext: pb, context: cb });
      expect(sa.dataKeyId).not.toBe(sb.dataKeyId);
      expect(await a.decrypt({ ciphertext: sb.ciphertext, context: cb })).toEqual(pb);
      expect(await b.decrypt({ ciphertext: sa.ciphertext, context: ca })).toEqual(pa);
    });

    it('survives a rolled-back caller transaction that created its data key', async () => {
      const { vault } = await openVault();
      const now = clock.now().toISOString();
      await testDb.db.kysely.insertInto('devices').values({ id: 'dev_contract', manufacturer: 'KAM', serial: '87654321', kind: 'meter', medium: 'heat', created_at: now }).execute();
      const context = deviceContext('key_rb');
      await testDb.db.kysely
        .transaction()
        .execute(async (trx) => {
          await vault.encrypt({ plaintext: randomBytes(16), context }, trx);
          throw new Error('roll back');
        })
        .catch(() => undefined);
      const plaintext = randomBytes(16);
      const sealed = await vault.encrypt({ plaintext, context });
      await testDb.db.kysely
        .insertInto('device_keys')
        .values({ id: 'key_rb', device_id: 'dev_contract', key_type: 'wmbus-aes128', version: 1, state: 'active', ciphertext: sealed.ciphertext, data_key_id: sealed.dataKeyId, created_at: now, updated_at: now })
        .execute();
      expect(await vault.decrypt({ ciphertext: sealed.ciphertext, context })).toEqual(plaintext);
    });

    it('stores no plaintext key anywhere: tables, database files, logs (SEC-01, SEC-08)', async () => {
      const { vault } = await openVault();
      const canary = randomBytes(16);
      const now = clock.now().toISOString();
      await testDb.db.kysely.insertInto('devices').values({ id: 'dev_contract', manufacturer: 'KAM', serial: '11112222', kind: 'meter', medium: 'water', created_at: now }).execute();
      const context = deviceContext('key_canary');
      await testDb.db.kysely.transaction().execute(async (trx) => {
        const sealed = await vault.encrypt({ plaintext: canary, context }, trx);
        await trx
          .insertInto('device_keys')
          .values({ id: 'key_canary', device_id: 'dev_contract', key_type: 'wmbus-aes128', version: 1, state: 'active', ciphertext: sealed.ciphertext, data_key_id: sealed.dataKeyId, created_at: now, updated_at: now })
          .execute();
      });
      await vault.rotate();
      const dump = await dumpAllTables(testDb.db);
      expect(dump).toContain('key_canary');
      for (const text of encodings(canary)) expect(dump).not.toContain(text);
      expect(logs.text()).not.toContain(canary.toString('hex'));
      for (const text of encodings(canary)) expect(logs.text()).not.toContain(text);

      const path = sqlitePath(testDb.url);
      if (path !== undefined) {
        for (const file of [path, `${path}-wal`, `${path}-shm`]) {
          const bytes = await readFile(file).catch(() => Buffer.alloc(0));
          expect(bytes.indexOf(canary)).toBe(-1);
          const asText = bytes.toString('latin1');
          for (const text of encodings(canary)) expect(asText).not.toContain(text);
        }
      }
    });
  });
}
