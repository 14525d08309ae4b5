import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../src/core/db/database.js';
import { openMasterKeyProvider } from '../../src/core/vault/master-key/index.js';
import { createVault, type AadContext, type DecryptInput, type Vault } from '../../src/core/vault/vault-service.js';
import { systemClock } from '../../src/lib/clock.js';
import { buildAad } from '../../src/lib/crypto/aad.js';
import { type Bench, type BenchContext, type BenchRow, collectGarbage, median, row, seconds } from './kit.js';

// Vault unwrap of 100,000 device keys against raw node:crypto AES-256-GCM decryption of the same
// plaintexts (one key, the same AAD bytes, the same process, interleaved rounds). The vault does
// more per key than the floor: it parses the oek1 envelope (base64url), finds the data key,
// canonicalises the context into the AAD and returns a promise. Goal: ratio ≥ 0.8.

const KEYS = 100_000;
const WARMUP_ROUNDS = 2;
const ROUNDS = 7;
const GCM = { authTagLength: 16 } as const;

interface RawRecord {
  nonce: Buffer;
  body: Buffer;
  tag: Buffer;
  aad: Buffer;
}

function deviceKeyContext(i: number): AadContext {
  const n = i.toString().padStart(7, '0');
  return { table: 'device_keys', rowId: `key_${n}`, deviceId: `dev_${n}`, keyType: 'DEK', version: 1 };
}

function rawSeal(key: Buffer, plaintext: Buffer, aad: Buffer): RawRecord {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, GCM);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, body, tag: cipher.getAuthTag(), aad };
}

function rawOpen(key: Buffer, r: RawRecord): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, r.nonce, GCM);
  decipher.setAAD(r.aad);
  decipher.setAuthTag(r.tag);
  const head = decipher.update(r.body);
  decipher.final();
  return head;
}

/** The AAD header the vault bound into a ciphertext: `oek1.A256GCM.<dataKeyId>`. */
function headerOf(ciphertext: string): string {
  const keyEnd = ciphertext.indexOf('.', 'oek1.A256GCM.'.length);
  return ciphertext.slice(0, keyEnd);
}

function rawRound(key: Buffer, records: readonly RawRecord[], out: Buffer[]): number {
  const start = performance.now();
  for (let i = 0; i < records.length; i++) out[i] = rawOpen(key, records[i] as RawRecord);
  return performance.now() - start;
}

async function vaultRound(vault: Vault, inputs: readonly DecryptInput[], out: Buffer[]): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < inputs.length; i++) out[i] = await vault.decrypt(inputs[i] as DecryptInput);
  return performance.now() - start;
}

async function decryptManyRound(vault: Vault, inputs: readonly DecryptInput[]): Promise<number> {
  const start = performance.now();
  await vault.decryptMany(inputs);
  return performance.now() - start;
}

function check(label: string, plaintexts: readonly Buffer[], out: readonly Buffer[]): void {
  for (let i = 0; i < plaintexts.length; i++) {
    if (!(plaintexts[i] as Buffer).equals(out[i] as Buffer)) throw new Error(`${label}: key ${i} decrypted to the wrong bytes`);
  }
}

const perSecond = (ms: number): number => (KEYS * 1000) / ms;

async function run({ database, log }: BenchContext): Promise<BenchRow[]> {
  const target = await database.create();
  const db = openDatabase(target.url);
  const provider = await openMasterKeyProvider(`env:${randomBytes(32).toString('base64')}`, { variable: 'OPENEKS_BENCH_MASTER_KEY' });
  const vault = createVault({ db, clock: systemClock, provider });
  try {
    const status = await vault.init();
    if (status.sealed) throw new Error(`the bench vault is sealed: ${status.reason ?? status.label}`);

    const setupStart = performance.now();
    const plaintexts = Array.from({ length: KEYS }, () => randomBytes(16));
    const inputs: DecryptInput[] = [];
    for (let i = 0; i < KEYS; i++) {
      const context = deviceKeyContext(i);
      const { ciphertext } = await vault.encrypt({ plaintext: plaintexts[i] as Buffer, context });
      inputs.push({ ciphertext, context });
    }
    const rawKey = randomBytes(32);
    const records = inputs.map((input, i) => rawSeal(rawKey, plaintexts[i] as Buffer, buildAad(headerOf(input.ciphertext), input.context)));
    log(`setup: ${KEYS.toLocaleString('en')} keys encrypted through the vault and raw in ${seconds(performance.now() - setupStart)}`);

    const out: Buffer[] = new Array<Buffer>(KEYS);
    for (let w = 0; w < WARMUP_ROUNDS; w++) {
      rawRound(rawKey, records, out);
      check('raw', plaintexts, out);
      await vaultRound(vault, inputs, out);
      check('vault.decrypt', plaintexts, out);
      await decryptManyRound(vault, inputs);
    }
    check('vault.decryptMany', plaintexts, await vault.decryptMany(inputs));

    const raw: number[] = [];
    const single: number[] = [];
    const many: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so that neither side always runs right after a collection.
      const order = r % 2 === 0 ? ['raw', 'single', 'many'] : ['many', 'single', 'raw'];
      for (const which of order) {
        collectGarbage();
        if (which === 'raw') raw.push(rawRound(rawKey, records, out));
        else if (which === 'single') single.push(await vaultRound(vault, inputs, out));
        else many.push(await decryptManyRound(vault, inputs));
      }
    }
    log(`rounds (ms) raw ${raw.map((t) => t.toFixed(0)).join(' ')} | decrypt ${single.map((t) => t.toFixed(0)).join(' ')} | decryptMany ${many.map((t) => t.toFixed(0)).join(' ')}`);

    const bestRaw = Math.min(...raw);
    const floorNote = (times: number[]): string =>
      `best of ${ROUNDS} interleaved rounds; medians ${perSecond(median(times)).toFixed(0)} vs ${perSecond(median(raw)).toFixed(0)} keys/s (ratio ${(median(raw) / median(times)).toFixed(2)}); floor: createDecipheriv over Buffers, no parsing`;
    return [
      row({
        name: `vault.decrypt ×${KEYS.toLocaleString('en')}`,
        unit: 'keys/s',
        figure: perSecond(Math.min(...single)),
        floor: perSecond(bestRaw),
        goal: { kind: 'ratio-at-least', value: 0.8 },
        note: floorNote(single),
      }),
      row({
        name: `vault.decryptMany ×${KEYS.toLocaleString('en')}`,
        unit: 'keys/s',
        figure: perSecond(Math.min(...many)),
        floor: perSecond(bestRaw),
        goal: { kind: 'ratio-at-least', value: 0.8 },
        note: floorNote(many),
      }),
    ];
  } finally {
    await vault.close();
    await provider.close();
    await db.close();
    await target.cleanup();
  }
}

export const bench: Bench = { name: 'vault-unwrap', run };
