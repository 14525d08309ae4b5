import { createRng, drift } from '../../src/lib/prng.js';

// The OMNIPOWER-like meter's registers: what a GET, the mode C readout and the HAN push all show,
// from one seeded state. Energy only grows (by the power over the time a step stands for), power,
// voltage and current drift within bounds. The same seed and the same number of steps give the same
// values, whatever asks for them.

/** One COSEM register (class 3): the raw integer the meter stores, its scaler and DLMS unit. */
export interface OmnipowerRegister {
  /** OBIS as '1-0:1.8.0.255'. */
  obis: string;
  /** The short form the IEC 62056-21 readout uses ('1.8.0'). */
  short: string;
  /** A-XDR type of attribute 2. */
  type: 'uint32' | 'uint16';
  scaler: number;
  /** DLMS unit: 27 W, 30 Wh, 32 varh, 33 A, 35 V. */
  unit: number;
  /** The readout's unit, and `raw / divisor` in it with that many decimals (Wh → kWh, 0.1 V → V). */
  readout: { unit: string; divisor: number; decimals: number };
  raw: number;
}

/** The registers in the order the push and the readout list them. */
const LAYOUT: ReadonlyArray<Omit<OmnipowerRegister, 'raw'>> = [
  { obis: '1-0:1.8.0.255', short: '1.8.0', type: 'uint32', scaler: 0, unit: 30, readout: { unit: 'kWh', divisor: 1000, decimals: 3 } },
  { obis: '1-0:2.8.0.255', short: '2.8.0', type: 'uint32', scaler: 0, unit: 30, readout: { unit: 'kWh', divisor: 1000, decimals: 3 } },
  { obis: '1-0:3.8.0.255', short: '3.8.0', type: 'uint32', scaler: 0, unit: 32, readout: { unit: 'kvarh', divisor: 1000, decimals: 3 } },
  { obis: '1-0:1.7.0.255', short: '1.7.0', type: 'uint32', scaler: 0, unit: 27, readout: { unit: 'kW', divisor: 1000, decimals: 3 } },
  { obis: '1-0:2.7.0.255', short: '2.7.0', type: 'uint32', scaler: 0, unit: 27, readout: { unit: 'kW', divisor: 1000, decimals: 3 } },
  { obis: '1-0:32.7.0.255', short: '32.7.0', type: 'uint16', scaler: -1, unit: 35, readout: { unit: 'V', divisor: 10, decimals: 1 } },
  { obis: '1-0:52.7.0.255', short: '52.7.0', type: 'uint16', scaler: -1, unit: 35, readout: { unit: 'V', divisor: 10, decimals: 1 } },
  { obis: '1-0:72.7.0.255', short: '72.7.0', type: 'uint16', scaler: -1, unit: 35, readout: { unit: 'V', divisor: 10, decimals: 1 } },
  { obis: '1-0:31.7.0.255', short: '31.7.0', type: 'uint16', scaler: -2, unit: 33, readout: { unit: 'A', divisor: 100, decimals: 2 } },
  { obis: '1-0:51.7.0.255', short: '51.7.0', type: 'uint16', scaler: -2, unit: 33, readout: { unit: 'A', divisor: 100, decimals: 2 } },
  { obis: '1-0:71.7.0.255', short: '71.7.0', type: 'uint16', scaler: -2, unit: 33, readout: { unit: 'A', divisor: 100, decimals: 2 } },
];

export const OMNIPOWER_OBIS: readonly string[] = LAYOUT.map((r) => r.obis);

export interface OmnipowerState {
  /** Advances by one step of `seconds` (energy grows by the power over that time) and returns the registers. */
  step(seconds: number): OmnipowerRegister[];
  /** The registers as they stand. */
  registers(): OmnipowerRegister[];
  /** The load profile: energy import at each of the last 96 steps, newest last (long: a GET of it needs blocks). */
  profile(): ReadonlyArray<{ at: Date; importWh: number }>;
}

const PROFILE_MAX = 96;

export function createOmnipowerState(seed: number, now: () => Date = () => new Date()): OmnipowerState {
  const rng = createRng(seed);
  let importWh = Math.round(rng.between(1_000_000, 40_000_000));
  let exportWh = Math.round(rng.between(0, 2_000_000));
  let reactiveVarh = Math.round(rng.between(100_000, 4_000_000));
  let importW = rng.between(300, 4_000);
  let exportW = 0;
  const volts = [rng.between(226, 234), rng.between(226, 234), rng.between(226, 234)];
  const history: Array<{ at: Date; importWh: number }> = [];
  // Pre-fill the profile, so a GET of it is long from the first association on.
  const start = now().getTime();
  for (let i = PROFILE_MAX; i > 0; i -= 1) history.push({ at: new Date(start - i * 15 * 60_000), importWh: importWh - i * 250 });

  const raws = (): number[] => {
    const amps = volts.map((v) => (importW + exportW) / 3 / v);
    return [importWh, exportWh, reactiveVarh, importW, exportW, ...volts.map((v) => v * 10), ...amps.map((a) => a * 100)].map((x) => Math.round(x));
  };
  const registers = (): OmnipowerRegister[] => {
    const values = raws();
    return LAYOUT.map((r, i) => ({ ...r, raw: values[i] ?? 0 }));
  };
  return {
    step(seconds) {
      importW = drift(rng, importW, 150, 50, 11_000);
      // Now and then the roof sends power back; the meter then imports nothing.
      exportW = rng.next() < 0.2 ? Math.round(rng.between(0, 3_000)) : 0;
      for (let i = 0; i < volts.length; i += 1) volts[i] = drift(rng, volts[i] ?? 230, 0.8, 215, 245);
      importWh += Math.round((importW * seconds) / 3600);
      exportWh += Math.round((exportW * seconds) / 3600);
      reactiveVarh += Math.round((importW * 0.1 * seconds) / 3600);
      history.push({ at: now(), importWh });
      if (history.length > PROFILE_MAX) history.shift();
      return registers();
    },
    registers,
    profile: () => history,
  };
}

/** The register as the readout shows it: `1.8.0(0012345.678*kWh)`'s value and unit. */
export function readoutValue(r: OmnipowerRegister): { value: string; unit: string } {
  const digits = r.readout.decimals;
  const [whole = '0', frac = ''] = (r.raw / r.readout.divisor).toFixed(digits).split('.');
  return { value: `${whole.padStart(7, '0')}${digits > 0 ? `.${frac}` : ''}`, unit: r.readout.unit };
}
