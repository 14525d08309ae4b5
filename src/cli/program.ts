import { Command, CommanderError } from 'commander';
import type { Settings } from '../lib/config.js';
import type { CliContext } from './cli-context.js';
import { reportFailure } from './cli-errors.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerCheckTelegramCommand } from './commands/check-telegram.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDlmsCommand } from './commands/dlms.js';
import { registerExportCommand } from './commands/export.js';
import { registerGatewayCommand } from './commands/gateway.js';
import { registerGrantCommand } from './commands/grant.js';
import { registerGrantsCommand } from './commands/grants.js';
import { registerImportCommand } from './commands/import.js';
import { registerKmpCommand } from './commands/kmp.js';
import { registerMailCommand } from './commands/mail.js';
import { registerMasterKeyCommand } from './commands/master-key.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerOperatorCommand } from './commands/operator.js';
import { registerRevokeCommand } from './commands/revoke.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { registerTokensCommand } from './commands/tokens.js';
import { registerWmbusCommand } from './commands/wmbus.js';

// Assembles the commands (one file each in commands/, see README.md here) in the order
// `openeks --help` lists them. Every command imports its implementation inside its action, so
// `openeks wmbus listen` loads the driver, stick and link modules only, not the EKS core.

/** What the command line asks of src/main.ts: exit with this code, or serve with these settings. */
export type CliOutcome = { exitCode: number } | { serve: Settings };

function buildProgram(ctx: CliContext, serve: (settings: Settings) => void): Command {
  const program = new Command('openeks')
    .description('openeks — the open Encryption Key Service and meter gateway')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out.write(s), writeErr: (s) => ctx.err.write(s) });
  registerServeCommand(program, ctx, serve);
  registerMigrateCommand(program, ctx);
  registerOperatorCommand(program, ctx);
  registerMasterKeyCommand(program, ctx);
  registerAuditCommand(program, ctx);
  registerMailCommand(program, ctx);
  registerImportCommand(program, ctx);
  registerGrantCommand(program, ctx);
  registerRevokeCommand(program, ctx);
  registerGrantsCommand(program, ctx);
  registerExportCommand(program, ctx);
  registerTokensCommand(program, ctx);
  registerCheckTelegramCommand(program, ctx);
  registerDemoCommand(program, ctx);
  registerWmbusCommand(program, ctx);
  registerDlmsCommand(program, ctx);
  registerKmpCommand(program, ctx);
  registerSimulateCommand(program, ctx);
  registerGatewayCommand(program, ctx);
  return program;
}

/**
 * Runs the command line. A command runs here and gives an exit code; `serve` only checks the
 * configuration and returns it, because listening belongs to src/main.ts. Errors become one line
 * a person can act on.
 */
export async function runCli(argv: string[], ctx: CliContext): Promise<CliOutcome> {
  let serveWith: Settings | undefined;
  const program = buildProgram(ctx, (settings) => {
    serveWith = settings;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return serveWith ? { serve: serveWith } : { exitCode: 0 };
  } catch (err) {
    if (err instanceof CommanderError) return { exitCode: err.exitCode === 0 ? 0 : 2 };
    return { exitCode: reportFailure(err, ctx.err) };
  }
}
