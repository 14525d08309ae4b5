import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { systemPrincipal } from '../../src/core/access/principal.js';
import { createContainer } from '../../src/core/container.js';
import { openDatabase } from '../../src/core/db/database.js';
import { deviceKeyContext } from '../../src/core/modules/keys/key-crypto.js';
import { openMasterKeyProvider } from '../../src/core/vault/master-key/index.js';
import { createVault } from '../../src/core/vault/vault-service.js';
import { systemClock } from '../../src/lib/clock.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { parseMasterKeySpec } from '../../src/lib/master-key-spec.js';
import { newId } from '../../src/lib/ids.js';
import { KEY_CSV_HEADER as HEADER } from '../../src/shared/inventory/key-csv-columns.js';
import { type Bench, type BenchContext, type BenchRow, collectGarbage, row, seconds, silentLogger, systemActorOf } from './kit.js';

// The import of a 1,000,000-row CSV (one DEK per meter) through the import service, beside the
// floor "insert the same rows, already encrypted, in one transaction": the keys are encrypted by
// a vault before the clock starts, then devices and device_keys go in with multi-row inserts of
// 1,000 rows in one transaction on a fresh database. What the import adds on top: reading and
// checking the CSV, looking each batch's devices up, the encryption, the progress. Goal: no more
// than 3× the floor (ratio ≥ 0.33).
//
// And the peak memory (VmHWM) of `openeks import FILE` doing the same in a process of its own
// (through bin/openeks, the installed command; built first like the wmbus bench, so it runs the
// compiled dist/). Goal: under 300 MB, so that a file of a million rows stays flat in memory.

const ROWS = Number(process.env.OPENEKS_BENCH_IMPORT_ROWS ?? 1_000_000);
const CHUNK = 1_000;
const POLL_MS = 50;
const TIMEOUT_MS = 15 * 60_000;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'bin/openeks');

interface Source {
  serial: string;
  key: string;
}

/** The file, and the same rows in memory for the floor. */
async function writeCsv(path: string): Promise<Source[]> {
  const rows: Source[] = [];
  const out = createWriteStream(path, { mode: 0o600 });
  let buffer = `${HEADER}\n`;
  for (let i = 0; i < ROWS; i++) {
    const r = { serial: String(10_000_000 + i), key: randomBytes(16).toString('hex').toUpperCase() };
    rows.push(r);
    buffer += `${r.serial},KAM,meter,water-cold,MULTICAL 21,021-0001,C1,ORD-${Math.floor(i / 5_000)},DN-${Math.floor(i / 500)},,DEK,${r.key}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r2) => out.once('drain', () => r2()));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise<void>((r) => out.once('finish', () => r()));
  return rows;
}

/** Encrypts outside the timing, then inserts the rows in one transaction: the floor's milliseconds. */
async function floorMs(url: string, masterKey: string, rows: readonly Source[], log: (line: string) => void): Promise<number> {
  const db = openDatabase(url);
  const provider = await openMasterKeyProvider(parseMasterKeySpec(masterKey));
  const vault = createVault({ db, clock: systemClock, provider });
  try {
    if ((await vault.init()).sealed) throw new Error('floor vault sealed');
    const now = new Date().toISOString();
    const setup = performance.now();
    const prepared: Array<{ serial: string; deviceId: string; keyId: string; ciphertext: string; dataKeyId: string }> = [];
    for (const r of rows) {
      const deviceId = newId('dev');
      const keyId = newId('key');
      const sealed = await vault.encrypt({ plaintext: Buffer.from(r.key, 'hex'), context: deviceKeyContext({ id: keyId, deviceId, keyType: 'DEK', version: 1 }) });
      prepared.push({ serial: r.serial, deviceId, keyId, ciphertext: sealed.ciphertext, dataKeyId: sealed.dataKeyId });
    }
    log(`floor: ${rows.length.toLocaleString('en')} keys encrypted beforehand in ${seconds(performance.now() - setup)}`);
    collectGarbage();
    const start = performance.now();
    await db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < prepared.length; i += CHUNK) {
        const part = prepared.slice(i, i + CHUNK);
        await trx
          .insertInto('devices')
          .values(
            part.map((p, j) => ({
              id: p.deviceId,
              manufacturer: 'KAM',
              serial: p.serial,
              kind: 'meter' as const,
              medium: 'water-cold',
              model: 'MULTICAL 21',
              type_no: '021-0001',
              config_no: 'C1',
              order_no: `ORD-${Math.floor((i + j) / 5_000)}`,
              delivery_note: `DN-${Math.floor((i + j) / 500)}`,
              customer_account_id: null,
              delivery_date: now.slice(0, 10),
              driver_hint: 'multical21',
              import_id: null,
              created_at: now,
              updated_at: null,
            })),
          )
          .execute();
        await trx
          .insertInto('device_keys')
          .values(
            part.map((p) => ({
              id: p.keyId,
              device_id: p.deviceId,
              key_type: 'DEK',
              version: 1,
              state: 'active' as const,
              ciphertext: p.ciphertext,
              data_key_id: p.dataKeyId,
              key_length: 16,
              import_id: null,
              state_changed_at: now,
              state_reason: null,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
      }
    });
    return performance.now() - start;
  } finally {
    await vault.close();
    await provider.close();
    await db.close();
  }
}

/** The import through the service, in this process: its milliseconds. */
async function importMs(url: string, masterKey: string, file: string): Promise<number> {
  const settings = loadSettings({ [envVar.databaseUrl]: url, [envVar.masterKey]: masterKey, [envVar.publicUrl]: 'http://localhost:8080', [envVar.logLevel]: 'error' });
  const c = await createContainer({ ...settings, clock: systemClock, logger: silentLogger });
  try {
    collectGarbage();
    const start = performance.now();
    const view = await c.imports.run({ path: file, fileName: 'bench.csv', newVersion: false, principal: systemPrincipal, actor: systemActorOf('bench') });
    const ms = performance.now() - start;
    if (view.devicesCreated !== ROWS || view.keysCreated !== ROWS) throw new Error(`import stored ${view.devicesCreated} devices, ${view.keysCreated} keys`);
    return ms;
  } finally {
    await c.close();
  }
}

async function vmHwmKb(pid: number): Promise<number | undefined> {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** `openeks import FILE` in a child process; its peak RSS, polled until it exits. */
async function childPeak(url: string, dir: string, args: readonly string[]): Promise<{ peakMb: number; ms: number; stdout: string }> {
  const env = { PATH: process.env.PATH ?? '', [envVar.databaseUrl]: url, [envVar.masterKey]: `file:${join(dir, 'master.key')}`, [envVar.logLevel]: 'error' };
  const start = performance.now();
  const child = spawn(CLI, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4_000) stderr += d.toString('utf8');
  });
  let code: number | null = null;
  let exited = false;
  const done = new Promise<void>((r) =>
    child.once('exit', (c) => {
      exited = true;
      code = c;
      r();
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the CLI');
  let peakKb = 0;
  while (!exited) {
    const kb = await vmHwmKb(pid);
    if (kb !== undefined && !exited) peakKb = Math.max(peakKb, kb);
    if (performance.now() - start > TIMEOUT_MS) {
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await done;
  if (code !== 0) throw new Error(`openeks ${args[0] ?? ''} exited ${String(code)}: ${stderr}`);
  return { peakMb: peakKb / 1024, ms: performance.now() - start, stdout };
}

function buildCli(log: (line: string) => void): string {
  try {
    execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    return 'compiled dist/';
  } catch {
    log('build:cli failed (the sources do not compile right now): the child runs the sources through tsx');
    return 'sources through tsx (build:cli failed)';
  }
}

async function run({ database, log }: BenchContext): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'openeks-bench-import-'));
  try {
    const file = join(dir, 'bench.csv');
    const t0 = performance.now();
    const rows = await writeCsv(file);
    log(`setup: ${ROWS.toLocaleString('en')}-row CSV (${((await stat(file)).size / (1 << 20)).toFixed(0)} MB) in ${seconds(performance.now() - t0)}`);
    const masterKey = `env:${randomBytes(32).toString('base64')}`;

    const floorDb = await database.create();
    const floor = await floorMs(floorDb.url, masterKey, rows, log);
    await floorDb.cleanup();
    log(`floor: one transaction of multi-row inserts in ${seconds(floor)}`);

    const importDb = await database.create();
    const figure = await importMs(importDb.url, masterKey, file);
    await importDb.cleanup();
    log(`import: ${seconds(figure)} (${Math.round((ROWS * 1000) / figure).toLocaleString('en')} rows/s)`);

    const how = buildCli(log);
    const childDb = await database.create();
    const help = await childPeak(childDb.url, dir, ['--help']);
    const child = await childPeak(childDb.url, dir, ['import', file]);
    await childDb.cleanup();
    log(`openeks import: ${seconds(child.ms)}, peak ${child.peakMb.toFixed(0)} MB (--help: ${help.peakMb.toFixed(0)} MB): ${child.stdout.trim()}`);

    const n = ROWS.toLocaleString('en');
    return [
      row({
        name: `import ${n}-row CSV (${database.kind})`,
        unit: 'ms',
        figure,
        floor,
        goal: { kind: 'ratio-at-least', value: 0.33 },
        note: `ImportService.run on a fresh database (read, check, look up, encrypt, insert in batches of 1,000, one transaction); floor: the same rows encrypted beforehand, inserted with multi-row inserts of ${CHUNK.toLocaleString('en')} in one transaction`,
      }),
      row({
        name: `openeks import ${n} rows, peak RSS (${database.kind})`,
        unit: 'MB',
        figure: child.peakMb,
        floor: help.peakMb,
        goal: { kind: 'figure-below', value: 300 },
        note: `VmHWM of \`bin/openeks import\` (${how}) on a fresh database, ${seconds(child.ms)} including start-up; floor: VmHWM of \`openeks --help\``,
      }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const bench: Bench = { name: 'import', run };
