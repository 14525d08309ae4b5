import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';

/** `openeks tokens list` and `openeks tokens revoke ID`: API tokens, for operators on the server. */
export function registerTokensCommand(program: Command, ctx: CliContext): void {
  const tokens = program.command('tokens').description('API tokens (docs/api-tokens.md)');
  tokens
    .command('list')
    .description('every API token, newest first: id, e-mail, name, kind, status, expiry, filter, last use (never the token)')
    .option('--active', 'only tokens that are neither revoked nor expired')
    .action(async (opts: { active?: boolean }) => {
      const { withContainer } = await import('../with-container.js');
      const { listTokensCommand } = await import('../tokens-cli.js');
      await withContainer(ctx.loadSettings(), async (c) => {
        for (const line of await listTokensCommand(c, { activeOnly: opts.active === true })) print(ctx, line);
      });
    });
  tokens
    .command('revoke')
    .description('revoke an API token by its id; its next request is refused (audited as token.revoke)')
    .argument('<id>', 'the token id (tok_…), as `openeks tokens list` shows it')
    .action(async (id: string) => {
      const { withContainer } = await import('../with-container.js');
      const { revokeTokenCommand } = await import('../tokens-cli.js');
      await withContainer(ctx.loadSettings(), async (c) => print(ctx, await revokeTokenCommand(c, id)));
    });
}
