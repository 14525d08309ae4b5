import { writeFile } from 'node:fs/promises';
import { BenchConfigError, loadBenchConfig } from '../../simulators/bench-config.js';
import { startBench } from '../../simulators/bench.js';
import { kemFile, keysCsv } from '../../simulators/key-export.js';
import { CliFailure } from './cli-context.js';

// `openeks simulate --config config/bench.yaml [--write-keys keys.csv] [--write-kem F --kem-password P]`:
// starts the simulated receiver stick with its meters and prints where to connect.

export interface SimulateInput {
  config: string;
  writeKeys?: string;
  writeKem?: string;
  kemPassword?: string;
  /** Stop after this many seconds (default: run until interrupted). */
  seconds?: string;
  write(line: string): void;
}

export async function simulate(input: SimulateInput): Promise<void> {
  if ((input.writeKem === undefined) !== (input.kemPassword === undefined)) throw new CliFailure('--write-kem and --kem-password go together', 2);
  if (input.kemPassword !== undefined && (Buffer.byteLength(input.kemPassword) < 1 || Buffer.byteLength(input.kemPassword) > 16)) {
    throw new CliFailure('--kem-password must be 1 to 16 bytes', 2);
  }
  const seconds = input.seconds === undefined ? Infinity : Number(input.seconds);
  if (seconds !== Infinity && !(seconds > 0 && seconds <= 31_536_000)) throw new CliFailure('--seconds must be a positive number', 2);
  let config;
  try {
    config = await loadBenchConfig(input.config);
  } catch (e) {
    if (e instanceof BenchConfigError) throw new CliFailure(`${input.config}: ${e.message}`, 2);
    throw new CliFailure(`--config: cannot read "${input.config}"`, 2);
  }
  if (input.writeKeys !== undefined) {
    await writeFile(input.writeKeys, keysCsv(config.meters), { mode: 0o600 });
    input.write(`keys written to ${input.writeKeys} (import CSV, ${config.meters.length} meters)`);
  }
  if (input.writeKem !== undefined && input.kemPassword !== undefined) {
    await writeFile(input.writeKem, kemFile(config.meters, input.kemPassword), { mode: 0o600 });
    input.write(`keys written to ${input.writeKem} (KEM)`);
  }
  const bench = await startBench(config);
  input.write(`simulated ${config.stick} with ${bench.meters.length} meters on ${bench.link}`);
  input.write(`read it with: openeks wmbus listen --link ${bench.link} --stick ${config.stick}${input.writeKeys ? ` --keys ${input.writeKeys}` : ''}`);
  try {
    await new Promise<void>((resolve) => {
      if (seconds !== Infinity) setTimeout(resolve, seconds * 1000);
    });
  } finally {
    await bench.close();
  }
}
