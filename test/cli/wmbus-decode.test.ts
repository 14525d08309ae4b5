import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VECTORS } from '../support/wmbus-vectors.js';

// `openeks wmbus decode` in a child process with no database configured: the shared real telegrams.
const bin = fileURLToPath(new URL('../../bin/openeks.mjs', import.meta.url));
const run = promisify(execFile);

async function openeks(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'wmbus', 'decode', ...args], { env: { PATH: process.env.PATH ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const vector = (meter: string) => {
  const v = VECTORS.find((x) => x.meter === meter);
  if (!v) throw new Error(`no shared vector ${meter}`);
  return v;
};
const mc21 = vector('Kamstrup Multical 21');
const engelmann = vector('Engelmann FAW water meter');
const reversed = (key: string) => Buffer.from(key, 'hex').reverse().toString('hex');
const oneDigitOff = (key: string) => `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;

describe('openeks wmbus decode', () => {
  it('prints the header and the MULTICAL 21 fields with the key', async () => {
    const r = await openeks([mc21.telegram, '--key', mc21.key]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('meter     KAM 76348799, version 0x1b, type 0x16 (cold water)');
    expect(r.stdout).toContain('security  ELL AES-128-CTR');
    expect(r.stdout).toMatch(/driver\s+multical21/);
    expect(r.stdout).toMatch(/total_m3\s+6\.408/);
    expect(r.stdout).toMatch(/time_dry\s+22-31 days/);
  });

  it('--json gives one object with the fields', async () => {
    const r = await openeks([mc21.telegram, '--key', mc21.key, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; driver: string; fields: Record<string, unknown> };
    expect(out).toMatchObject({ id: '76348799', driver: 'multical21', fields: { total_m3: 6.408, target_m3: 6.408, status: 'DRY' } });
    // Through the decode pipeline: how the values were verified and the media wmbusmeters names.
    expect(out).toMatchObject({ encrypted: true, decrypted: true, verified: 'crc', media: 'cold water' });
  });

  it('an OMS mode 5 telegram is verified by its 2F2F', async () => {
    const v = vector('Aventies water meter');
    const r = await openeks([v.telegram, '--key', v.key]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verified by 2f2f');
    expect(r.stdout).toContain('(water)');
  });

  it('without a key: the header and "encrypted"; radio and meter address of the Engelmann meter', async () => {
    const r = await openeks([engelmann.telegram]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('meter     EFE 22862420');
    expect(r.stdout).toContain('radio     EFE 22502855');
    expect(r.stdout).toContain('encrypted');
  });

  it("the Aventies vector with its key gives wmbusmeters' aventieswm fields", async () => {
    const v = vector('Aventies water meter');
    const r = await openeks([v.telegram, '--key', v.key, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ driver: 'aventieswm', fields: { total_m3: 466.472, consumption_at_set_date_1_m3: 465.96, status: 'OK' } });
  });

  it('a wrong key exits 1; a byte-reversed key is named as such; no key material is echoed', async () => {
    const runs = VECTORS.map(async (v) => [await openeks([v.telegram, '--key', oneDigitOff(v.key)]), await openeks([v.telegram, '--key', reversed(v.key)])] as const);
    for (const [wrong, rev] of await Promise.all(runs)) {
      expect(wrong).toMatchObject({ code: 1, stdout: '' });
      expect(wrong.stderr).toBe('openeks: key does not decrypt this telegram\n');
      expect(rev.code).toBe(1);
      expect(rev.stderr).toBe('openeks: key does not decrypt this telegram; the byte-reversed key would\n');
    }
  });

  it('not a telegram: exit 1 with the reason and the byte offset', async () => {
    const [r, bad, badKey] = await Promise.all([openeks([mc21.telegram.slice(0, 20)]), openeks(['not-hex']), openeks([mc21.telegram, '--key', 'abcd'])]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^openeks: not a telegram: .* \(truncated at byte \d+\)\n$/);
    expect(bad.code).toBe(2);
    expect(badKey).toMatchObject({ code: 2, stderr: 'openeks: --key must be 32 hex digits (an AES-128 key)\n' });
  });
});
