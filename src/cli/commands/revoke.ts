import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `openeks revoke`: remove read rights of an e-mail, on a selection or (without one) everywhere. */
export function registerRevokeCommand(program: Command, ctx: CliContext): void {
  program
    .command('revoke')
    .description("revoke a reader's read rights on a filter or a list of serials, or without either on every device")
    .requiredOption('--email <email>', "the reader's e-mail address")
    .option('--filter <key=value>', 'a device list filter (repeatable), as for grant', collect)
    .option('--serials <file>', 'a file with one SERIAL or MANUFACTURER SERIAL a line')
    .action(async (opts: { email: string; filter?: string[]; serials?: string }) => {
      const { withContainer } = await import('../with-container.js');
      const { revokeCommand } = await import('../grants-cli.js');
      await withContainer(ctx.loadSettings(), async (c) => print(ctx, await revokeCommand(c, opts.email, opts)));
    });
}
