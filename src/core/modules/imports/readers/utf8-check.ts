import { isUtf8 } from 'node:buffer';
import { unreadable } from './reader-errors.js';
import { importProblem } from '../../../../shared/inventory/import-problems.js';

/**
 * Checks a byte stream is UTF-8, chunk by chunk. A character may be split between chunks, so the
 * bytes of an unfinished character at a chunk's end wait for the next one. The fast native check
 * runs on every chunk; the byte-by-byte scan only where it failed, to name the offset.
 */
export class Utf8Check {
  private carry: Buffer = Buffer.alloc(0);
  /** Offset in the stream of the first byte of `carry`. */
  private offset = 0;

  constructor(private readonly what: string) {}

  /** Throws `file_unreadable` with the offset of the first byte that is not UTF-8. */
  push(chunk: Buffer): void {
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const end = completeLength(bytes);
    if (!isUtf8(bytes.subarray(0, end))) this.fail(this.offset + firstInvalid(bytes, end));
    this.carry = Buffer.from(bytes.subarray(end));
    this.offset += end;
  }

  end(): void {
    if (this.carry.length > 0) this.fail(this.offset);
  }

  private fail(offset: number): never {
    throw unreadable(`${this.what} is not valid UTF-8 (at byte ${offset}).`, { field: 'encoding', ...importProblem('not_utf8', { offset }), offset });
  }
}

/** Length of `bytes` without an unfinished multi-byte character at its end. */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** Offset of the first byte that does not start or continue a well-formed character (RFC 3629). */
function firstInvalid(bytes: Buffer, end: number): number {
  let i = 0;
  while (i < end) {
    const b = bytes[i] ?? 0;
    let need: number;
    let min: number;
    if (b < 0x80) { i++; continue; }
    else if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; }
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || i + k >= end || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return end;
}
