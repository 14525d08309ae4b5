import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KEM_ENVELOPE_HEAD, KEM_ENVELOPE_TAIL } from '../../src/core/modules/exports/formats/kem-cipher-stream.js';

// A KEM/KEM2 member opened by an independent reader (docs/downloads.md "KEM"): the CipherValue
// between the envelope's head and tail, base64-decoded, then `openssl enc -d -aes-128-cbc` with
// the password (UTF-8, zero-padded to 16 bytes) as key and IV. For the API and CLI tests of the
// download flow; test/exports/kem-export.test.ts checks the member's shape in detail.

const run = promisify(execFile);

/** The KEM key (and IV) openssl takes: the password's UTF-8 bytes, zero-padded to 16, in hex. */
export function kemKeyHex(password: string): string {
  const key = Buffer.alloc(16);
  Buffer.from(password, 'utf8').copy(key);
  return key.toString('hex');
}

/** The plaintext XML openssl decrypts from the member at `kemPath`; throws when the file is no KEM envelope or openssl fails. */
export async function opensslOpensKem(kemPath: string, password: string, workDir: string): Promise<string> {
  const file = await readFile(kemPath, 'latin1');
  if (!file.startsWith(KEM_ENVELOPE_HEAD) || !file.endsWith(KEM_ENVELOPE_TAIL)) throw new Error(`${kemPath} is not a KEM envelope`);
  const ciphertext = join(workDir, 'kem-ciphertext.bin');
  await writeFile(ciphertext, Buffer.from(file.slice(KEM_ENVELOPE_HEAD.length, -KEM_ENVELOPE_TAIL.length), 'base64'));
  const key = kemKeyHex(password);
  const { stdout } = await run('openssl', ['enc', '-d', '-aes-128-cbc', '-K', key, '-iv', key, '-in', ciphertext], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
