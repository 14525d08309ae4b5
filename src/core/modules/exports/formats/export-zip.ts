import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, pipeline, type Writable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { Signer } from '../export-format.js';

// The ZIP around every download (docs/downloads.md "Signature"): the format's members, then
// `SHA256SUMS` (`sha256sum`'s text format) and `SHA256SUMS.sig` (the raw 64-byte Ed25519 signature
// over SHA256SUMS). Members are hashed as they stream, so the signature covers a download of any
// size while memory stays flat; pure Ed25519 needs its whole message, SHA256SUMS is a few lines.

/** Text is gathered to about this many bytes before it goes on (fewer, larger writes). */
const BATCH = 64 * 1024;
/**
 * Deflated at level 1: for a million CSV rows as fast as stored (within the noise of the
 * measurement in docs/downloads.md "ZIP") and about five times smaller — the keys do not
 * compress, the repeated columns around them do.
 */
const COMPRESS = true;
const LEVEL = 1;

/** One member being written: text or bytes in, with back-pressure. */
export interface MemberSink {
  /** Appends; resolves at once unless enough waits unsent, then when the ZIP has taken it. */
  write(data: string | Buffer): Promise<void>;
  /** Ends the member; the next one may start. */
  end(): Promise<void>;
}

export interface ExportZip {
  /** Starts the next member (members are written one after another). */
  member(name: string): MemberSink;
  /** Writes SHA256SUMS and its signature, ends the ZIP and resolves when `out` has taken all of it. */
  finish(): Promise<void>;
  /** Stops on failure: `out` is destroyed, so a client sees a broken download, never a short valid one. */
  abort(err: unknown): void;
}

/** A ZIP streaming into `out`, which it ends (or destroys on failure). */
export function openExportZip(out: Writable, signer: Signer, mtime = new Date()): ExportZip {
  const zip = new ZipFile();
  const sums: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pipeline(zip.outputStream as NodeJS.ReadableStream & PassThrough, out, (err) => (err ? reject(err) : resolve()));
  });
  // A failure of the output (the client went away) stops the next write; it is never unhandled.
  let failed: unknown;
  done.catch((err: unknown) => (failed = err));

  return {
    member(name) {
      const stream = new PassThrough({ highWaterMark: BATCH });
      const hash: Hash = createHash('sha256');
      zip.addReadStream(stream, name, { mtime, compress: COMPRESS, compressionLevel: LEVEL });
      let pending: (string | Buffer)[] = [];
      let size = 0;
      const flush = async (): Promise<void> => {
        if (failed !== undefined) throw failed;
        if (pending.length === 0) return;
        const chunk = pending.length === 1 && Buffer.isBuffer(pending[0]) ? pending[0] : Buffer.concat(pending.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
        pending = [];
        size = 0;
        hash.update(chunk);
        if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), done.then(() => undefined)]);
        if (failed !== undefined) throw failed;
      };
      return {
        async write(data) {
          pending.push(data);
          size += data.length;
          if (size >= BATCH) await flush();
        },
        async end() {
          await flush();
          stream.end();
          sums.push(`${hash.digest('hex')}  ${name}\n`);
          // Until the ZIP has read the whole member, the next one waits: members cannot pile up
          // in memory in front of a slow client.
          await Promise.race([once(stream, 'end'), done.then(() => undefined)]);
          if (failed !== undefined) throw failed;
        },
      };
    },
    async finish() {
      const text = Buffer.from(sums.join(''), 'utf8');
      zip.addBuffer(text, 'SHA256SUMS', { mtime, compress: false });
      zip.addBuffer(signer.sign(text), 'SHA256SUMS.sig', { mtime, compress: false });
      zip.end();
      await done;
    },
    abort(err) {
      const error = err instanceof Error ? err : new Error(String(err));
      (zip.outputStream as PassThrough).destroy(error);
      out.destroy(error);
    },
  };
}
