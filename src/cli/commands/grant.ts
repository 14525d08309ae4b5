import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `openeks grant`: read rights for an e-mail on a filter or a list of serials (docs/grants.md). */
export function registerGrantCommand(program: Command, ctx: CliContext): void {
  program
    .command('grant')
    .description('assign read rights on devices to an e-mail; an address without an account is invited')
    .requiredOption('--email <email>', "the reader's e-mail address")
    .option('--filter <key=value>', 'a device list filter (repeatable): serial, serialFrom, serialTo, manufacturer, kind, medium, model, orderNo, deliveryNote, customerNo, deliveredFrom, deliveredTo', collect)
    .option('--serials <file>', 'a file with one SERIAL or MANUFACTURER SERIAL a line')
    .action(async (opts: { email: string; filter?: string[]; serials?: string }) => {
      const { withContainer } = await import('../with-container.js');
      const { grantCommand } = await import('../grants-cli.js');
      await withContainer(ctx.loadSettings(), async (c) => print(ctx, await grantCommand(c, opts.email, opts)));
    });
}
