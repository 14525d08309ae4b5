import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer } from '../../src/core/container.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { FixedClock } from '../support/clock.js';
import { storeDevice } from '../support/devices.js';
import { captureLogs } from '../support/log-capture.js';
import { createTestDb, type TestDb } from '../support/test-db.js';
import { oneDigitOff, reversedKey, vectorOf } from '../support/wmbus-vectors.js';

// `openeks check-telegram` in a child process on the suite's database kind. The devices are
// stored through a container in this process with the same master key file the command uses.

const mc21 = vectorOf('Kamstrup Multical 21');
const aventies = vectorOf('Aventies water meter');
const engelmann = vectorOf('Engelmann FAW water meter');

const bin = fileURLToPath(new URL('../../bin/openeks', import.meta.url));
const run = promisify(execFile);

let dir: string;
let testDb: TestDb;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-check-telegram-'));
  testDb = await createTestDb();
  await testDb.db.close();
  env = { PATH: process.env.PATH ?? '', [envVar.databaseUrl]: testDb.url, [envVar.masterKey]: `file:${join(dir, 'master.key')}`, [envVar.logLevel]: 'error', [envVar.auditAnchors]: join(dir, 'audit-anchors.jsonl') };
  const container = await createContainer({ ...loadSettings(env), clock: new FixedClock(), logger: captureLogs().logger });
  try {
    await storeDevice(container, { manufacturer: 'KAM', serial: mc21.meter_id, keys: [{ hex: mc21.key }] });
    await storeDevice(container, { manufacturer: 'AAA', serial: aventies.meter_id, keys: [{ hex: oneDigitOff(aventies.key) }] });
    await storeDevice(container, { manufacturer: 'EFE', serial: engelmann.meter_id, keys: [{ hex: reversedKey(engelmann.key) }] });
  } finally {
    await container.close();
  }
}, 60_000);

afterAll(async () => {
  await testDb?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function openeks(args: string[]) {
  try {
    const { stdout, stderr } = await run(bin, ['check-telegram', ...args], { env, cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each run starts Node (through tsx when the build is stale) and opens the database: seconds on a
// loaded machine, so these tests get more than the suite's 30 s.
const SLOW = { timeout: 120_000 };

describe('openeks check-telegram', () => {
  it('exit 0 and one line with the values when the stored key decrypts the telegram', SLOW, async () => {
    const r = await openeks([mc21.telegram]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      'KAM 76348799: the stored key decrypts this telegram (multical21: status=DRY total_m3=6.408 target_m3=6.408 flow_temperature_c=127 ' +
        'external_temperature_c=19 current_status=DRY time_dry=22-31 days time_reversed= time_leaking= time_bursting=)\n',
    );
  });

  it('--json prints one object', SLOW, async () => {
    const r = await openeks([mc21.telegram, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'decrypts', address: { manufacturer: 'KAM', id: '76348799' }, keyVersion: 1, reading: { driver: 'multical21', fields: { total_m3: 6.408 } } });
  });

  it('exit 1 for a wrong key, and for a byte-reversed one with the hint; no key is printed', SLOW, async () => {
    const [wrong, rev] = await Promise.all([openeks([aventies.telegram]), openeks([engelmann.telegram, '--json'])]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('AAA 61070071: the stored key does not decrypt it\n');
    expect(wrong.stderr).toBe('openeks: AAA 61070071: the stored key does not decrypt it\n');
    expect(rev.code).toBe(1);
    expect(JSON.parse(rev.stdout)).toMatchObject({ outcome: 'reversed-key', address: { id: '22862420' } });
    expect(rev.stderr).toBe('openeks: EFE 22862420: the stored key does not decrypt it; the byte-reversed key would\n');
    for (const out of [wrong.stdout, wrong.stderr, rev.stdout, rev.stderr].map((s) => s.toLowerCase())) {
      for (const key of [aventies.key, engelmann.key]) {
        expect(out).not.toContain(key.toLowerCase());
        expect(out).not.toContain(reversedKey(key).toLowerCase());
      }
    }
  });

  it('exit 1 for an unknown device and for what is not a telegram; exit 2 for what is not hex', SLOW, async () => {
    const unknown = `${mc21.telegram.slice(0, 8)}11111111${mc21.telegram.slice(16)}`;
    const [none, broken, notHex] = await Promise.all([openeks([unknown]), openeks([mc21.telegram.slice(0, 60)]), openeks(['KAM-76348799'])]);
    expect(none).toMatchObject({ code: 1, stdout: 'no device KAM 11111111 in the inventory\n' });
    expect(broken).toMatchObject({ code: 1, stdout: 'not a telegram: truncated at byte 30\n' });
    expect(notHex.code).toBe(2);
    expect(notHex.stderr).toContain('The telegram is not hexadecimal.');
  });
});
