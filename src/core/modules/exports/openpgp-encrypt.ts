import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createMessage, encrypt } from 'openpgp';
import { checkOpenPgpPublicKey } from '../openpgp/openpgp-key-check.js';

// A download encrypted to the user's registered OpenPGP key (docs/downloads.md "OpenPGP"): the
// ZIP writeExport makes goes, as it streams, through openpgp.js into `out` as one binary OpenPGP
// message (SEIPD v1, what Debian's gpg reads), so memory stays flat whatever the size. The ZIP
// inside keeps its signature; `gpg --decrypt` gives it back byte for byte.

export interface OpenPgpEncryption {
  /** Where writeExport writes the ZIP (pass it as `out`); ending it ends the encryption. */
  sink: Writable;
  /** Resolves when `out` has taken the whole message; rejects (and `out` is destroyed) on failure. */
  done: Promise<void>;
  /** The download's file name: the ZIP's name plus `.gpg`. */
  fileName(zipFileName: string): string;
  /** What the bytes are. */
  contentType: string;
  /** The key encrypted to (its primary key's fingerprint). */
  fingerprint: string;
}

/** The file name of an encrypted download. */
export const openPgpFileName = (zipFileName: string): string => `${zipFileName}.gpg`;

/**
 * Checks the key (422 `openpgp_key_invalid` naming `armoredKey` before anything is written), then
 * starts the encryption into `out`, which it ends.
 */
export async function encryptToOpenPgp(input: { armoredKey: string; out: Writable; now?: Date }): Promise<OpenPgpEncryption> {
  const { key, fingerprint } = await checkOpenPgpPublicKey(input.armoredKey, { field: 'armoredKey', ...(input.now ? { now: input.now } : {}) });
  const sink = new PassThrough({ highWaterMark: 64 * 1024 });
  const plain = Readable.toWeb(sink) as unknown as WebReadableStream<Uint8Array>;
  const message = await createMessage({ binary: plain, format: 'binary' });
  const encrypted = (await encrypt({ message, encryptionKeys: key, format: 'binary', ...(input.now ? { date: input.now } : {}) })) as unknown as WebReadableStream<Uint8Array>;
  const done = pipeline(Readable.fromWeb(encrypted), input.out).catch((err: unknown) => {
    sink.destroy();
    throw err;
  });
  // Surfaced through `done`; not unhandled meanwhile.
  done.catch(() => undefined);
  return { sink, done, fileName: openPgpFileName, contentType: 'application/octet-stream', fingerprint };
}
