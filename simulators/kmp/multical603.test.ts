import { describe, expect, it } from 'vitest';
import { decodeKmpFrame, encodeGetRegisterResponse, parseGetRegisterResponse } from '../../drivers/kmp/index.js';
import { createRng } from '../../src/lib/prng.js';
import { multical603Model } from './multical603.js';

// The simulated MULTICAL 603's registers: reproducible from the seed, counters that only grow,
// temperatures in bounds, and every register answerable in one GetRegister frame of 8.

const AT = () => new Date('2026-12-04T07:08:09Z');

function registersAfter(seed: number, steps: number) {
  const model = multical603Model(createRng(seed), 67123456, AT);
  for (let i = 0; i < steps; i++) model.step();
  return model.registers();
}

describe('multical603Model', () => {
  it('gives the same registers for the same seed and others for another', () => {
    expect([...registersAfter(5, 10)]).toEqual([...registersAfter(5, 10)]);
    expect(registersAfter(5, 10).get(60)).not.toEqual(registersAfter(6, 10).get(60));
  });

  it('over 1,000 steps: energy, volume and hours never fall, T2 stays below T1, date and time from the clock', () => {
    const model = multical603Model(createRng(9), 1, AT);
    let last = model.registers();
    for (let i = 0; i < 1000; i++) {
      model.step();
      const now = model.registers();
      for (const rid of [60, 63, 68, 97, 110, 1004]) expect(Number(now.get(rid)?.value)).toBeGreaterThanOrEqual(Number(last.get(rid)?.value));
      expect(Number(now.get(87)?.value)).toBeLessThan(Number(now.get(86)?.value));
      last = now;
    }
    expect(last.get(1003)).toEqual({ unit: 0x30, value: 261204 });
    expect(last.get(1002)).toEqual({ unit: 0x2f, value: 70809 });
  });

  it('every register goes through the driver and back unchanged, eight to a frame', () => {
    const regs = [...registersAfter(3, 1)].map(([rid, r]) => ({ rid, ...r }));
    for (let i = 0; i < regs.length; i += 8) {
      const batch = regs.slice(i, i + 8);
      const back = parseGetRegisterResponse(decodeKmpFrame(encodeGetRegisterResponse(batch)), batch.map((r) => r.rid));
      expect(back.map((v) => [v.rid, v.unit, v.value])).toEqual(batch.map((r) => [r.rid, r.unit, Number(r.value)]));
    }
  });
});
