import type { Command } from 'commander';
import { cliActor, print, type CliContext } from '../cli-context.js';

/** `openeks check-telegram HEX`: the telegram check of the API against the stored keys (../check-telegram.ts). */
export function registerCheckTelegramCommand(program: Command, ctx: CliContext): void {
  program
    .command('check-telegram')
    .description("check a wireless M-Bus telegram against its device's stored key; exit 0 only when it decrypts")
    .argument('<hex>', 'the telegram in hex (L-field first, link-layer CRCs removed or kept)')
    .option('--json', 'print one JSON object')
    .action(async (telegram: string, opts: { json?: boolean }) => {
      const { withContainer } = await import('../with-container.js');
      const { checkTelegram } = await import('../check-telegram.js');
      await withContainer(ctx.loadSettings(), (c) => checkTelegram(c, { telegram, ...opts, actor: cliActor(), print: (line) => print(ctx, line) }));
    });
}
