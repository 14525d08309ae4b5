import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliFailure } from './cli-context.js';
import { dlmsKeys } from './dlms-keys.js';

// The three places a DLMS key comes from, their order, and that no message ever holds the key.

const GUEK = '000102030405060708090A0B0C0D0E0F';
const GAK = 'D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF';
const dir = mkdtempSync(join(tmpdir(), 'openeks-dlms-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failureOf(fn: () => unknown): CliFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof CliFailure) return e;
    throw e;
  }
  throw new Error('no failure');
}

describe('dlmsKeys', () => {
  it('takes --guek/--gak first, then the files, then the environment', () => {
    const file = join(dir, 'gak.hex');
    writeFileSync(file, `${GAK.toLowerCase()}\n`);
    const env = { OPENEKS_DLMS_GUEK: 'ff'.repeat(16), OPENEKS_DLMS_GAK: 'ee'.repeat(16) };
    expect(dlmsKeys({ guek: GUEK, gakFile: file }, env)).toEqual({ ek: Buffer.from(GUEK, 'hex'), ak: Buffer.from(GAK, 'hex') });
    expect(dlmsKeys({}, env)).toEqual({ ek: Buffer.alloc(16, 0xff), ak: Buffer.alloc(16, 0xee) });
    expect(dlmsKeys({}, {})).toEqual({});
  });

  it('refuses a key that is not 32 hex digits, naming where it came from and never the value', () => {
    const short = '0011223344556677889900112233445';
    const e = failureOf(() => dlmsKeys({ guek: short }, {}));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('--guek: a key is 32 hex digits (AES-128)');
    const fromEnv = failureOf(() => dlmsKeys({}, { OPENEKS_DLMS_GAK: `${GAK}00` }));
    expect(fromEnv.message).toBe('OPENEKS_DLMS_GAK: a key is 32 hex digits (AES-128)');
    expect(fromEnv.message).not.toContain(GAK);
  });

  it('refuses both --gak and --gak-file, and a file that cannot be read', () => {
    expect(failureOf(() => dlmsKeys({ gak: GAK, gakFile: '/x' }, {})).message).toBe('give either --gak or --gak-file, not both');
    const missing = join(dir, 'missing.hex');
    expect(failureOf(() => dlmsKeys({ guekFile: missing }, {})).message).toBe(`--guek-file ${missing}: cannot read the file`);
    const big = join(dir, 'big.hex');
    writeFileSync(big, 'a'.repeat(2000));
    expect(failureOf(() => dlmsKeys({ guekFile: big }, {})).message).toContain('not a key file');
  });
});
