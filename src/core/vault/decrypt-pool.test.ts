import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestVault } from '../../../test/support/test-vault.js';
import { createTestDb, type TestDb } from '../../../test/support/test-db.js';
import { buildAad, type AadContext } from '../../lib/crypto/aad.js';
import { seal } from '../../lib/crypto/aead.js';
import { envelopeHeader, formatEnvelope } from '../../lib/crypto/envelope.js';
import { createDecryptPool, PoolDeclined } from './decrypt-pool.js';
import type { DecryptInput, Vault } from './vault-service.js';

// decryptParallel (decrypt-pool.ts): the same plaintexts as decryptMany for contexts of every
// shape the AAD canonicalisation knows (the worker builds the AAD itself, so any difference from
// aad.ts would show here as a refusal), and the vault's own errors for what does not open.

let testDb: TestDb;
let vault: Vault;
let close: () => Promise<void>;

beforeAll(async () => {
  testDb = await createTestDb();
  ({ vault, close } = await openTestVault(testDb.db));
});
afterAll(async () => {
  await close();
  await testDb.cleanup();
});

const contextOf = (i: number): AadContext =>
  i % 4 === 0
    ? { table: 'device_keys', rowId: `key_${i}`, deviceId: `dev_${i}`, keyType: 'DEK', version: i }
    : i % 4 === 1
      ? { table: 'device_keys', rowId: `key "${i}" \\ ü €`, deviceId: `dev\u0001${i}`, keyType: 'GPK1', version: 1 }
      : i % 4 === 2
        ? { zeta: true, alpha: 'Ä', Beta: -7, table: 'other' }
        : { table: 'mfa_totp', userId: `usr_${'x'.repeat(200)}${i}` };

async function sealed(count: number): Promise<{ inputs: DecryptInput[]; plaintexts: Buffer[] }> {
  const inputs: DecryptInput[] = [];
  const plaintexts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const plaintext = randomBytes(i % 2 === 0 ? 16 : 32);
    const context = contextOf(i);
    inputs.push({ ciphertext: (await vault.encrypt({ plaintext, context })).ciphertext, context });
    plaintexts.push(plaintext);
  }
  return { inputs, plaintexts };
}

describe('the decrypt pool', () => {
  it("builds the AAD byte for byte as aad.ts does: it opens envelopes sealed with buildAad's bytes", async () => {
    const pool = createDecryptPool(2);
    try {
      const keys = new Map([['dk_one', randomBytes(32)], ['dk_two', randomBytes(32)]]);
      const plaintexts: Buffer[] = [];
      const ciphertexts: string[] = [];
      const contexts: AadContext[] = [];
      for (let i = 0; i < 200; i++) {
        const keyId = i % 3 === 0 ? 'dk_one' : 'dk_two';
        const plaintext = randomBytes(16 + (i % 17));
        const context = contextOf(i);
        const sealedBox = seal(keys.get(keyId) as Buffer, plaintext, buildAad(envelopeHeader(keyId), context));
        ciphertexts.push(formatEnvelope({ keyId, ...sealedBox }));
        contexts.push(context);
        plaintexts.push(plaintext);
      }
      const [first, second] = await Promise.all([pool.open({ keys, ciphertexts, contexts }), pool.open({ keys, ciphertexts: ciphertexts.slice(100), contexts: contexts.slice(100) })]);
      expect(first.map((b) => b.toString('hex'))).toEqual(plaintexts.map((b) => b.toString('hex')));
      expect(second.map((b) => b.toString('hex'))).toEqual(plaintexts.slice(100).map((b) => b.toString('hex')));
      // One AAD byte off (another version): declined, naming the index.
      const other = contexts.map((c, i) => (i === 42 ? { ...c, version: 12345 } : c));
      await expect(pool.open({ keys, ciphertexts, contexts: other })).rejects.toBeInstanceOf(PoolDeclined);
      // After a wipe the keys are sent again.
      pool.wipe();
      expect(await pool.open({ keys, ciphertexts, contexts })).toHaveLength(200);
    } finally {
      await pool.close();
    }
  });
});

describe('vault.decryptParallel', () => {
  it('opens on a worker what decryptMany opens, with the same bytes', async () => {
    const { inputs, plaintexts } = await sealed(300);
    const parallel = await vault.decryptParallel(inputs);
    expect(parallel.map((b) => b.toString('hex'))).toEqual(plaintexts.map((b) => b.toString('hex')));
    expect((await vault.decryptMany(inputs)).map((b) => b.toString('hex'))).toEqual(plaintexts.map((b) => b.toString('hex')));
  });

  it("refuses what the vault refuses, with the vault's error: another context, a flipped byte, no envelope", async () => {
    const { inputs } = await sealed(100);
    const moved = inputs.map((input, i) => (i === 57 ? { ...input, context: { ...input.context, version: 99 } } : input));
    await expect(vault.decryptParallel(moved)).rejects.toMatchObject({ code: 'key_integrity' });
    const flipped = inputs.map((input, i) => (i === 3 ? { ...input, ciphertext: `${input.ciphertext.slice(0, -2)}${input.ciphertext.endsWith('AA') ? 'BA' : 'AA'}` } : input));
    await expect(vault.decryptParallel(flipped)).rejects.toMatchObject({ code: 'key_integrity' });
    const garbage = inputs.map((input, i) => (i === 99 ? { ...input, ciphertext: 'not an envelope' } : input));
    await expect(vault.decryptParallel(garbage)).rejects.toMatchObject({ code: 'key_integrity' });
    // and the pool still works afterwards
    expect(await vault.decryptParallel(inputs)).toHaveLength(100);
  });
});
