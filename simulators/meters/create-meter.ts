import { createRng, type Rng } from '../../src/lib/prng.js';
import { kamstrupWaterModel } from './kamstrup-water.js';
import { multical403Model } from './multical403.js';
import { omsWaterModel } from './oms-water.js';
import type { MeterConfig, MeterModel, SimulatedMeter } from './meter-types.js';

function model(c: MeterConfig, rng: Rng): MeterModel {
  switch (c.kind) {
    case 'multical21':
      return kamstrupWaterModel(rng, c.id, 'KAM', 0x1b);
    case 'flowiq2200':
      return kamstrupWaterModel(rng, c.id, 'KAW', 0x3a);
    case 'multical403':
      return multical403Model(rng, c.id);
    case 'oms-water':
      return omsWaterModel(rng, c.id, c.manufacturer ?? 'DME');
  }
}

/** A simulated meter; the same config and seed give the same telegrams. */
export function createMeter(c: MeterConfig, seed: number): SimulatedMeter {
  if (!/^[0-9a-fA-F]{32}$/.test(c.key)) throw new Error(`meter ${c.id}: the key must be 32 hex digits`);
  const corruptShare = c.corruptShare ?? 0;
  if (!(corruptShare >= 0 && corruptShare <= 1)) throw new Error(`meter ${c.id}: corruptShare must be within 0…1`);
  if (!(c.intervalSeconds > 0)) throw new Error(`meter ${c.id}: intervalSeconds must be positive`);
  const rng = createRng(seed);
  const m = model(c, rng);
  const key = Buffer.from(c.key, 'hex');
  let counter = rng.int(0x10000);
  return {
    kind: c.kind,
    address: m.address,
    key,
    intervalMs: Math.round(c.intervalSeconds * 1000),
    next(opts = {}) {
      counter += 1;
      const values = m.step();
      const telegram = m.encode(values, key, counter, opts.frame);
      const corrupt = corruptShare > 0 && rng.next() < corruptShare;
      if (corrupt) telegram[m.corruptOffset] = (telegram[m.corruptOffset] ?? 0) ^ 0x5a;
      return { telegram, values, corrupt };
    },
  };
}
