import type { Command } from 'commander';
import { cliActor, print, type CliContext } from '../cli-context.js';

/** `openeks master-key rotate` (docs/crypto.md: rotation). */
export function registerMasterKeyCommand(program: Command, ctx: CliContext): void {
  program
    .command('master-key')
    .description('manage the master key')
    .command('rotate')
    .description('create a new master key / key-encryption key version and rewrap every data key online')
    .action(async () => {
      const { withContainer } = await import('../with-container.js');
      const { rotateMasterKey } = await import('../master-key-rotate.js');
      await withContainer(ctx.loadSettings(), async (c) => {
        for (const line of await rotateMasterKey(c, cliActor())) print(ctx, line);
      });
    });
}
