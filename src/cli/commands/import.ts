import type { Command } from 'commander';
import { cliActor, print, type CliContext } from '../cli-context.js';

/** `openeks import FILE`: the same all-or-nothing import as the API (../import-file.ts). */
export function registerImportCommand(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import devices and keys from a CSV, KEM or KEM2 file (bare or in its ZIP); all or nothing')
    .argument('<file>', 'the file to import')
    .option('--password <password>', 'the KEM/KEM2 password')
    .option('--new-version', 'add a new key version to devices that exist, instead of refusing them')
    .option('--customer <number>', 'customer account (number) of rows that name none, e.g. every row of a KEM file')
    .option('--delivery-date <YYYY-MM-DD>', 'delivery date of the devices (default: today)')
    .action(async (file: string, opts: { password?: string; newVersion?: boolean; customer?: string; deliveryDate?: string }) => {
      const { withContainer } = await import('../with-container.js');
      const { importFile } = await import('../import-file.js');
      await withContainer(ctx.loadSettings(), (c) => importFile(c, { file, ...opts, actor: cliActor(), print: (line) => print(ctx, line) }));
    });
}
