import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';

/**
 * `openeks kmp read`: a Kamstrup meter on an optical eye (KMP), no configuration and no database.
 * The work is imported inside the action (../README.md).
 */
export function registerKmpCommand(program: Command, ctx: CliContext): void {
  const kmp = program.command('kmp').description('Kamstrup meters on the optical eye, KMP (no database needed)');
  kmp
    .command('read')
    .description("read a meter's serial number, type and registers over an optical head (1200 baud 8N2)")
    .requiredOption('--link <device|tcp://host:port>', 'the serial device of the optical head, or a TCP socket in front of it')
    .option('--registers <ids>', 'register ids, comma-separated (default: the ten heat meter registers 60,63,68,74,80,86,87,89,99,1004)')
    .option('--timeout <ms>', 'milliseconds without an answer before a request is given up (default 2000)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { link: string; registers?: string; timeout?: string; json?: boolean }) => {
      const { kmpRead } = await import('../kmp-read.js');
      for (const line of await kmpRead(opts)) print(ctx, line);
    });
}
