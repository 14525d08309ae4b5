import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';

/** `openeks grants list`: the devices an e-mail may read. */
export function registerGrantsCommand(program: Command, ctx: CliContext): void {
  const grants = program.command('grants').description('read rights');
  grants
    .command('list')
    .description('the devices the account with this e-mail may read (by serial), since when and granted by whom')
    .requiredOption('--email <email>', "the reader's e-mail address")
    .action(async (opts: { email: string }) => {
      const { withContainer } = await import('../with-container.js');
      const { listCommand } = await import('../grants-cli.js');
      await withContainer(ctx.loadSettings(), async (c) => {
        for (const line of await listCommand(c, opts.email)) print(ctx, line);
      });
    });
}
