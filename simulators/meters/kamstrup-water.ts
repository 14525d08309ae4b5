import { drift, type Rng } from '../../src/lib/prng.js';
import { encodeCompactRecords, encodeRecords, VIF, type RecordSpec } from '../wmbus/record-encoder.js';
import { encodeKamstrupEll, type RadioAddress } from '../wmbus/telegram-encoders.js';
import type { MeterModel, MeterValues } from './meter-types.js';

// MULTICAL 21 and flowIQ 2200: cold water, C1 with Kamstrup's ELL (AES-128-CTR), full frame laid out
// like the real MULTICAL 21's (02FF20 0413 4413 615B 6167): info codes, total and target volume
// (litres), and the minimum flow and external temperatures (°C, whole degrees, storage 1).

const TARGET_EVERY = 24; // telegrams between target (billing date) snapshots

export function kamstrupWaterModel(rng: Rng, id: string, manufacturer: 'KAM' | 'KAW', version: number): MeterModel {
  const address: RadioAddress = { manufacturer, id, version, deviceType: 0x16 };
  let litres = Math.round(rng.between(10_000, 900_000));
  let target = litres;
  let flowTemp = rng.between(8, 14);
  let extTemp = rng.between(10, 20);
  let n = 0;
  return {
    address,
    corruptOffset: 19,
    step(): MeterValues {
      litres += Math.round(rng.between(0, 40));
      if (n % TARGET_EVERY === 0) target = litres;
      n += 1;
      flowTemp = drift(rng, flowTemp, 0.6, 4, 25);
      extTemp = drift(rng, extTemp, 0.8, 0, 35);
      return {
        status: 0,
        total_m3: litres / 1000,
        target_m3: target / 1000,
        flow_temperature_c: Math.round(flowTemp),
        external_temperature_c: Math.round(extTemp),
      };
    },
    encode(v, key, counter, frame = 'full'): Buffer {
      const specs: RecordSpec[] = [
        { bytes: 2, vif: VIF.kamstrupInfo, value: v.status ?? 0 },
        { bytes: 4, vif: VIF.volumeLitre, value: (v.total_m3 ?? 0) * 1000 },
        { bytes: 4, vif: VIF.volumeLitre, value: (v.target_m3 ?? 0) * 1000, storage: 1 },
        { bytes: 1, vif: VIF.flowTempC, value: v.flow_temperature_c ?? 0, storage: 1, fn: 2 },
        { bytes: 1, vif: VIF.externalTempC, value: v.external_temperature_c ?? 0, storage: 1, fn: 2 },
      ];
      // The real meters send compact frames (CI 0x79) between full ones (0x78) with the same layout.
      const application = frame === 'compact'
        ? Buffer.concat([Buffer.from([0x79]), encodeCompactRecords(specs)])
        : Buffer.concat([Buffer.from([0x78]), encodeRecords(specs)]);
      return encodeKamstrupEll({ address, key, cc: 0x20, acc: counter & 0xff, session: counter, application });
    },
  };
}
