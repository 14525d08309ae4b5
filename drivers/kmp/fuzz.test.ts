import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/prng.js';
import {
  KmpError, KmpFrameReader, decodeKmpFrame, decodeKmpValue, encodeKmpFrame, encodeGetRegisterResponse, encodeGetSerialNoResponse, encodeGetTypeResponse,
  getRegisterRequest, getSerialNoRequest, kmpFields, parseGetRegisterRequest, parseGetRegisterResponse, parseGetSerialNoResponse,
  parseGetTypeResponse, type KmpFrame,
} from './index.js';

// Random and mutated frames through every entry point that reads bytes: each either decodes or
// throws a KmpError, never anything else. Seeded, so a failure names its iteration.

const RUNS = 100_000;

const SEEDS: readonly Buffer[] = [
  encodeGetRegisterResponse([
    { rid: 60, unit: 2, value: 12345 }, { rid: 68, unit: 0x28, value: '8794.54' }, { rid: 86, unit: 0x25, value: '-62.74' },
    { rid: 0x80, unit: 0x16, value: '1959120400000000000000000' }, { rid: 1003, unit: 0x30, value: 231204 },
  ]),
  encodeGetSerialNoResponse(0x01234567),
  encodeGetTypeResponse({ meterType: 0x0603, swRevision: 0x0102 }),
  getRegisterRequest([60, 0x80, 0x0d06, 0x1b40]),
  getSerialNoRequest(),
  Buffer.from('403f10001b7f160411012af02463030d', 'hex'),
];
const SPECIAL = [0x06, 0x0d, 0x1b, 0x40, 0x80];

function parseAll(frame: KmpFrame): void {
  if (frame.toMeter) {
    if (frame.cid === 0x10) parseGetRegisterRequest(frame);
    return;
  }
  if (frame.cid === 0x02) parseGetSerialNoResponse(frame);
  else if (frame.cid === 0x01) parseGetTypeResponse(frame);
  else kmpFields(parseGetRegisterResponse({ ...frame, cid: 0x10 }, frame.cid === 0x10 ? undefined : [60, 68, 86, 128, 1003]));
}

describe('fuzz', () => {
  it(`${RUNS} random and mutated frames: every failure is a KmpError`, () => {
    const { next: rnd, int } = createRng(0x1021);
    let decoded = 0;
    let refused = 0;
    const reader = new KmpFrameReader();
    for (let i = 0; i < RUNS; i++) {
      let bytes: Buffer;
      const kind = int(5);
      if (kind === 0) {
        bytes = Buffer.alloc(int(80));
        for (let j = 0; j < bytes.length; j++) bytes[j] = rnd() < 0.2 ? (SPECIAL[int(SPECIAL.length)] as number) : int(256);
      } else {
        bytes = Buffer.from(SEEDS[int(SEEDS.length)] as Buffer);
        for (let m = 1 + int(3); m > 0; m--) {
          const at = int(bytes.length);
          const r = rnd();
          bytes[at] = r < 0.3 ? int(256) : r < 0.6 ? (SPECIAL[int(SPECIAL.length)] as number) : (bytes[at] ?? 0) ^ (1 << int(8));
        }
        if (rnd() < 0.2) bytes = bytes.subarray(0, int(bytes.length + 1));
      }
      if (kind >= 3) {
        // Mutate the data and give it a good CRC, so the parsers behind the CRC get the bytes.
        const seed = decodeKmpFrame(SEEDS[int(SEEDS.length)] as Buffer);
        const data = Buffer.from(seed.data.subarray(0, rnd() < 0.3 ? int(seed.data.length + 1) : seed.data.length));
        for (let m = int(3); m > 0 && data.length > 0; m--) data[int(data.length)] = int(256);
        bytes = encodeKmpFrame({ ...seed, cid: rnd() < 0.1 ? int(256) : seed.cid, data });
      }
      try {
        const frame = decodeKmpFrame(bytes);
        parseAll(frame);
        decoded += 1;
        decodeKmpValue(frame.data, int(frame.data.length + 1));
      } catch (e) {
        if (!(e instanceof KmpError)) throw new Error(`iteration ${i}: ${String(e)} for ${bytes.toString('hex')}`);
        refused += 1;
      }
      // The reader gets the same bytes in two chunks: it never throws, and what it calls a frame decodes.
      const cut = int(bytes.length + 1);
      const events = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut)), ...(rnd() < 0.5 ? reader.flush() : [])];
      for (const ev of events) {
        if ('garbage' in ev && !(ev.error instanceof KmpError)) throw new Error(`iteration ${i}: the reader's garbage without a KmpError`);
        if ('cid' in ev) {
          try {
            parseAll(ev);
          } catch (e) {
            if (!(e instanceof KmpError)) throw new Error(`iteration ${i}: ${String(e)} parsing what the reader gave`);
          }
        }
      }
    }
    expect(decoded).toBeGreaterThan(RUNS / 100);
    expect(refused).toBeGreaterThan(RUNS / 2);
  });
});
