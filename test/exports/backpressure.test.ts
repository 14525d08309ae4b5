import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ExportDevice, ExportFormat } from '../../src/core/modules/exports/export-format.js';
import { writeExport } from '../../src/core/modules/exports/write-export.js';
import { device, testSigner } from './export-files.js';

// A slow client keeps the server's memory flat (docs/downloads.md "ZIP"): while the output takes
// nothing, the writer stops pulling devices; a failing device source breaks the download.

/** An output that holds every write until released, counting bytes. */
function heldOutput() {
  let release: (() => void) | undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let bytes = 0;
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      void gate.then(() => callback());
    },
  });
  return { out, release: () => release?.(), bytes: () => bytes };
}

const template = device('10000000');

describe('back-pressure', () => {
  for (const format of ['csv', 'wmbusmeters', 'kem'] as const satisfies readonly ExportFormat[]) {
    it(`${format}: stops pulling devices while the client takes nothing, and finishes once it does`, { timeout: 60_000 }, async () => {
      const total = format === 'csv' ? 200_000 : 50_000;
      let pulled = 0;
      async function* devices(): AsyncIterable<ExportDevice> {
        for (let i = 0; i < total; i++) {
          pulled++;
          yield { ...template, id: `dev_${i}`, serial: String(10_000_000 + i) };
        }
      }
      const held = heldOutput();
      const writing = writeExport({ format, devices: devices(), out: held.out, signer: testSigner(), fileStem: 'bp', password: 'pw' });
      // Wait until the buffers in between are full and the writer stalls (a loaded machine takes longer).
      let whileHeld = -1;
      for (let waited = 0; waited < 20_000 && pulled !== whileHeld; waited += 300) {
        whileHeld = pulled;
        await sleep(300);
      }
      await sleep(300);
      // Stalled, not merely slow: nothing more is pulled while the client takes nothing.
      expect(pulled).toBe(whileHeld);
      expect(whileHeld).toBeLessThan(total / 4);
      held.release();
      const written = await writing;
      expect(written.devices).toBe(total);
      expect(pulled).toBe(total);
      expect(held.bytes()).toBeGreaterThan(0);
    });
  }

  it('a client that goes away stops the writer: it rejects and pulls no more devices', async () => {
    let pulled = 0;
    async function* many(): AsyncIterable<ExportDevice> {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield { ...template, id: `dev_${i}`, serial: String(10_000_000 + i) };
      }
    }
    let bytes = 0;
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(bytes > 100_000 ? new Error('socket hang up') : null);
      },
    });
    await expect(writeExport({ format: 'csv', devices: many(), out, signer: testSigner(), fileStem: 'x' })).rejects.toThrow('socket hang up');
    expect(pulled).toBeLessThan(100_000);
  });

  it('a device source that fails destroys the output: a broken download, never a short one', async () => {
    async function* failing(): AsyncIterable<ExportDevice> {
      yield device('10000001');
      throw new Error('audit could not be written');
    }
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await expect(writeExport({ format: 'csv', devices: failing(), out, signer: testSigner(), fileStem: 'x' })).rejects.toThrow('audit could not be written');
    expect(out.destroyed).toBe(true);
    expect(Buffer.concat(chunks).includes(Buffer.from('SHA256SUMS'))).toBe(false);
  });
});
