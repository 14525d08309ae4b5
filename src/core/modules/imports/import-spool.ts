import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../shared/errors.js';

// An upload goes to a temporary file (mode 0600, in a directory of its own) before the import
// reads it: readers need to seek (ZIP) and the request must not wait for the import.

/** The largest upload (docs/inventory.md "Import"). */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export interface Spooled {
  path: string;
  bytes: number;
  /** Deletes the file and its directory; safe to call more than once. */
  remove(): Promise<void>;
}

/** Writes `body` to a new temporary file; `body_too_large` (and nothing left behind) past `maxBytes`. */
export async function spoolToTempFile(body: Readable, maxBytes: number): Promise<Spooled> {
  const dir = await mkdtemp(join(tmpdir(), 'openeks-import-'));
  const path = join(dir, 'upload');
  const remove = () => rm(dir, { recursive: true, force: true });
  let bytes = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new AppError('body_too_large', `The file is larger than ${Math.floor(maxBytes / (1024 * 1024)) || maxBytes} ${maxBytes >= 1024 * 1024 ? 'MiB' : 'bytes'}.`));
      else done(null, chunk);
    },
  });
  // Not pipeline(body, …): on the cap it would destroy the request, and with it the socket the
  // 413 answer has to go out on. The request is only unpiped and paused; the route closes the
  // connection after the answer.
  const upstreamFailed = new Promise<never>((_resolve, reject) => body.once('error', reject));
  body.pipe(cap);
  try {
    await Promise.race([pipeline(cap, createWriteStream(path, { flags: 'wx', mode: 0o600 })), upstreamFailed]);
  } catch (err) {
    body.unpipe(cap);
    body.pause();
    await remove();
    throw err;
  }
  return { path, bytes, remove };
}
