import type { Command } from 'commander';
import { CliFailure, print, type CliContext } from '../cli-context.js';

/**
 * `openeks gateway --config FILE` and `openeks gateway validate`: the edge service and the
 * installer's check. Long-running and kept small (RSS goal < 60 MB with 1,000 meters): the work
 * loads inside the actions, and neither loads the EKS core, fastify or a database driver
 * (../README.md).
 */
export function registerGatewayCommand(program: Command, ctx: CliContext): void {
  const gateway = program
    .command('gateway')
    .description('run the meter gateway: read the links, decrypt with the keys the core granted, publish over MQTT')
    .option('--config <file>', 'the gateway configuration (see config/gateway.yaml); for validate: the core and key cache to check keys against')
    .action(async (opts: { config?: string }) => {
      const { runGateway } = await import('../gateway-run.js');
      await runGateway({ config: opts.config, env: ctx.env ?? {}, stopSignal: ctx.stopSignal ?? (() => new Promise<string>(() => undefined)), log: ctx.err });
    });
  gateway
    .command('validate')
    .description('wmbus: listen, then list every meter heard (key held in the EKS, decrypts or not); kmp, iec62056-21, dlms: ask the meter once (does the eye answer, does the DLMS key pair authenticate). Exit 0 all well, 1 some do not decrypt or have no key, 3 nothing heard')
    .option('--link <device|tcp://host:port>', 'the serial device or TCP socket of the stick or optical eye')
    .option('--stick <name>', 'wmbus: im871a, iu891a, amb8465, cul or rtlwmbus')
    .option('--protocol <name>', 'wmbus, kmp, iec62056-21 or dlms', 'wmbus')
    .option('--configured <name>', 'validate the link of that name in --config, with its settings (kmp, iec62056-21, dlms)')
    .option('--seconds <n>', 'how long to listen', '60')
    .option('--json', 'print one JSON document')
    // --config belongs to `gateway` (commander hands it over wherever it stands): list it here too.
    .configureHelp({ showGlobalOptions: true })
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ link?: string; stick?: string; protocol?: string; configured?: string; seconds: string; json?: boolean; config?: string }>();
      const { gatewayValidateAny, validateText } = await import('../gateway-validate.js');
      const { pullValidateText } = await import('../gateway-validate-pull.js');
      const done = await gatewayValidateAny({ ...opts, env: ctx.env ?? {}, log: ctx.err });
      if (opts.json) print(ctx, JSON.stringify(done.report));
      else for (const line of done.kind === 'wmbus' ? validateText(done.report) : pullValidateText(done.report)) print(ctx, line);
      const { exitCode } = done.report;
      if (exitCode === 0) return;
      if (done.kind === 'wmbus') throw new CliFailure(exitCode === 3 ? 'no meter heard' : `${done.report.summary.failing} of ${done.report.summary.heard} meter(s) do not decrypt or have no key`, exitCode);
      throw new CliFailure(exitCode === 3 ? 'the meter does not answer' : `the meter answers, but: ${done.report.event?.name ?? 'failed'}`, exitCode);
    });
}
