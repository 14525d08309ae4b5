import type { Command } from 'commander';
import { CliFailure, cliActor, print, type CliContext } from '../cli-context.js';

/** `openeks audit verify`: reads the database directly, so it works even with a sealed vault. */
export function registerAuditCommand(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check the hash chain of the audit trail; exits 1 at the first broken record')
    .action(async () => {
      const { openDatabase } = await import('../../core/db/database.js');
      const { openAuditTrail } = await import('../audit-trail.js');
      const { systemPrincipal } = await import('../../core/access/principal.js');
      const db = openDatabase(ctx.loadSettings().secrets.databaseUrl.reveal(), { warn: (message) => ctx.err.write(`warning: ${message}\n`) });
      try {
        const verdict = await openAuditTrail(db).verify({ principal: systemPrincipal, actor: cliActor() });
        if (!verdict.ok) throw new CliFailure(`audit trail BROKEN after ${verdict.records} good records: ${verdict.message}`);
        print(ctx, `audit trail intact: ${verdict.records} records, head ${verdict.head}`);
      } finally {
        await db.close();
      }
    });
}
