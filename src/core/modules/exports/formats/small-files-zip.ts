import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { Signer } from '../export-format.js';
import type { ExportZip, MemberSink } from './export-zip.js';

// A ZIP of many small stored members (the wmbusmeters download: one file of ~100 bytes per
// meter), with the same SHA256SUMS and signature as export-zip.ts. yazl looks for its next member
// from the first one each time, quadratic in the number of members (50,000 meter files: 36 s);
// here each member is held until it ends (they are small), so its CRC and size are known before
// its local header and no data descriptor is needed, and the central directory (46 bytes and the
// name per member) is written at the end. More than 65,535 members get the ZIP64 end records
// (APPNOTE.TXT 4.3.14–4.3.15); an archive beyond 4 GiB is refused (millions of meters' files).

const LIMIT_32 = 0xffffffff;
const LIMIT_16 = 0xffff;
/** Version needed to extract: 2.0 (stored), 4.5 with ZIP64 records. */
const V20 = 20;
const V45 = 45;
/** Bit 11: the names are UTF-8. */
const UTF8_NAMES = 0x0800;
/** Made by Unix (3), so the external attributes carry the file mode. */
const MADE_BY_UNIX = 3 << 8;
const FILE_MODE = 0o100644;

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

export function openSmallFilesZip(out: Writable, signer: Signer, mtime = new Date()): ExportZip {
  const { time, date } = dosTime(mtime);
  const central: Buffer[] = [];
  const sums: string[] = [];
  let offset = 0;
  let count = 0;
  let failed: unknown;
  out.on('error', (err) => (failed = err));

  async function put(bytes: Buffer): Promise<void> {
    if (failed !== undefined) throw failed;
    offset += bytes.length;
    if (offset > LIMIT_32) throw new Error('The download would exceed 4 GiB, which this ZIP writer does not write.');
    if (!out.write(bytes)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    if (failed !== undefined) throw failed;
  }

  async function addFile(name: string, data: Buffer): Promise<void> {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(V20, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const at = offset;
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(MADE_BY_UNIX | V20, 4);
    entry.writeUInt16LE(V20, 6);
    entry.writeUInt16LE(UTF8_NAMES, 8);
    entry.writeUInt16LE(0, 10);
    entry.writeUInt16LE(time, 12);
    entry.writeUInt16LE(date, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    // extra length, comment length, disk number start, internal attributes: 0
    entry.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
    entry.writeUInt32LE(at, 42);
    central.push(entry, nameBytes);
    count++;
    sums.push(`${createHash('sha256').update(data).digest('hex')}  ${name}\n`);
    await put(Buffer.concat([local, nameBytes, data]));
  }

  async function writeEnd(): Promise<void> {
    const cdOffset = offset;
    const cd = Buffer.concat(central);
    await put(cd);
    const cdSize = cd.length;
    const zip64 = count > LIMIT_16;
    if (zip64) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(0x06064b50, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(MADE_BY_UNIX | V45, 12);
      record.writeUInt16LE(V45, 14);
      // this disk, the disk with the central directory: 0
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(BigInt(cdSize), 40);
      record.writeBigUInt64LE(BigInt(cdOffset), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
      locator.writeUInt32LE(1, 16);
      await put(Buffer.concat([record, locator]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, LIMIT_16), 8);
    end.writeUInt16LE(Math.min(count, LIMIT_16), 10);
    end.writeUInt32LE(cdSize, 12);
    end.writeUInt32LE(cdOffset, 16);
    await put(end);
  }

  return {
    member(name): MemberSink {
      const parts: Buffer[] = [];
      return {
        write(data) {
          parts.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
          return Promise.resolve();
        },
        end: () => addFile(name, Buffer.concat(parts)),
      };
    },
    async finish() {
      const text = Buffer.from(sums.join(''), 'utf8');
      await addFile('SHA256SUMS', text);
      await addFile('SHA256SUMS.sig', signer.sign(text));
      await writeEnd();
      out.end();
      if (!out.writableFinished) await Promise.race([once(out, 'finish'), once(out, 'close')]);
      if (failed !== undefined) throw failed;
    },
    abort(err) {
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    },
  };
}
