import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { openDatabase } from '../../src/core/db/database.js';
import { deviceKeyContext } from '../../src/core/modules/keys/key-crypto.js';
import { openMasterKeyProvider } from '../../src/core/vault/master-key/index.js';
import { createVault } from '../../src/core/vault/vault-service.js';
import { buildAad } from '../../src/lib/crypto/aad.js';
import { systemClock } from '../../src/lib/clock.js';
import { envVar } from '../../src/lib/env-vars.js';
import { parseMasterKeySpec } from '../../src/lib/master-key-spec.js';
import { type Bench, type BenchContext, type BenchRow, collectGarbage, mb, row, seconds, settle } from './kit.js';

// CSV download of 1,000,000 keys (docs/downloads.md "Downloading"): 1,000,000 devices with one
// active DEK each, every key a genuine vault ciphertext bound to its row. The figure is one export
// of all of them through the export service (scope, selection, audit record and audit_devices
// links per chunk of 1,000, decryption, CSV, ZIP deflate, signature) into a sink that keeps
// nothing, in a fresh process (export-probe.ts), which also gives the peak RSS. The floor is
// single-threaded raw node:crypto: AES-256-GCM opening of 1,000,000 ciphertexts of the same
// sizes, with the same AAD bytes, Buffers held in memory (sealed untimed, in batches). Goals:
// export time / floor time ≤ 1.0 (ratio floor/figure ≥ 1.0), peak RSS < 300 MB. The peak RSS is
// that of the installed command doing the same, `bin/openeks export --format csv --out FILE`
// (VmHWM, polled; built first like the import and wmbus benches), since the probe carries tsx.

/** OPENEKS_BENCH_EXPORT_DEVICES: fewer devices for a quick look (the goals are for 1,000,000). */
const DEVICES = Number(process.env.OPENEKS_BENCH_EXPORT_DEVICES ?? 1_000_000);
const BATCH = 20_000;
const GCM = { authTagLength: 16 } as const;
const RSS_GOAL_MB = 300;
const NOW = '2026-01-15T08:00:00.000Z';

const run$ = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const pad = (n: number) => n.toString().padStart(7, '0');

interface Row {
  deviceId: string;
  serial: string;
  keyId: string;
  ciphertext: string;
  dataKeyId: string;
}

/** Encrypts a batch of keys through the vault, then stores devices and keys in one transaction per batch. */
async function seed(url: string, masterKey: string, kind: 'sqlite' | 'postgres', log: (line: string) => void): Promise<void> {
  const db = openDatabase(url);
  const provider = await openMasterKeyProvider(parseMasterKeySpec(masterKey, {}, 'OPENEKS_BENCH_MASTER_KEY'));
  const vault = createVault({ db, clock: systemClock, provider });
  const sqlite = kind === 'sqlite' ? new SqliteDatabase(url.slice('sqlite:'.length)) : undefined;
  const client = kind === 'postgres' ? new pg.Client({ connectionString: url }) : undefined;
  await client?.connect();
  try {
    const status = await vault.init();
    if (status.sealed) throw new Error(`the bench vault is sealed: ${status.reason ?? status.label}`);
    sqlite?.pragma('synchronous = OFF');
    const device = sqlite?.prepare("insert into devices (id, manufacturer, serial, kind, medium, model, created_at) values (?, 'KAM', ?, 'meter', 'heat', 'MULTICAL 403', ?)");
    const key = sqlite?.prepare("insert into device_keys (id, device_id, key_type, version, state, ciphertext, data_key_id, key_length, created_at, updated_at) values (?, ?, 'DEK', 1, 'active', ?, ?, 16, ?, ?)");
    for (let from = 0; from < DEVICES; from += BATCH) {
      const rows: Row[] = [];
      for (let n = from; n < Math.min(DEVICES, from + BATCH); n++) {
        const deviceId = `dev_${pad(n)}`;
        const keyId = `key_${pad(n)}`;
        const sealed = await vault.encrypt({ plaintext: randomBytes(16), context: deviceKeyContext({ id: keyId, deviceId, keyType: 'DEK', version: 1 }) });
        rows.push({ deviceId, serial: String(10_000_000 + n), keyId, ciphertext: sealed.ciphertext, dataKeyId: sealed.dataKeyId });
      }
      if (sqlite && device && key) {
        sqlite.transaction(() => {
          for (const r of rows) device.run(r.deviceId, r.serial, NOW);
          for (const r of rows) key.run(r.keyId, r.deviceId, r.ciphertext, r.dataKeyId, NOW, NOW);
        })();
      } else if (client) {
        await client.query('begin');
        await client.query(
          "insert into devices (id, manufacturer, serial, kind, medium, model, created_at) select d, 'KAM', s, 'meter', 'heat', 'MULTICAL 403', $3 from unnest($1::text[], $2::text[]) as t(d, s)",
          [rows.map((r) => r.deviceId), rows.map((r) => r.serial), NOW],
        );
        await client.query(
          "insert into device_keys (id, device_id, key_type, version, state, ciphertext, data_key_id, key_length, created_at, updated_at) select k, d, 'DEK', 1, 'active', c, dk, 16, $5, $5 from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as t(k, d, c, dk)",
          [rows.map((r) => r.keyId), rows.map((r) => r.deviceId), rows.map((r) => r.ciphertext), rows.map((r) => r.dataKeyId), NOW],
        );
        await client.query('commit');
      }
      if ((from + BATCH) % 200_000 === 0) log(`  ${(from + BATCH).toLocaleString('en')} devices with keys`);
    }
    if (sqlite) {
      sqlite.exec('analyze');
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
    } else await client?.query('vacuum analyze devices, device_keys');
  } finally {
    sqlite?.close();
    await client?.end();
    await vault.close();
    await provider.close();
    await db.close();
  }
}

/** Single-threaded raw AES-256-GCM opening of DEVICES keys with the AAD bytes the vault binds; ms (decryption only). */
async function floorMs(): Promise<number> {
  const key = randomBytes(32);
  const header = `oek1.A256GCM.dk_${randomBytes(10).toString('base64url')}`;
  let total = 0;
  for (let from = 0; from < DEVICES; from += BATCH) {
    const records = [];
    for (let n = from; n < Math.min(DEVICES, from + BATCH); n++) {
      const aad = buildAad(header, deviceKeyContext({ id: `key_${pad(n)}`, deviceId: `dev_${pad(n)}`, keyType: 'DEK', version: 1 }));
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, GCM);
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(randomBytes(16)), cipher.final()]);
      records.push({ nonce, body, tag: cipher.getAuthTag(), aad });
    }
    await settle();
    const start = performance.now();
    for (const r of records) {
      const decipher = createDecipheriv('aes-256-gcm', key, r.nonce, GCM);
      decipher.setAAD(r.aad);
      decipher.setAuthTag(r.tag);
      decipher.update(r.body);
      decipher.final();
    }
    total += performance.now() - start;
  }
  return total;
}

interface Probe {
  ms: number;
  devices: number;
  keys: number;
  bytes: number;
  maxRssBytes: number;
  rssBeforeBytes: number;
  peak: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
}

async function probe(url: string, masterKey: string): Promise<Probe> {
  // OPENEKS_BENCH_EXPORT_PROFILE=DIR: a CPU profile of the export process into DIR (where the time goes).
  const profile = process.env.OPENEKS_BENCH_EXPORT_PROFILE;
  const args = [...(profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`]), '--import', 'tsx', join(here, 'export-probe.ts')];
  const { stdout } = await run$(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, OPENEKS_BENCH_PROBE_DATABASE_URL: url, OPENEKS_BENCH_PROBE_MASTER_KEY: masterKey },
    timeout: 30 * 60_000,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Probe;
}

const CLI = join(repoRoot, 'bin/openeks');
const POLL_MS = 50;

async function vmHwmKb(pid: number): Promise<number | undefined> {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // exited between polls
  }
}

/** `openeks export --format csv` of every device into a temp file: its VmHWM (polled until it exits) and wall time. */
async function cliExport(url: string, masterKey: string): Promise<{ peakBytes: number; ms: number; stdout: string }> {
  const out = join(tmpdir(), `openeks-bench-export-${randomBytes(4).toString('hex')}.csv.zip`);
  const env = { PATH: process.env.PATH ?? '', [envVar.databaseUrl]: url, [envVar.masterKey]: masterKey, [envVar.logLevel]: 'error', [envVar.outboxDir]: join(tmpdir(), 'openeks-bench-outbox') };
  const start = performance.now();
  const child = spawn(CLI, ['export', '--format', 'csv', '--out', out], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let code: number | null | undefined;
  const done = new Promise<void>((resolve) => child.once('exit', (c) => ((code = c), resolve())));
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the CLI');
  let peakKb = 0;
  while (code === undefined) {
    const kb = await vmHwmKb(pid);
    if (kb !== undefined) peakKb = Math.max(peakKb, kb);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await done;
  const ms = performance.now() - start;
  await rm(out, { force: true });
  if (code !== 0) throw new Error(`openeks export exited ${String(code)}: ${stderr.slice(0, 2000)}`);
  return { peakBytes: peakKb * 1024, ms, stdout };
}

async function run({ database, log }: BenchContext): Promise<BenchRow[]> {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const masterKey = `env:${randomBytes(32).toString('base64')}`;
  const db = await database.create();
  try {
    const seedStart = performance.now();
    await seed(db.url, masterKey, database.kind, log);
    log(`  seeded ${DEVICES.toLocaleString('en')} devices with a vault-encrypted DEK each in ${seconds(performance.now() - seedStart)}`);

    collectGarbage();
    const floorBefore = await floorMs();
    log(`  floor (raw decrypt) ${seconds(floorBefore)}`);
    const figure = await probe(db.url, masterKey);
    if (figure.devices !== DEVICES || figure.keys !== DEVICES) throw new Error(`the export wrote ${figure.devices} devices, ${figure.keys} keys`);
    const at = figure.peak;
    const memory = `peak RSS ${mb(figure.maxRssBytes).toFixed(0)} MB (${mb(figure.rssBeforeBytes).toFixed(0)} MB before the export; at the sampled peak heap ${mb(at.heapUsed).toFixed(0)} MB, external ${mb(at.external).toFixed(0)} MB)`;
    log(`  export ${seconds(figure.ms)}, ${mb(figure.bytes).toFixed(0)} MB written, ${memory}`);
    const cli = await cliExport(db.url, masterKey);
    if (!cli.stdout.startsWith(`${DEVICES} devices written`)) throw new Error(`openeks export said: ${cli.stdout}`);
    log(`  openeks export ${seconds(cli.ms)} (start-up included), VmHWM ${mb(cli.peakBytes).toFixed(0)} MB`);
    collectGarbage();
    const floorAfter = await floorMs();
    log(`  floor (raw decrypt) ${seconds(floorAfter)}`);
    const floor = (floorBefore + floorAfter) / 2;
    return [
      row({
        name: `CSV export of ${DEVICES.toLocaleString('en')} keys`,
        unit: 'ms',
        figure: figure.ms,
        floor,
        goal: { kind: 'ratio-at-least', value: 1.0 },
        note: `export/raw = ${(figure.ms / floor).toFixed(2)} (goal ≤ 1.0); figure: export service in a fresh process (audit per chunk of 1,000, decrypt, CSV, ZIP, signature; ${mb(figure.bytes).toFixed(0)} MB); floor: single-threaded raw AES-256-GCM open of as many keys, same AAD bytes, mean of before (${seconds(floorBefore)}) and after (${seconds(floorAfter)})`,
      }),
      row({
        name: `openeks export --format csv of ${DEVICES.toLocaleString('en')} keys: peak RSS`,
        unit: 'MB',
        figure: mb(cli.peakBytes),
        floor: mb(figure.rssBeforeBytes),
        goal: { kind: 'figure-below', value: RSS_GOAL_MB },
        note: `VmHWM of bin/openeks export (${seconds(cli.ms)} with start-up); floor: RSS of the tsx probe before its export. The probe (tsx): ${memory}`,
      }),
    ];
  } finally {
    await db.cleanup();
  }
}

export const bench: Bench = { name: 'export', run };
