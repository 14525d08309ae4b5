import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/prng.js';
import { VECTORS, hex } from '../../test/support/wmbus-vectors.js';
import { decodeTelegram, type DecodeOptions } from './decode-telegram.js';
import { WmbusError } from './errors.js';
import { buildFrame } from './link-layer.js';
import { recordsOf } from './records-of.js';

const RUNS = 100_000;

describe('fuzz', () => {
  it(`${RUNS} random and mutated frames: every failure is a WmbusError`, () => {
    // Seeded, so a failure is reproducible from its iteration number.
    const { next: rnd, int } = createRng(0x3d65);
    const seeds = VECTORS.map((v) => ({ t: hex(v.telegram), key: hex(v.key) }));
    let ok = 0;
    for (let i = 0; i < RUNS; i++) {
      const seed = seeds[int(seeds.length)];
      if (!seed) throw new Error('no vectors');
      let bytes: Buffer;
      const kind = int(4);
      if (kind === 0) {
        bytes = Buffer.alloc(int(300));
        for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
      } else {
        bytes = Buffer.from(seed.t);
        for (let m = 1 + int(4); m > 0; m--) {
          const at = int(bytes.length);
          bytes[at] = rnd() < 0.5 ? int(256) : (bytes[at] ?? 0) ^ (1 << int(8));
        }
        if (rnd() < 0.3) bytes = bytes.subarray(0, int(bytes.length + 1));
        if (rnd() < 0.5) bytes[0] = bytes.length - 1; // keep L consistent so inner layers are reached
      }
      const crcKind = kind === 3 && bytes.length > 11 ? int(2) : 2;
      let opts: DecodeOptions = { crc: 'stripped', ...(rnd() < 0.7 ? { key: seed.key } : {}) };
      if (crcKind < 2) {
        try {
          bytes = buildFrame(bytes, crcKind === 0 ? 'A' : 'B');
          if (rnd() < 0.3) {
            const at = int(bytes.length);
            bytes[at] = (bytes[at] ?? 0) ^ 0x10;
          }
        } catch {
          // not buildable: decode the stripped bytes instead
        }
        opts = { ...opts, crc: 'present', format: crcKind === 0 ? 'A' : 'B' };
      }
      try {
        const t = decodeTelegram(bytes, opts);
        if (t.applicationData) recordsOf(t);
        ok += 1;
      } catch (e) {
        if (!(e instanceof WmbusError)) throw new Error(`iteration ${i}: ${String(e)} for ${bytes.toString('hex')}`);
      }
    }
    expect(ok).toBeGreaterThan(0);
  });
});
