import { drift, type Rng } from '../../src/lib/prng.js';
import { encodeRecords, VIF } from '../wmbus/record-encoder.js';
import { encodeKamstrupEll, type RadioAddress } from '../wmbus/telegram-encoders.js';
import type { MeterModel, MeterValues } from './meter-types.js';

// MULTICAL 403: heat, C1 with Kamstrup's ELL. Energy in kWh, volume in 10 L steps, flow and return
// temperature in 0.01 °C; the return stays below the flow.

export function multical403Model(rng: Rng, id: string): MeterModel {
  const address: RadioAddress = { manufacturer: 'KAM', id, version: 0x34, deviceType: 0x04 };
  let kwh = Math.round(rng.between(1_000, 50_000));
  let dal = Math.round(rng.between(1_000, 90_000)); // 10-litre units
  let flow = rng.between(55, 70);
  let ret = flow - rng.between(15, 25);
  return {
    address,
    corruptOffset: 19,
    step(): MeterValues {
      kwh += Math.round(rng.between(0, 4));
      dal += Math.round(rng.between(0, 8));
      flow = drift(rng, flow, 0.5, 40, 80);
      ret = Math.min(flow - 5, drift(rng, ret, 0.5, 25, 60));
      return {
        status: 0,
        total_energy_consumption_kwh: kwh,
        total_volume_m3: dal / 100,
        t1_temperature_c: Math.round(flow * 100) / 100,
        t2_temperature_c: Math.round(ret * 100) / 100,
      };
    },
    encode(v, key, counter): Buffer {
      const records = encodeRecords([
        { bytes: 2, vif: VIF.kamstrupInfo, value: v.status ?? 0 },
        { bytes: 4, vif: VIF.energyKwh, value: v.total_energy_consumption_kwh ?? 0 },
        { bytes: 4, vif: VIF.volume10Litre, value: (v.total_volume_m3 ?? 0) * 100 },
        { bytes: 2, vif: VIF.flowTemp001C, value: (v.t1_temperature_c ?? 0) * 100 },
        { bytes: 2, vif: VIF.returnTemp001C, value: (v.t2_temperature_c ?? 0) * 100 },
      ]);
      return encodeKamstrupEll({ address, key, cc: 0x20, acc: counter & 0xff, session: counter, application: Buffer.concat([Buffer.from([0x78]), records]) });
    },
  };
}
