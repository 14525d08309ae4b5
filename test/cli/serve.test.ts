import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { envVar } from '../../src/lib/env-vars.js';
import { createTestDb, type TestDb } from '../support/test-db.js';

// `openeks serve` as a person starts it (new-user findings of issue 11): the setup link follows
// the port, a public URL that cannot reach the service is named at start, and the log is JSON
// when stdout is no terminal (here, a pipe) and readable lines when asked.

const bin = fileURLToPath(new URL('../../bin/openeks.mjs', import.meta.url));
let dir: string;
let testDb: TestDb;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-serve-'));
  testDb = await createTestDb({ migrate: false });
  await testDb.db.close();
});

afterEach(async () => {
  // Only the process this test started, by its own handle.
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});

afterAll(async () => {
  await testDb?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `openeks serve` and collects stdout until `until` holds for it (or 90 s pass). */
async function serve(env: Record<string, string>, until: (stdout: string) => boolean): Promise<string> {
  const started = spawn(process.execPath, [bin, 'serve'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', [envVar.databaseUrl]: testDb.url, [envVar.masterKey]: `file:${join(dir, 'master.key')}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  let stdout = '';
  let stderr = '';
  started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not get there in time.\nstdout:\n${stdout}\nstderr:\n${stderr}`)), 90_000);
    started.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (until(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    started.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}

const setupLink = /http:\/\/[^\s]+\/setup#token=[A-Za-z0-9_-]{43}/;

describe('openeks serve', () => {
  it('prints a setup link on the port it listens on when OPENEKS_PUBLIC_URL is unset, and the link opens', async () => {
    const port = await freePort();
    const stdout = await serve({ [envVar.port]: String(port) }, (out) => setupLink.test(out));
    const link = setupLink.exec(stdout)?.[0] ?? '';
    expect(link.startsWith(`http://localhost:${port}/setup#token=`)).toBe(true);
    const page = await fetch(`http://127.0.0.1:${port}${new URL(link).pathname}`);
    expect(page.status).toBe(200);
    // No terminal: JSON lines, as a log collector wants them; no warning about the public URL.
    const records = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(records.some((r) => r.msg === `Server listening at http://127.0.0.1:${port}`)).toBe(true);
    expect(records.filter((r) => r.level >= 40)).toEqual([]);
  }, 120_000);

  it('warns once at start, naming both, when an explicit public URL points at another port', async () => {
    const port = await freePort();
    const stdout = await serve({ [envVar.port]: String(port), [envVar.publicUrl]: `http://localhost:${port + 1}` }, (out) => setupLink.test(out));
    const warnings = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .filter((r) => r.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain(`OPENEKS_PUBLIC_URL is http://localhost:${port + 1}, but openeks listens on 127.0.0.1:${port}`);
    // The warning comes before the link it is about.
    expect(stdout.indexOf('OPENEKS_PUBLIC_URL is')).toBeLessThan(stdout.search(setupLink));
  }, 120_000);

  it('writes readable lines when OPENEKS_LOG_FORMAT=text', async () => {
    const port = await freePort();
    const stdout = await serve({ [envVar.port]: String(port), [envVar.logFormat]: 'text' }, (out) => setupLink.test(out));
    const listening = stdout.split('\n').filter((l) => l.endsWith(` INFO  Server listening at http://127.0.0.1:${port}`));
    expect(listening).toHaveLength(1);
    expect(listening[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}Z INFO  Server/);
    expect(stdout.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
  }, 120_000);
});
