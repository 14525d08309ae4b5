import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';

/** `openeks simulate`: a bench of simulated meters behind a simulated stick, KMP and DLMS meters, a concentrator (../simulate.ts). */
export function registerSimulateCommand(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .description('start a simulated bench: a wM-Bus receiver stick hearing simulated meters, KMP and DLMS meters on their own pseudo-terminals, and a concentrator reading DLMS meters with keys from a core')
    .requiredOption('--config <file>', 'the bench configuration, e.g. config/bench.yaml')
    .option('--write-keys <file.csv>', "write the meters' keys in the import CSV format (DLMS meters: a GUEK and a GAK row)")
    .option('--write-kem <file.kem>', "write the meters' keys as a KEM file (needs --kem-password)")
    .option('--kem-password <password>', 'the KEM password, at most 16 bytes')
    .option('--seconds <n>', 'stop after n seconds')
    .action(async (opts: { config: string; writeKeys?: string; writeKem?: string; kemPassword?: string; seconds?: string }) => {
      const { simulate } = await import('../simulate.js');
      await simulate({ ...opts, write: (line) => print(ctx, line) });
    });
}
