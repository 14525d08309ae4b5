import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/prng.js';
import { vectorsOf } from '../../test/support/protocol-vectors-of.js';
import { IecError } from './errors.js';
import {
  BREAK, IecReader, encodeIdentification, encodeReadout, parseIdentification, parseOptionSelect, parseReadout,
  parseSignOnRequest, readoutFields,
} from './index.js';

const RUNS = 100_000;
const vector = vectorsOf('iec62056-21')[0];
const seeds: Buffer[] = [
  Buffer.from(vector?.input_hex ?? '', 'hex'),
  ...['ack_mode_c_9600', 'ack_mode_e_9600'].map((k) => Buffer.from(String(vector?.expected[k]), 'hex')),
  BREAK,
  encodeIdentification({ manufacturer: 'KAm', baudChar: '6', modeE: true, ident: 'OMNIPOWER' }),
  encodeReadout([
    { id: '1.8.0', value: '0036886.5', unit: 'kWh' }, { id: '32.7.0', value: '230.1', unit: 'V' },
    { id: '1-0:31.7.0*255', value: '1.25', unit: 'A' }, { id: 'C.1.0', value: '12345678' }, { id: '', value: '7' },
  ]),
];

function expectIecError(e: unknown, i: number, bytes: Buffer): void {
  if (!(e instanceof IecError)) throw new Error(`iteration ${i}: ${String(e)} for ${bytes.toString('hex')}`);
}

/** Sets the BCC of a block now and then, so the fuzz reaches the data lines behind it. */
function fixBcc(b: Buffer): void {
  const etx = b.indexOf(0x03, 1);
  if (b[0] !== 0x02 || etx < 0 || etx + 2 !== b.length) return;
  let x = 0;
  for (let i = 1; i <= etx; i++) x ^= b[i] ?? 0;
  b[etx + 1] = x;
}

describe('fuzz', () => {
  it(`${RUNS} random and mutated messages through every parser and IecReader: every failure an IecError`, () => {
    // Seeded, so a failure is reproducible from its iteration number.
    const { next: rnd, int } = createRng(0x6205);
    const reader = new IecReader();
    let parsed = 0;
    let read = 0;
    for (let i = 0; i < RUNS; i++) {
      let bytes: Buffer;
      if (int(5) === 0) {
        bytes = Buffer.alloc(int(48));
        for (let j = 0; j < bytes.length; j++) bytes[j] = rnd() < 0.7 ? 0x20 + int(0x5f) : int(256);
      } else {
        bytes = Buffer.from(seeds[int(seeds.length)] ?? Buffer.alloc(0));
        for (let m = 1 + int(3); m > 0; m--) {
          const at = int(bytes.length);
          bytes[at] = rnd() < 0.5 ? 0x20 + int(0x5f) : (bytes[at] ?? 0) ^ (1 << int(8));
        }
        if (rnd() < 0.2) bytes = bytes.subarray(0, int(bytes.length + 1));
        if (rnd() < 0.6) fixBcc(bytes);
      }
      for (const parse of [parseIdentification, parseOptionSelect, parseSignOnRequest]) {
        try {
          parse(bytes);
          parsed += 1;
        } catch (e) {
          expectIecError(e, i, bytes);
        }
      }
      try {
        const sets = parseReadout(bytes);
        readoutFields(sets);
        // What parses re-encodes and parses to the same data sets.
        expect(parseReadout(encodeReadout(sets))).toEqual(sets);
        parsed += 1;
      } catch (e) {
        expectIecError(e, i, bytes);
      }
      const cut = int(bytes.length + 1);
      for (const item of [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))]) {
        if ('garbage' in item) expectIecError(item.error, i, bytes);
        else read += 1;
      }
    }
    reader.flush();
    expect(parsed).toBeGreaterThan(1000);
    expect(read).toBeGreaterThan(1000);
  });
});
