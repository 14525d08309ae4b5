import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliFailure, cliActor, print, type CliContext } from '../cli-context.js';

/**
 * `openeks mail list`: the outbox, the way to read mail when none is sent (the development
 * default). The database keeps no body; `--body` reads each mail's .eml file in the outbox
 * folder, which only whoever runs the server can read — never the API (issue 11, item 2).
 */
export function registerMailCommand(program: Command, ctx: CliContext): void {
  const mail = program.command('mail').description('outgoing mail');
  mail
    .command('list')
    .description('list the outbox, newest first')
    .option('--limit <n>', 'how many', '20')
    .option('--body', 'print the plain-text bodies too, from the outbox folder')
    .action(async (opts: { limit: string; body?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliFailure('--limit must be a whole number from 1 to 1000');
      const { withContainer } = await import('../with-container.js');
      const { systemPrincipal } = await import('../../core/access/principal.js');
      const { readOutboxText } = await import('../../core/modules/mail/outbox-folder.js');
      await withContainer(ctx.loadSettings(), async (c) => {
        const folder = c.outboxFolder;
        if (folder !== undefined) print(ctx, `development outbox: ${resolve(folder)} (one .eml file per mail, readable only by this user)`);
        else if (opts.body) print(ctx, 'mail goes over SMTP: its bodies leave with it and are not kept');
        const page = await c.outbox.list({ principal: systemPrincipal, actor: cliActor(), limit });
        if (page.items.length === 0) print(ctx, 'the outbox is empty');
        for (const m of page.items) {
          print(ctx, `${m.created_at}  ${m.status.padEnd(7)}  ${m.recipient}  ${m.subject}`);
          if (!opts.body || folder === undefined) continue;
          const text = await readOutboxText(folder, m.id);
          print(ctx, text === null ? `    (not in the outbox folder${m.status === 'pending' ? ' yet' : ''})\n` : `${text.replace(/^/gm, '    ')}\n`);
        }
      });
    });
}
