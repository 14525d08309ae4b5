import type { Command } from 'commander';
import { print, type CliContext } from '../cli-context.js';

/** `openeks migrate`: the schema only, without the container (no vault, no mail). */
export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(async () => {
      const { openDatabase } = await import('../../core/db/database.js');
      const { migrateToLatest } = await import('../../core/db/migrate.js');
      const db = openDatabase(ctx.loadSettings().secrets.databaseUrl.reveal(), { warn: (message) => ctx.err.write(`warning: ${message}\n`) });
      try {
        const applied = await migrateToLatest(db);
        print(ctx, applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      } finally {
        await db.close();
      }
    });
}
