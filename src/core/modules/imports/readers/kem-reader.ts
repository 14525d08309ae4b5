import type { ImportFormat, ImportRow, ImportSource, OpenImportOptions } from '../import-row.js';
import { Base64Stream } from './base64-stream.js';
import type { ChunkSource } from './chunk-source.js';
import { KemDecipher, kemKeyFor } from './kem-cipher.js';
import { KemEnvelope } from './kem-envelope.js';
import { KemPlaintext } from './kem-plaintext.js';

/**
 * The KEM/KEM2 pipeline, fed synchronously chunk by chunk: envelope → base64 → AES-CBC → XML →
 * rows, which wait in `rows` until the reader hands them on. Nothing grows with the file.
 */
export class KemDecoder {
  readonly rows: ImportRow[] = [];
  private readonly envelope: KemEnvelope;
  private base64: Base64Stream | undefined;
  private decipher: KemDecipher | undefined;
  private plaintext: KemPlaintext | undefined;

  constructor(password: string | undefined, onEnvelope?: () => void) {
    this.envelope = new KemEnvelope({
      onCipherStart: () => {
        // The envelope is a KEM file's before the password is tried: a failed import still says KEM.
        onEnvelope?.();
        const decipher = new KemDecipher(kemKeyFor(password), (bytes) => this.plain(bytes));
        this.decipher = decipher;
        this.base64 = new Base64Stream((bytes) => decipher.push(bytes));
      },
      onBase64: (text, offset) => this.base64?.push(text, offset),
      onCipherEnd: (offset) => {
        this.base64?.end(offset);
        this.decipher?.end(offset);
        this.plaintext?.end();
      },
    });
  }

  /** Known once the first block is decrypted (and the password proved right). */
  get format(): ImportFormat | undefined {
    return this.decipher?.format;
  }

  push(chunk: Buffer): void {
    this.envelope.push(chunk);
  }

  end(): void {
    this.envelope.end();
  }

  private plain(bytes: Buffer): void {
    if (this.plaintext === undefined) {
      const format = this.decipher?.format === 'kem2' ? 'kem2' : 'kem';
      this.plaintext = new KemPlaintext(format, (row) => this.rows.push(row));
    }
    this.plaintext.push(bytes);
  }
}

/**
 * Opens a KEM/KEM2 byte stream: reads until the password is proved (so a wrong one fails the
 * open, not the import half-way), then streams the rest as rows are asked for.
 */
export async function openKemSource(
  source: ChunkSource,
  options: OpenImportOptions,
  progress: { bytesTotal: number; bytesRead: () => number; close: () => Promise<void> },
): Promise<ImportSource> {
  const decoder = new KemDecoder(options.password, () => options.onRecognised?.('kem'));
  let ended = false;
  const step = async (): Promise<void> => {
    const chunk = await source.next();
    if (chunk === undefined) {
      ended = true;
      decoder.end();
    } else decoder.push(chunk);
  };
  try {
    while (decoder.format === undefined && !ended) await step();
  } catch (err) {
    await progress.close();
    throw err;
  }
  const format = decoder.format ?? 'kem';
  async function* rows(): AsyncGenerator<ImportRow> {
    try {
      for (;;) {
        if (decoder.rows.length > 0) yield* decoder.rows.splice(0);
        if (ended) return;
        await step();
      }
    } finally {
      await progress.close();
    }
  }
  return { format, bytesTotal: progress.bytesTotal, bytesRead: progress.bytesRead, rows, close: progress.close };
}
