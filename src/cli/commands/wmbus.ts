import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';

/**
 * `openeks wmbus decode` and `wmbus listen`: drivers and links only, no configuration and no
 * database. `listen` is long-running and kept small, which is why every command keeps its
 * imports inside its action (../README.md).
 */
export function registerWmbusCommand(program: Command, ctx: CliContext): void {
  const wmbus = program.command('wmbus').description('Wireless M-Bus telegrams (no database needed)');
  wmbus
    .command('decode')
    .description('decode one telegram (hex: L-field + telegram without DLL CRCs): header, then the meter values')
    .argument('<hex>', 'the telegram in hex')
    .option('--key <hex>', "the meter's AES-128 key, 32 hex digits")
    .option('--json', 'print one JSON object')
    .action(async (telegram: string, opts: { key?: string; json?: boolean }) => {
      const { wmbusDecode } = await import('../wmbus-decode.js');
      for (const line of wmbusDecode({ telegram, ...opts })) print(ctx, line);
    });
  wmbus
    .command('listen')
    .description('print every telegram a receiver stick hears; with --keys, the decrypted values')
    .requiredOption('--link <device|tcp://host:port>', 'the serial device or TCP socket of the stick')
    .requiredOption('--stick <name>', 'im871a, iu891a, amb8465, cul or rtlwmbus')
    .option('--keys <file.csv>', 'keys in the import CSV format')
    .option('--json', 'one JSON object per telegram')
    .option('--count <n>', 'stop after n telegrams')
    .action(async (opts: { link: string; stick: string; keys?: string; json?: boolean; count?: string }) => {
      const { wmbusListen } = await import('../wmbus-listen.js');
      await wmbusListen({ ...opts, write: (line) => print(ctx, line), writeStatus: (line) => ctx.err.write(`${line}\n`) });
    });
}
