import type { Rng } from '../../src/lib/prng.js';
import { encodeRecords, VIF } from '../wmbus/record-encoder.js';
import { encodeOmsMode5, type RadioAddress } from '../wmbus/telegram-encoders.js';
import type { MeterModel, MeterValues } from './meter-types.js';

// A generic OMS water meter: T1, CI 0x7A short header, security mode 5; total volume in litres.

export function omsWaterModel(rng: Rng, id: string, manufacturer: string): MeterModel {
  const address: RadioAddress = { manufacturer, id, version: 0x01, deviceType: 0x07 };
  let litres = Math.round(rng.between(1_000, 500_000));
  return {
    address,
    corruptOffset: 15,
    step(): MeterValues {
      litres += Math.round(rng.between(0, 30));
      return { total_m3: litres / 1000 };
    },
    encode(v, key, counter): Buffer {
      const records = encodeRecords([{ bytes: 4, vif: VIF.volumeLitre, value: (v.total_m3 ?? 0) * 1000 }]);
      return encodeOmsMode5({ address, key, acc: counter & 0xff, status: 0, records });
    },
  };
}
