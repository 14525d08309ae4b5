import type { Command } from 'commander';
import { CliFailure, cliActor, print, type CliContext } from '../cli-context.js';

/** Exit codes of `openeks audit verify` (README "Command line"): 2 is a usage error, as for every command. */
export const auditExitCodes = { intact: 0, broken: 1, 'missing-tail': 3, unverifiable: 4 } as const;

/** `openeks audit verify`: reads the database and the anchor file; the chain keys need the vault. */
export function registerAuditCommand(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check the audit chain (MACs, links, anchors); exit 1 broken, 3 newest records removed, 4 cannot verify (vault sealed)')
    .action(async () => {
      const { openDatabase } = await import('../../core/db/database.js');
      const { withAuditTrail } = await import('../audit-trail.js');
      const { chainState } = await import('../../core/modules/audit/audit-trail-service.js');
      const { systemPrincipal } = await import('../../core/access/principal.js');
      const settings = ctx.loadSettings();
      const db = openDatabase(settings.secrets.databaseUrl.reveal(), { warn: (message) => ctx.err.write(`warning: ${message}\n`) });
      try {
        await withAuditTrail(db, settings, async (trail, vault) => {
          const verdict = await trail.verify({ principal: systemPrincipal, actor: cliActor() });
          const state = chainState(verdict);
          if (!verdict.ok) {
            const because = state === 'unverifiable' && vault?.sealed ? ` (the key vault is sealed: ${vault.reason ?? vault.label})` : '';
            const head = state === 'unverifiable' ? 'audit trail NOT VERIFIED' : `audit trail BROKEN after ${verdict.records} good records`;
            throw new CliFailure(`${head}: ${verdict.message}${because}`, auditExitCodes[state]);
          }
          const anchor = verdict.anchor === undefined ? 'no anchor yet' : `newest anchor: record ${verdict.anchor.seq} at ${verdict.anchor.at} (instance ${verdict.anchor.instance})`;
          print(ctx, `audit trail intact: ${verdict.records} records (${verdict.keyed} keyed), head ${verdict.head}; ${anchor}`);
          for (const warning of verdict.warnings) ctx.err.write(`warning: ${warning}\n`);
        });
      } finally {
        await db.close();
      }
    });
}
