import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/prng.js';
import { vectorsOf } from '../../test/support/protocol-vectors-of.js';
import { DlmsError } from './errors.js';
import { HdlcFrameReader, crc16X25, decodeHdlcFrame, encodeHdlcFrame, parseHdlcParameters } from './hdlc.js';
import { createHdlcClient, createHdlcServer } from './hdlc-link.js';

const RUNS = 100_000;
const seeds = [...vectorsOf('hdlc-frame'), ...vectorsOf('dlms-hdlc-plain-push')].map((v) => Buffer.from(v.input_hex, 'hex'));

function expectDlmsError(e: unknown, i: number, bytes: Buffer): void {
  if (!(e instanceof DlmsError)) throw new Error(`iteration ${i}: ${String(e)} for ${bytes.toString('hex')}`);
}

/** Puts right HCS and FCS on mutated bytes now and then, so the fuzz reaches the fields behind them. */
function fixChecks(b: Buffer): void {
  const length = (((b[1] ?? 0) << 8) | (b[2] ?? 0)) & 0x7ff;
  if (length + 2 !== b.length || length < 9) return;
  b.writeUInt16LE(crc16X25(b, 1, length - 1), length - 1);
}

describe('fuzz', () => {
  it(`${RUNS} random and mutated frames through decodeHdlcFrame, the connection state and HdlcFrameReader: every failure a DlmsError`, () => {
    // Seeded, so a failure is reproducible from its iteration number.
    const { next: rnd, int } = createRng(0x7e62);
    const reader = new HdlcFrameReader();
    let decoded = 0;
    let read = 0;
    for (let i = 0; i < RUNS; i++) {
      let bytes: Buffer;
      if (int(5) === 0) {
        bytes = Buffer.alloc(int(64));
        for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
        if (rnd() < 0.5 && bytes.length > 3) bytes[0] = 0x7e;
      } else {
        bytes = Buffer.from(seeds[int(seeds.length)] ?? Buffer.alloc(0));
        for (let m = 1 + int(3); m > 0; m--) {
          const at = int(bytes.length);
          bytes[at] = rnd() < 0.5 ? int(256) : (bytes[at] ?? 0) ^ (1 << int(8));
        }
        if (rnd() < 0.2) bytes = bytes.subarray(0, int(bytes.length + 1));
        if (rnd() < 0.5) fixChecks(bytes);
      }
      try {
        const f = decodeHdlcFrame(bytes);
        decoded += 1;
        // What decodes re-encodes to the same bytes: nothing is lost or invented.
        if (bytes[0] === 0x7e) expect(encodeHdlcFrame(f).equals(bytes)).toBe(true);
        if (f.control.kind === 'UA' || f.control.kind === 'SNRM') parseHdlcParameters(f.info);
        const client = createHdlcClient({ client: f.dest.upper & 0x7f, serverUpper: f.src.upper, ...(f.src.size === 1 ? {} : { serverLower: f.src.lower ?? 0 }) });
        client.snrm();
        if (f.control.kind === 'UA' || f.control.kind === 'DM') client.acceptUa(f);
        else client.receive(f);
      } catch (e) {
        expectDlmsError(e, i, bytes);
      }
      try {
        const server = createHdlcServer({ serverUpper: 1, serverLower: 17 });
        const f = decodeHdlcFrame(bytes);
        server.receive(f);
        server.receive(f);
      } catch (e) {
        expectDlmsError(e, i, bytes);
      }
      // The stream: cut at random, so frames and garbage straddle chunks.
      const cut = int(bytes.length + 1);
      for (const item of [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))]) {
        if ('frame' in item) read += 1;
        else expectDlmsError(item.error, i, bytes);
      }
    }
    reader.flush();
    expect(decoded).toBeGreaterThan(1000);
    expect(read).toBeGreaterThan(1000);
  });
});
