import { generateKeyPairSync, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { createAccessGuard } from '../../src/core/access/access-guard.js';
import type { Actor } from '../../src/core/access/actor.js';
import type { MachinePrincipal } from '../../src/core/access/principal.js';
import type { Db } from '../../src/core/db/database.js';
import { createSyncFeed } from '../../src/core/db/sync-feed.js';
import { createAuditWriter } from '../../src/core/modules/audit/audit-writer.js';
import { deviceKeyContext } from '../../src/core/modules/keys/key-crypto.js';
import { createDeviceSelections } from '../../src/core/modules/devices/device-selection.js';
import { createDevicesRepo } from '../../src/core/modules/devices/devices-repo.js';
import type { Signer } from '../../src/core/modules/exports/export-format.js';
import { createExportRepo } from '../../src/core/modules/exports/export-repo.js';
import { createExportService, type ExportService } from '../../src/core/modules/exports/export-service.js';
import { writeExport } from '../../src/core/modules/exports/write-export.js';
import { createOpenPgpKeysRepo } from '../../src/core/modules/openpgp/openpgp-keys-repo.js';
import { createOpenPgpKeysService } from '../../src/core/modules/openpgp/openpgp-keys-service.js';
import { createSettingsRepo } from '../../src/core/modules/settings/settings-repo.js';
import { createCursorKeys } from '../../src/core/modules/sync/sync-cursor.js';
import { createSyncRepo } from '../../src/core/modules/sync/sync-repo.js';
import { createSyncService, type SyncService } from '../../src/core/modules/sync/sync-service.js';
import type { Vault } from '../../src/core/vault/vault-service.js';
import { systemClock } from '../../src/lib/clock.js';
import { newId } from '../../src/lib/ids.js';
import { createRng } from '../../src/lib/prng.js';
import { type Bench, type BenchContext, type BenchRow, median, percentile, row, seconds, systemActorOf, withBenchVault } from './kit.js';

// The key sync (docs/key-sync.md) against a CSV export of the same keys (issue 13's benchmark):
// - full first sync of 100,000 active DEKs readable by a gateway token (a reader with 100,000
//   grants): read through the device scope, decrypt, store the 100,000 deliveries, the audit record
//   with its 100,000 device links, JSON, Ed25519 signature — against the CSV export of the same keys
//   through the export service (its audit per device, decryption on workers, CSV, ZIP, signature).
//   Goal ≤ 1.0× (ratio ≥ 1.0).
// - then 10 changes among those devices (a new DEK version activated on each) and the incremental
//   sync, p95 over 60 repetitions: goal < 20 ms. Floor: the same 10 devices' active keys read by
//   id and decrypted (one indexed query), the least an incremental answer must do.
// - the incremental answer's size in bytes after the same 10 changes for a token holding 100,000
//   keys and one holding 1,000: the same order (ratio ≥ 0.5; in fact equal).

const DEVICES = 100_000;
const SMALL = 1_000;
const CHANGES = 10;
const REPETITIONS = 60;
const FULL_ROUNDS = 3;
const BATCH = 1_000;

function benchSigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { sign: (data) => sign(null, data, privateKey), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

async function insertUser(db: Db, email: string): Promise<string> {
  const id = newId('usr');
  const now = systemClock.now().toISOString();
  await db.kysely.insertInto('users').values({ id, email, name: null, password_hash: null, is_operator: 0, status: 'active', language: 'en', created_at: now, updated_at: now }).execute();
  return id;
}

function gatewayToken(userId: string, tokenId: string, db: Db): MachinePrincipal {
  return { kind: 'machine', userId, tokenId, tokenKind: 'gateway', roles: ['user'], customerAccountIds: [], deviceFilter: null, bytewise: db.dialect.bytewise, expiresAt: '2099-01-01T00:00:00.000Z' };
}

/** 100,000 meters with one active DEK each, stored as an import stores them. */
async function seed(db: Db, vault: Vault, log: (line: string) => void): Promise<string[]> {
  const rng = createRng(13);
  const now = systemClock.now().toISOString();
  const ids: string[] = [];
  for (let from = 0; from < DEVICES; from += BATCH) {
    const devices = Array.from({ length: Math.min(BATCH, DEVICES - from) }, (_, i) => ({ id: newId('dev'), manufacturer: 'KAM', serial: String(50_000_000 + from + i), kind: 'meter' as const, medium: 'water-cold', driver_hint: 'multical21', created_at: now }));
    const keys = await Promise.all(
      devices.map(async (d) => {
        const id = newId('key');
        const plaintext = Buffer.from(Array.from({ length: 16 }, () => rng.int(256)));
        const { ciphertext, dataKeyId } = await vault.encrypt({ plaintext, context: deviceKeyContext({ id, deviceId: d.id, keyType: 'DEK', version: 1 }) });
        return { id, device_id: d.id, key_type: 'DEK', version: 1, state: 'active' as const, ciphertext, data_key_id: dataKeyId, key_length: 16, created_at: now, updated_at: now };
      }),
    );
    await db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('devices').values(devices).execute();
      await trx.insertInto('device_keys').values(keys).execute();
    });
    ids.push(...devices.map((d) => d.id));
    if ((from + BATCH) % 20_000 === 0) log(`  ${(from + BATCH).toLocaleString('en')} devices`);
  }
  return ids;
}

async function grantAll(db: Db, readerId: string, deviceIds: readonly string[] | null): Promise<void> {
  const now = systemClock.now().toISOString();
  let devices = db.kysely.selectFrom('devices').select(['devices.id as device_id', sql<string>`${readerId}`.as('reader_id'), sql<string>`${now}`.as('granted_at')]);
  if (deviceIds !== null) devices = devices.where('devices.id', 'in', deviceIds);
  await db.kysely.insertInto('grants').columns(['device_id', 'reader_id', 'granted_at']).expression(devices).execute();
}

/**
 * The floor of the full sync, as the issue words it: the CSV export of the same keys — the
 * download a user of this token would make (docs/downloads.md "Downloading"): the same scope, the
 * per-device audit before the keys leave, decryption, CSV, ZIP, signature, into a sink keeping nothing.
 */
async function csvExport(exports: ExportService, principal: MachinePrincipal, actor: Actor): Promise<number> {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  const started = await exports.start({ principal, actor, selection: { filter: {}, count: DEVICES }, format: 'csv' });
  const written = await started.run(sink);
  if (written.devices !== DEVICES) throw new Error(`the CSV export wrote ${written.devices} devices, not ${DEVICES}`);
  return bytes;
}

async function run({ database, log }: BenchContext): Promise<BenchRow[]> {
  return withBenchVault(database, async ({ db, vault }) => {
    const audit = createAuditWriter({ dialect: db.dialect, clock: systemClock });
    const guard = createAccessGuard({ recordDenial: async () => undefined });
    const settings = createSettingsRepo(db.kysely);
    const sync: SyncService = createSyncService({
      db,
      repo: createSyncRepo(db.kysely),
      guard,
      vault,
      audit,
      clock: systemClock,
      cursors: createCursorKeys({ db: db.kysely, settings, vault, clock: systemClock }),
      settings,
      signer: benchSigner,
      publicKeyOf: async () => null,
    });
    const feed = createSyncFeed({ dialect: db.dialect });
    const exports = createExportService({
      db,
      repo: createExportRepo(db.kysely),
      selections: createDeviceSelections({ repo: createDevicesRepo(db), guard }),
      vault,
      decrypt: (inputs) => vault.decryptParallel(inputs),
      write: writeExport,
      signer: benchSigner,
      openPgpKeys: createOpenPgpKeysService({ db, repo: createOpenPgpKeysRepo(db.kysely), audit, clock: systemClock }),
      audit,
      guard,
      clock: systemClock,
    });
    const actor = systemActorOf('export-sync bench');

    const setup = performance.now();
    const deviceIds = await seed(db, vault, log);
    const big = await insertUser(db, 'gateway-100k@example.com');
    const small = await insertUser(db, 'gateway-1k@example.com');
    await grantAll(db, big, null);
    await grantAll(db, small, deviceIds.slice(0, SMALL));
    if (db.kind === 'postgres') await sql`analyze`.execute(db.kysely);
    log(`  seeded ${DEVICES.toLocaleString('en')} devices with grants in ${seconds(performance.now() - setup)}`);

    // Full first sync (a new token each round) against the CSV export, interleaved.
    const fullMs: number[] = [];
    const csvMs: number[] = [];
    let firstCursor = '';
    let bigToken = gatewayToken(big, '', db);
    for (let round = 0; round < FULL_ROUNDS; round++) {
      const token = gatewayToken(big, newId('tok'), db);
      let start = performance.now();
      await csvExport(exports, token, actor);
      csvMs.push(performance.now() - start);
      start = performance.now();
      const answer = await sync.sync({ principal: token, actor });
      fullMs.push(performance.now() - start);
      firstCursor = (JSON.parse(answer.body.toString('utf8')) as { cursor: string }).cursor;
      bigToken = token;
      log(`  full sync ${seconds(fullMs.at(-1) ?? 0)} (${answer.body.length.toLocaleString('en')} bytes), CSV export ${seconds(csvMs.at(-1) ?? 0)}`);
    }
    const smallToken = gatewayToken(small, newId('tok'), db);
    let smallCursor = (JSON.parse((await sync.sync({ principal: smallToken, actor })).body.toString('utf8')) as { cursor: string }).cursor;
    let bigCursor = firstCursor;

    // 10 changes (a new DEK version activated on each of 10 devices among the first 1,000), then
    // the incremental sync of the 100,000-key token, timed; the 1,000-key token's answer for size.
    const rng = createRng(31);
    const incMs: number[] = [];
    const floorMs: number[] = [];
    const bigBytes: number[] = [];
    const smallBytes: number[] = [];
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const changed = Array.from({ length: CHANGES }, (_, i) => deviceIds[(rep * CHANGES + i) % SMALL] ?? '');
      const now = systemClock.now().toISOString();
      for (const deviceId of changed) {
        const id = newId('key');
        const version = rep + 2;
        const { ciphertext, dataKeyId } = await vault.encrypt({ plaintext: Buffer.from(Array.from({ length: 16 }, () => rng.int(256))), context: deviceKeyContext({ id, deviceId, keyType: 'DEK', version }) });
        await db.kysely.transaction().execute(async (trx) => {
          await trx.updateTable('device_keys').set({ state: 'deactivated', updated_at: now }).where('device_id', '=', deviceId).where('state', '=', 'active').execute();
          await trx.insertInto('device_keys').values({ id, device_id: deviceId, key_type: 'DEK', version, state: 'active', ciphertext, data_key_id: dataKeyId, key_length: 16, created_at: now, updated_at: now }).execute();
          await feed.touchDevice(deviceId, now, trx);
        });
      }
      let start = performance.now();
      const answer = await sync.sync({ principal: bigToken, actor, since: bigCursor });
      incMs.push(performance.now() - start);
      bigBytes.push(answer.body.length);
      bigCursor = (JSON.parse(answer.body.toString('utf8')) as { cursor: string }).cursor;
      start = performance.now();
      const rows = await db.kysely.selectFrom('device_keys').select(['id', 'device_id', 'key_type', 'version', 'ciphertext']).where('device_id', 'in', changed).where('state', '=', 'active').execute();
      const keys = await vault.decryptMany(rows.map((r) => ({ ciphertext: r.ciphertext ?? '', context: deviceKeyContext({ id: r.id, deviceId: r.device_id, keyType: r.key_type, version: r.version }) })));
      floorMs.push(performance.now() - start);
      for (const key of keys) key.fill(0);
      const smallAnswer = await sync.sync({ principal: smallToken, actor, since: smallCursor });
      smallBytes.push(smallAnswer.body.length);
      smallCursor = (JSON.parse(smallAnswer.body.toString('utf8')) as { cursor: string }).cursor;
    }
    log(`  incremental p50 ${median(incMs).toFixed(1)} ms, p95 ${percentile(incMs, 95).toFixed(1)} ms; sizes ${median(bigBytes)} B (100,000 held) vs ${median(smallBytes)} B (1,000 held)`);

    return [
      row({
        name: `full first sync of ${DEVICES.toLocaleString('en')} keys`,
        unit: 'ms',
        figure: median(fullMs),
        floor: median(csvMs),
        goal: { kind: 'ratio-at-least', value: 1.0 },
        note: `median of ${FULL_ROUNDS}; floor: the CSV export of the same keys through the export service (audit per device, decryption, CSV, ZIP, signature); the sync also stores ${DEVICES.toLocaleString('en')} deliveries`,
      }),
      row({
        name: `incremental sync after ${CHANGES} changes among ${DEVICES.toLocaleString('en')}, p95`,
        unit: 'ms',
        figure: percentile(incMs, 95),
        floor: percentile(floorMs, 95),
        goal: { kind: 'figure-below', value: 20 },
        note: `${REPETITIONS} repetitions, p50 ${median(incMs).toFixed(1)} ms; floor: the 10 devices' active keys read by id and decrypted`,
      }),
      row({
        name: `incremental answer size, ${CHANGES} changes: ${DEVICES.toLocaleString('en')} held vs ${SMALL.toLocaleString('en')}`,
        unit: 'B',
        figure: median(bigBytes),
        floor: median(smallBytes),
        goal: { kind: 'ratio-at-least', value: 0.5 },
        note: 'figure: the token holding 100,000 keys; floor: the token holding 1,000 (same changes); same order means independent of what is held',
      }),
    ];
  });
}

export const bench: Bench = { name: 'export-sync', run };
