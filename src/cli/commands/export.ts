import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';
import type { ExportOptions } from '../export-file.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `openeks export`: download the active keys of the devices a filter selects (docs/downloads.md). */
export function registerExportCommand(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('write the active keys of the selected devices to a file (kem, kem2, csv, wmbusmeters, json), signed; every device audited before it leaves')
    .requiredOption('--format <format>', 'kem, kem2, csv, wmbusmeters or json')
    .requiredOption('--out <file>', 'where to write the file')
    .option('--password <password>', 'KEM/KEM2: the password (1 to 16 bytes of UTF-8)')
    .option('--password-file <file>', 'KEM/KEM2: read the password from this file (its first line)')
    .option('--openpgp-key <file>', 'encrypt the file to this OpenPGP public key')
    .option('--customer <number>', 'only devices of this customer account')
    .option('--serial <serial>', 'a serial, or a prefix with a trailing *')
    .option('--serial-from <serial>', 'serials from this one on')
    .option('--serial-to <serial>', 'serials up to this one')
    .option('--manufacturer <code>', '3-letter manufacturer code')
    .option('--kind <kind>', 'meter or concentrator')
    .option('--medium <medium>', 'the medium, e.g. water-cold, heat')
    .option('--model <model>', 'the model')
    .option('--order <number>', 'the order number')
    .option('--delivery-note <number>', 'the delivery note')
    .option('--delivered-from <YYYY-MM-DD>', 'delivered on or after')
    .option('--delivered-to <YYYY-MM-DD>', 'delivered on or before')
    .option('--filter <key=value>', 'any other device list filter (repeatable)', collect)
    .action(async (opts: ExportOptions) => {
      const { withContainer } = await import('../with-container.js');
      const { exportCommand } = await import('../export-file.js');
      await withContainer(ctx.loadSettings(), async (c) => {
        for (const line of await exportCommand(c, opts)) print(ctx, line);
      });
    });
}
