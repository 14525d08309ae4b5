import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { encodeDateTime } from '../../drivers/dlms/axdr.js';
import { playMeter, sampleObjects, type PtyMeterOptions } from '../support/dlms-pty-meter.js';
import { openPtyPair, type PtyPair } from '../support/pty-pair.js';

// `openeks dlms read` in a child process against a meter on a real socat pseudo-terminal: the
// optical sign-on (mode E), HLS-GMAC with ciphered APDUs, registers and clock printed; wrong keys
// exit 1 with tag-mismatch and no value; a silent meter is no-answer; usage errors exit 2.
const bin = fileURLToPath(new URL('../../bin/openeks.mjs', import.meta.url));
const run = promisify(execFile);

const GUEK = '000102030405060708090A0B0C0D0E0F';
const GAK = 'D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF';
const KEYS = { ek: Buffer.from(GUEK, 'hex'), ak: Buffer.from(GAK, 'hex') };
const SERVER_TITLE = Buffer.from('4B414D0000BC614E', 'hex'); // KAM 12345678
const dir = mkdtempSync(join(tmpdir(), 'openeks-dlms-read-'));
const guekFile = join(dir, 'guek');
writeFileSync(guekFile, `${GUEK}\n`);

let pty: PtyPair | undefined;
afterEach(async () => {
  await pty?.close();
  pty = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openeks(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'dlms', 'read', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function meter(o: PtyMeterOptions = {}) {
  pty = await openPtyPair();
  const objects = sampleObjects(encodeDateTime(new Date('2026-12-04T19:00:00Z'), 0));
  return { pty, played: playMeter(pty, { systemTitle: SERVER_TITLE, keys: KEYS, authentication: 'hls-gmac', security: 'authenticated-encrypted', objects, ...o }) };
}

describe('openeks dlms read', () => {
  it('mode E, HLS-GMAC and ciphered GETs with the keys from a file and the environment: clock, registers, fields', async () => {
    const { pty: p } = await meter({ identification: '/KAM5\\2OMNIPOWER' });
    const r = await openeks(['--link', p.devicePath, '--mode-e', '--guek-file', guekFile, '--obis', '1.8.0,32.7.0'], { OPENEKS_DLMS_GAK: GAK });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['optical   KAM OMNIPOWER', 'meter     KAM 12345678 (system title 4B414D0000BC614E)', 'clock     2026-12-04T19:00:00Z']);
    expect(r.stdout).toMatch(/1-0:1\.8\.0\.255 +12345678 Wh/);
    expect(r.stdout).toMatch(/1-0:32\.7\.0\.255 +230\.5 V/);
    expect(r.stdout).toContain('total_energy_consumption_kwh  12345.678');
    expect(r.stdout).not.toContain(GUEK);
  });

  it('--json: one object with the meter, the clock, the objects and the fields', async () => {
    const { pty: p } = await meter({ authentication: 'none', security: 'none' });
    const r = await openeks(['--link', p.devicePath, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ systemTitle: '4B414D0000BC614E', meter: { manufacturer: 'KAM', serial: '12345678' }, clock: '2026-12-04T19:00:00Z' });
    expect(out.fields).toEqual({ total_energy_consumption_kwh: 12_345.678, total_energy_production_kwh: 4.321, power_consumption_kw: 1.234, power_production_kw: 0 });
  });

  it('a wrong GAK: exit 1, the tag does not verify, no value printed', async () => {
    const { pty: p } = await meter();
    const r = await openeks(['--link', p.devicePath, '--guek', GUEK, '--gak', `${GAK.slice(0, -1)}0`]);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe('openeks: the tag does not verify: the meter could not verify our request: wrong GUEK or GAK, or our invocation counter is not above the last it accepted (tag-mismatch)\n');
  });

  it('a meter that does not answer: exit 1, no-answer; a missing key is a usage error (2)', async () => {
    const { pty: p } = await meter({ silent: true });
    const r = await openeks(['--link', p.devicePath, '--timeout', '200']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^openeks: the meter could not be read: no HDLC answer within 200 ms \(no-answer at byte 0 of the frame\)\n$/);
    const usage = await openeks(['--link', p.devicePath, '--auth', 'hls-gmac', '--gak', GAK]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('needs the GUEK and the GAK');
  });
});
