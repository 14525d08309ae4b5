import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BenchConfigError, loadBenchConfig } from '../../simulators/bench-config.js';
import { pullMeterLines, startBench } from '../../simulators/bench.js';
import { createConcentrator, type Concentrator, type ConcentratorEvent } from '../../simulators/concentrator/concentrator.js';
import { kemFile, keysCsv } from '../../simulators/key-export.js';
import { CliFailure } from './cli-context.js';

// `openeks simulate --config config/bench.yaml [--write-keys keys.csv] [--write-kem F --kem-password P]`:
// starts the simulated receiver stick with its meters, the KMP and DLMS meters on their own
// pseudo-terminals and, when configured, the concentrator, and prints where to connect. The
// concentrator's readings and what keeps it from reading are printed as JSON lines.

/** One JSON line per concentrator event; never a key (the events carry none). */
export function concentratorLine(e: ConcentratorEvent): string {
  const { kind, ...rest } = e;
  return JSON.stringify({ concentrator: kind, ...('reading' in rest ? rest.reading : rest) });
}

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
  const devices = config.meters.length + (config.kmp?.length ?? 0) + (config.dlms?.length ?? 0);
  if (input.writeKeys !== undefined) {
    await writeFile(input.writeKeys, keysCsv(config.meters, config), { mode: 0o600 });
    input.write(`keys written to ${input.writeKeys} (import CSV, ${devices} meters)`);
  }
  if (input.writeKem !== undefined && input.kemPassword !== undefined) {
    await writeFile(input.writeKem, kemFile(config.meters, input.kemPassword, undefined, config.kmp), { mode: 0o600 });
    input.write(`keys written to ${input.writeKem} (KEM: the DEKs; the DLMS meters' GUEK and GAK are in the CSV only)`);
  }
  const bench = await startBench(config);
  let concentrator: Concentrator | undefined;
  try {
    input.write(`simulated ${config.stick} with ${bench.meters.length} meters on ${bench.link}`);
    input.write(`read it with: openeks wmbus listen --link ${bench.link} --stick ${config.stick}${input.writeKeys ? ` --keys ${input.writeKeys}` : ''}`);
    for (const line of pullMeterLines(bench)) input.write(line);
    const c = config.concentrator;
    if (c !== undefined) {
      // The token file is found beside the bench configuration, like every path in it.
      const tokenFile = resolve(dirname(input.config), c.tokenFile);
      const reached = c.meters.map((serial) => {
        const m = bench.dlms.find((d) => d.serial === serial);
        if (m === undefined) throw new CliFailure(`concentrator: no DLMS meter ${serial} running`, 2);
        return { serial, target: { kind: 'serial' as const, path: m.devicePath }, modeE: config.dlms?.find((d) => d.serial === serial)?.modeE ?? true };
      });
      concentrator = createConcentrator({
        coreUrl: c.coreUrl,
        token: () => readFile(tokenFile, 'utf8'),
        meters: reached,
        syncSeconds: c.syncSeconds,
        pollSeconds: c.pollSeconds,
        onEvent: (e) => input.write(concentratorLine(e)),
      });
      input.write(`concentrator: reads ${c.meters.join(', ')} with keys from ${c.coreUrl} (token from ${tokenFile})`);
      concentrator.start();
    }
    await new Promise<void>((resolve) => {
      if (seconds !== Infinity) setTimeout(resolve, seconds * 1000);
    });
  } finally {
    await concentrator?.close();
    await bench.close();
  }
}
