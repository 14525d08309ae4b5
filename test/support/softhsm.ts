import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A private SoftHSM2 for tests: its own config file (SOFTHSM2_CONF) and token directory in a
// temporary folder, so tests never see or touch the system token store. The variable is set for
// this process (the PKCS#11 library reads it at C_Initialize) and restored by cleanup().

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export function softHsmAvailable(): boolean {
  if (!existsSync(SOFTHSM_MODULE)) return false;
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface SoftHsmToken {
  label: string;
  pin: string;
}

export interface SoftHsm {
  dir: string;
  conf: string;
  module: string;
  /** Initialises a token in the first free slot. Call before the library is loaded, or after
   *  every provider on it was closed: SoftHSM2 reads its token list at C_Initialize. */
  initToken(label?: string): SoftHsmToken;
  /** A pkcs11: spec for the token, its PIN taken from `pinVariable` in the provider's env. */
  spec(input: { token: string; label: string; pinVariable: string }): string;
  cleanup(): Promise<void>;
}

export async function createSoftHsm(): Promise<SoftHsm> {
  const dir = await mkdtemp(join(tmpdir(), 'openeks-softhsm-'));
  const tokens = join(dir, 'tokens');
  await mkdir(tokens, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`, { mode: 0o600 });
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  return {
    dir,
    conf,
    module: SOFTHSM_MODULE,
    initToken(label = `t-${randomBytes(4).toString('hex')}`) {
      const pin = randomBytes(6).toString('hex');
      const soPin = randomBytes(6).toString('hex');
      execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], {
        env: { ...process.env, SOFTHSM2_CONF: conf },
        stdio: 'ignore',
      });
      return { label, pin };
    },
    spec: ({ token, label, pinVariable }) => `pkcs11:module=${SOFTHSM_MODULE};token=${token};pin=env:${pinVariable};label=${label}`,
    async cleanup() {
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
