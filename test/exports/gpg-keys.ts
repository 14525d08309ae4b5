import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from './export-files.js';

// Real OpenPGP keys made by Debian's gpg in a throw-away GNUPGHOME, for the OpenPGP tests.

export interface GpgHome {
  home: string;
  /** Runs gpg in this home, in batch mode with an empty passphrase. */
  gpg(args: string[], cwd?: string): Promise<string>;
  remove(): Promise<void>;
}

export async function gpgHome(): Promise<GpgHome> {
  const home = await mkdtemp(join(tmpdir(), 'openeks-gpg-'));
  const gpg = async (args: string[], cwd?: string) => {
    const r = await sh('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], cwd);
    return r.stdout;
  };
  return {
    home,
    gpg,
    remove: async () => {
      await sh('gpgconf', ['--homedir', home, '--kill', 'all']).catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

export interface GpgKeys {
  /** Armored public key with an encryption subkey (gpg's default: ed25519 + cv25519). */
  publicKey: string;
  /** The same key's armored private key. */
  privateKey: string;
  /** A signing-only key's armored public key. */
  signingOnly: string;
  fingerprint: string;
}

/** Keys are made as of this day, so they are valid at the test clock's time (2026-11-28) and after. */
const MADE_AT = '20260101T000000!';

export async function gpgKeys(g: GpgHome): Promise<GpgKeys> {
  await g.gpg(['--faked-system-time', MADE_AT, '--quick-gen-key', 'Downloader <downloader@example.org>', 'default', 'default', 'never']);
  await g.gpg(['--faked-system-time', MADE_AT, '--quick-gen-key', 'Signer <signer@example.org>', 'ed25519', 'sign', 'never']);
  const publicKey = await g.gpg(['--armor', '--export', 'downloader@example.org']);
  const privateKey = await g.gpg(['--armor', '--export-secret-keys', 'downloader@example.org']);
  const signingOnly = await g.gpg(['--armor', '--export', 'signer@example.org']);
  const colons = await g.gpg(['--with-colons', '--fingerprint', 'downloader@example.org']);
  const fingerprint = colons.split('\n').find((l) => l.startsWith('fpr:'))?.split(':')[9] ?? '';
  return { publicKey, privateKey, signingOnly, fingerprint };
}
