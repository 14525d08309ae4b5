import { crc32, createInflateRaw } from 'node:zlib';
import { PassThrough, Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { type AppError, isAppError } from '../../../../shared/errors.js';
import type { ImportSource, OpenImportOptions } from '../import-row.js';
import { ChunkSource } from './chunk-source.js';
import { openKemSource } from './kem-reader.js';
import { unreadable } from './reader-errors.js';
import { findKemMember } from './zip-members.js';
import { type CodedReason, importProblem } from '../../../../shared/inventory/import-problems.js';

/** Opens a KEM ZIP: checks its members, then streams the KEM member through the KEM reader. */
export async function openZipSource(path: string, bytesTotal: number, options: OpenImportOptions): Promise<ImportSource> {
  const zip = await new Promise<ZipFile>((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, file) => (err === null ? resolve(file) : reject(damaged(err))));
  });
  let member: { entry: Entry; stream: Readable; rawBytes: () => number };
  try {
    member = await openMember(zip);
  } catch (err) {
    zip.close();
    throw damaged(err);
  }
  const source = new ChunkSource(member.stream, damaged);
  let done = false;
  const close = async () => {
    done = true;
    await source.close();
    zip.close();
  };
  // Progress counts the compressed bytes read, from where the member starts in the ZIP.
  const start = member.entry.relativeOffsetOfLocalHeader;
  const bytesRead = () => (done ? bytesTotal : Math.min(bytesTotal, start + member.rawBytes()));
  return openKemSource(source, options, { bytesTotal, bytesRead, close });
}

async function openMember(zip: ZipFile): Promise<{ entry: Entry; stream: Readable; rawBytes: () => number }> {
  const entry = await findKemMember(zip);
  const raw = await new Promise<Readable>((resolve, reject) => {
    zip.openReadStream(entry, { decodeFileData: false }, (err, stream) => (err === null ? resolve(stream) : reject(err)));
  });
  let rawBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      rawBytes += chunk.length;
      callback(null, chunk);
    },
  });
  const inflate = entry.compressionMethod === 8 ? createInflateRaw() : new PassThrough();
  const stream = pipeline(raw, counter, inflate, new MemberCheck(entry.uncompressedSize, entry.crc32), () => undefined);
  return { entry, stream, rawBytes: () => rawBytes };
}

/**
 * Holds the member to what the directory declared: not one byte more (a zip bomb stops at the
 * declared size, which was checked), not fewer, and the CRC-32 it names.
 */
class MemberCheck extends Transform {
  private bytes = 0;
  private crc = 0;

  constructor(
    private readonly size: number,
    private readonly expectedCrc: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.size) return callback(zipProblem(importProblem('zip_member_larger', {})));
    this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.size) return callback(zipProblem(importProblem('zip_member_smaller', {})));
    if (this.crc !== this.expectedCrc) return callback(zipProblem(importProblem('zip_member_crc', {})));
    callback();
  }
}

/** yauzl's and zlib's errors name offsets and internals, not what the operator can act on. */
function damaged(err: unknown): AppError {
  return isAppError(err) ? err : zipProblem(importProblem('zip_damaged', {}));
}

function zipProblem(coded: CodedReason): AppError {
  return unreadable(`The ZIP file cannot be read: ${coded.reason}.`, { field: 'zip', ...coded });
}
