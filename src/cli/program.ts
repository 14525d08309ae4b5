import { Command, CommanderError } from 'commander';
import { AppError } from '../lib/errors.js';
import { ConfigError } from '../lib/config-error.js';
import { CliFailure, cliActor, type CliContext } from './cli-context.js';

// Every command's implementation is imported inside its action, not here: `openeks wmbus listen`
// then loads the driver, stick and link modules only, not the EKS core (fastify, kysely, the
// database drivers, argon2, pkcs11js, nodemailer, ...). Keeps the CLI's start-up and memory small.

const print = (ctx: CliContext, line: string) => ctx.out.write(`${line}\n`);

function buildProgram(ctx: CliContext): Command {
  const program = new Command('openeks')
    .description('openeks — the open Encryption Key Service and meter gateway')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out.write(s), writeErr: (s) => ctx.err.write(s) });

  program
    .command('serve')
    .description('start the EKS core service (HTTP API and web UI)')
    .action(async () => ctx.serve(ctx.loadSettings()));

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(async () => {
      const { openDatabase } = await import('../core/db/database.js');
      const { migrateToLatest } = await import('../core/db/migrate.js');
      const db = openDatabase(ctx.loadSettings().config.databaseUrl);
      try {
        const applied = await migrateToLatest(db);
        print(ctx, applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      } finally {
        await db.close();
      }
    });

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
      const { withContainer } = await import('./with-container.js');
      await withContainer(ctx.loadSettings(), async (c) => {
        const setup = await c.operatorSetup.createOperator({ email: opts.email, actor: cliActor(), language });
        await c.mailDeliverer.deliverDue();
        print(ctx, `Operator ${opts.email.toLowerCase()} created. One-time link to set the password (valid until ${setup.expiresAt}):`);
        print(ctx, setup.link);
      });
    });

  program
    .command('master-key')
    .description('manage the master key')
    .command('rotate')
    .description('create a new master key / key-encryption key version and rewrap every data key online')
    .action(async () => {
      const { withContainer } = await import('./with-container.js');
      const { rotateMasterKey } = await import('./master-key-rotate.js');
      await withContainer(ctx.loadSettings(), async (c) => {
        for (const line of await rotateMasterKey(c, cliActor())) print(ctx, line);
      });
    });

  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check the hash chain of the audit trail; exits 1 at the first broken record')
    .action(async () => {
      const { openDatabase } = await import('../core/db/database.js');
      const { verifyAuditChain } = await import('../core/modules/audit/audit-verify.js');
      const db = openDatabase(ctx.loadSettings().config.databaseUrl);
      try {
        const verdict = await verifyAuditChain(db.kysely);
        if (!verdict.ok) throw new CliFailure(`audit trail BROKEN after ${verdict.records} good records: ${verdict.message}`);
        print(ctx, `audit trail intact: ${verdict.records} records, head ${verdict.head}`);
      } finally {
        await db.close();
      }
    });

  const mail = program.command('mail').description('outgoing mail');
  mail
    .command('list')
    .description('list the outbox, newest first')
    .option('--limit <n>', 'how many', '20')
    .option('--body', 'print the plain-text bodies too')
    .action(async (opts: { limit: string; body?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliFailure('--limit must be a whole number from 1 to 1000');
      const { withContainer } = await import('./with-container.js');
      await withContainer(ctx.loadSettings(), async (c) => {
        const page = await c.mail.list({ limit });
        if (page.items.length === 0) print(ctx, 'the outbox is empty');
        for (const m of page.items) {
          print(ctx, `${m.created_at}  ${m.status.padEnd(7)}  ${m.recipient}  ${m.subject}`);
          if (opts.body && m.body_text) print(ctx, `${m.body_text.replace(/^/gm, '    ')}\n`);
        }
      });
    });

  program
    .command('import')
    .description('import devices and keys from a CSV, KEM or KEM2 file (bare or in its ZIP); all or nothing')
    .argument('<file>', 'the file to import')
    .option('--password <password>', 'the KEM/KEM2 password')
    .option('--new-version', 'add a new key version to devices that exist, instead of refusing them')
    .option('--customer <number>', 'customer account (number) of rows that name none, e.g. every row of a KEM file')
    .option('--delivery-date <YYYY-MM-DD>', 'delivery date of the devices (default: today)')
    .action(async (file: string, opts: { password?: string; newVersion?: boolean; customer?: string; deliveryDate?: string }) => {
      const { withContainer } = await import('./with-container.js');
      const { importFile } = await import('./import-file.js');
      await withContainer(ctx.loadSettings(), (c) => importFile(c, { file, ...opts, actor: cliActor(), print: (line) => print(ctx, line) }));
    });

  program
    .command('check-telegram')
    .description("check a wireless M-Bus telegram against its device's stored key; exit 0 only when it decrypts")
    .argument('<hex>', 'the telegram in hex (L-field first, link-layer CRCs removed or kept)')
    .option('--json', 'print one JSON object')
    .action(async (telegram: string, opts: { json?: boolean }) => {
      const { withContainer } = await import('./with-container.js');
      const { checkTelegram } = await import('./check-telegram.js');
      await withContainer(ctx.loadSettings(), (c) => checkTelegram(c, { telegram, ...opts, actor: cliActor(), print: (line) => print(ctx, line) }));
    });

  const demo = program.command('demo').description('demo data');
  demo
    .command('seed')
    .description('create a realistic demo inventory: customers, orders, delivery notes, devices with random keys')
    .requiredOption('--devices <n>', 'how many devices')
    .option('--seed <n>', 'random seed, for the same inventory again')
    .action(async (opts: { devices: string; seed?: string }) => {
      const { withContainer } = await import('./with-container.js');
      const { demoSeed } = await import('./demo-seed.js');
      await withContainer(ctx.loadSettings(), (c) => demoSeed(c, { ...opts, actor: cliActor(), print: (line) => print(ctx, line) }));
    });

  const wmbus = program.command('wmbus').description('Wireless M-Bus telegrams (no database needed)');
  wmbus
    .command('decode')
    .description('decode one telegram (hex: L-field + telegram without DLL CRCs): header, then the meter values')
    .argument('<hex>', 'the telegram in hex')
    .option('--key <hex>', "the meter's AES-128 key, 32 hex digits")
    .option('--json', 'print one JSON object')
    .action(async (telegram: string, opts: { key?: string; json?: boolean }) => {
      const { wmbusDecode } = await import('./wmbus-decode.js');
      for (const line of wmbusDecode({ telegram, ...opts })) print(ctx, line);
    });
  wmbus
    .command('listen')
    .description('print every telegram a receiver stick hears; with --keys, the decrypted values')
    .requiredOption('--link <device|tcp://host:port>', 'the serial device or TCP socket of the stick')
    .requiredOption('--stick <name>', 'im871a, iu891a, amb8465, cul or rtlwmbus')
    .option('--keys <file.csv>', 'keys in the import CSV format')
    .option('--json', 'one JSON object per telegram')
    .option('--count <n>', 'stop after n telegrams')
    .action(async (opts: { link: string; stick: string; keys?: string; json?: boolean; count?: string }) => {
      const { wmbusListen } = await import('./wmbus-listen.js');
      await wmbusListen({ ...opts, write: (line) => print(ctx, line), writeStatus: (line) => ctx.err.write(`${line}\n`) });
    });

  program
    .command('simulate')
    .description('start a simulated wM-Bus bench: a receiver stick hearing simulated meters')
    .requiredOption('--config <file>', 'the bench configuration, e.g. config/bench.yaml')
    .option('--write-keys <file.csv>', "write the meters' keys in the import CSV format")
    .option('--write-kem <file.kem>', "write the meters' keys as a KEM file (needs --kem-password)")
    .option('--kem-password <password>', 'the KEM password, at most 16 bytes')
    .option('--seconds <n>', 'stop after n seconds')
    .action(async (opts: { config: string; writeKeys?: string; writeKem?: string; kemPassword?: string; seconds?: string }) => {
      const { simulate } = await import('./simulate.js');
      await simulate({ ...opts, write: (line) => print(ctx, line) });
    });

  return program;
}

/** Runs the command line; returns the exit code. Errors become one line a person can act on. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError) {
      ctx.err.write(`openeks: configuration error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CliFailure) {
      ctx.err.write(`openeks: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof AppError) {
      ctx.err.write(`openeks: ${err.message}\n`);
      return 1;
    }
    ctx.err.write(`openeks: ${err instanceof Error ? err.message : 'failed'}\n`);
    return 1;
  }
}
