import archiver from 'archiver';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { pipeline, type Writable } from 'node:stream';
import type { Signer } from '../export-format.js';
import type { ExportZip, MemberSink } from './export-zip.js';

// The ZIP of the wmbusmeters download: one small stored member per meter (~100 bytes), then the
// same SHA256SUMS and signature as export-zip.ts. yazl looks for its next member from the first one
// each time (quadratic: 50,000 meter files took 36 s); archiver (zip-stream) queues its members and
// appends each central-directory entry to a list, linear in the member count, and writes the ZIP64
// end records beyond 65,535 members. Each member is held until it ends and goes whole, so its CRC
// and size are in its local header (no data descriptor); stored, as a deflate stream per 100-byte
// file costs more than it saves (measured in docs/downloads.md).

/** archiver's buffer for its reader (1 MiB by default): enough to keep `out` busy. */
const BUFFER = 64 * 1024;
/** Members that may wait in archiver's queue before the next one waits for them (~100 bytes each). */
const WINDOW = 256;

export function openMeterFilesZip(out: Writable, signer: Signer, mtime = new Date()): ExportZip {
  const zip = archiver('zip', { store: true, highWaterMark: BUFFER });
  const sums: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pipeline(zip, out, (err) => (err ? reject(err) : resolve()));
  });
  // A failure of the output (the client went away) stops the next member; it is never unhandled.
  let failed: unknown;
  done.catch((err: unknown) => (failed = err));
  const stopped = done.then(
    () => undefined,
    () => undefined,
  );
  let queued = 0;
  let entries = 0;
  zip.on('entry', () => entries++);

  async function add(name: string, data: Buffer): Promise<void> {
    if (failed !== undefined) throw failed;
    sums.push(`${createHash('sha256').update(data).digest('hex')}  ${name}\n`);
    queued++;
    zip.append(data, { name, date: mtime });
    // Not one round trip per member, but never more than a window queued, and nothing more while
    // `out` has more than it wants: members cannot pile up in front of a slow client.
    while (queued - entries > WINDOW && failed === undefined) await Promise.race([once(zip, 'entry').catch(() => undefined), stopped]);
    if (out.writableNeedDrain && failed === undefined) await Promise.race([once(out, 'drain'), stopped]);
    if (failed !== undefined) throw failed;
  }

  return {
    member(name): MemberSink {
      const parts: Buffer[] = [];
      return {
        write(data) {
          parts.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
          return Promise.resolve();
        },
        end: () => add(name, Buffer.concat(parts)),
      };
    },
    async finish() {
      const text = Buffer.from(sums.join(''), 'utf8');
      zip.append(text, { name: 'SHA256SUMS', date: mtime });
      zip.append(signer.sign(text), { name: 'SHA256SUMS.sig', date: mtime });
      // finalize's own promise rejects with the failure `done` reports; `done` is the one awaited.
      zip.finalize().catch(() => undefined);
      await done;
    },
    abort(err) {
      const error = err instanceof Error ? err : new Error(String(err));
      zip.abort();
      zip.destroy(error);
      out.destroy(error);
    },
  };
}
