import type { Command } from 'commander';
import { CliFailure, cliActor, print, type CliContext } from '../cli-context.js';

/** `openeks operator create`: the way in for the first operator, and for more from a shell. */
export function registerOperatorCommand(program: Command, ctx: CliContext): void {
  const operator = program.command('operator').description('manage operators');
  operator
    .command('create')
    .description('create an operator and print a one-time link to set the password')
    .requiredOption('--email <email>', "the operator's e-mail address")
    .option('--language <de|en>', 'language of the mail', 'en')
    .action(async (opts: { email: string; language: string }) => {
      if (!/^[^\s@]{1,64}@[^\s@]{1,253}$/.test(opts.email)) throw new CliFailure(`--email: "${opts.email}" is not an e-mail address`);
      if (opts.language !== 'de' && opts.language !== 'en') throw new CliFailure('--language must be de or en');
      const language = opts.language;
      const { withContainer } = await import('../with-container.js');
      const { systemPrincipal } = await import('../../core/access/principal.js');
      await withContainer(ctx.loadSettings(), async (c) => {
        const setup = await c.operatorSetup.createOperator({ principal: systemPrincipal, actor: cliActor(), email: opts.email, language });
        await c.mailDeliverer.deliverDue();
        print(ctx, `Operator ${opts.email.toLowerCase()} created. One-time link to set the password (valid until ${setup.expiresAt}):`);
        print(ctx, setup.link);
      });
    });
}
