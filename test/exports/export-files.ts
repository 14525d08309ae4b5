import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign as edSign } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExportDevice, ExportFormat, Signer } from '../../src/core/modules/exports/export-format.js';
import { writeExport } from '../../src/core/modules/exports/write-export.js';
import type { KeyType } from '../../src/shared/inventory/device-fields.js';

// Helpers for the format tests (test/exports): a signer, devices, a download written to a temp
// folder, and the independent tools (unzip, openssl, sha256sum, gpg) run on it.

const run = promisify(execFile);

/** A Signer as the service has one (signing-key.ts): Ed25519, made here. */
export function testSigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    sign: (data) => edSign(null, data, privateKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function device(serial: string, extra: Partial<ExportDevice> = {}, keyTypes: KeyType[] = ['DEK']): ExportDevice {
  return {
    id: `dev_${serial}`,
    serial,
    manufacturer: 'KAM',
    kind: 'meter',
    medium: 'water-cold',
    model: 'MULTICAL 21',
    typeNo: '02146C0G8RK',
    configNo: '0100200013933',
    orderNo: 'ORD-1',
    deliveryNote: 'DN-1',
    customerNo: null,
    driverHint: 'multical21',
    keys: keyTypes.map((keyType) => ({ keyType, version: 1, key: randomBytes(16) })),
    ...extra,
  };
}

export async function* each<T>(items: Iterable<T>): AsyncIterable<T> {
  for (const item of items) yield item;
}

export interface TempDir {
  dir: string;
  path(name: string): string;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), 'openeks-export-'));
  return { dir, path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a download to `<dir>/<fileName>` and returns what writeExport answered and the path. */
export async function writeTo(dir: TempDir, options: { format: ExportFormat; devices: Iterable<ExportDevice> | AsyncIterable<ExportDevice>; signer?: Signer; password?: string; fileStem?: string; orderId?: string }) {
  const signer = options.signer ?? testSigner();
  const path = dir.path('download.zip');
  const out = createWriteStream(path);
  const devices = Symbol.asyncIterator in options.devices ? options.devices : each(options.devices);
  const written = await writeExport({
    format: options.format,
    devices,
    out,
    signer,
    fileStem: options.fileStem ?? 'openeks-test-2026-12-03-2',
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.orderId === undefined ? {} : { orderId: options.orderId }),
  });
  return { written, path, signer };
}

export async function sh(cmd: string, args: string[], cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
}

/** `unzip -t`, then the members extracted into `<dir>/x`; returns their names in ZIP order. */
export async function unzipped(dir: TempDir, zipPath: string): Promise<string[]> {
  const test = await sh('unzip', ['-t', zipPath]);
  if (!test.stdout.includes('No errors detected')) throw new Error(`unzip -t: ${test.stdout}`);
  const list = await sh('unzip', ['-Z1', zipPath]);
  await sh('unzip', ['-q', '-o', zipPath, '-d', dir.path('x')]);
  return list.stdout.split('\n').filter((l) => l !== '');
}

/** openssl's verdict on SHA256SUMS.sig in `<dir>/x`, with the signer's public key. */
export async function opensslVerifies(dir: TempDir, signer: Signer): Promise<boolean> {
  const pem = dir.path('signing-key.pem');
  await writeFile(pem, signer.publicKeyPem);
  try {
    const r = await sh('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pem, '-rawin', '-in', 'SHA256SUMS', '-sigfile', 'SHA256SUMS.sig'], dir.path('x'));
    return r.stdout.includes('Signature Verified Successfully');
  } catch {
    return false;
  }
}

/** `sha256sum -c SHA256SUMS` in `<dir>/x`. */
export async function sumsCheck(dir: TempDir): Promise<boolean> {
  try {
    await sh('sha256sum', ['-c', '--strict', 'SHA256SUMS'], dir.path('x'));
    return true;
  } catch {
    return false;
  }
}

export async function extracted(dir: TempDir): Promise<string[]> {
  return (await readdir(dir.path('x'))).sort();
}
