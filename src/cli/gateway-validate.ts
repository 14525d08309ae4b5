import type { HeardTelegram, KeySource, KeySourceStatus } from '../gateway/gateway-types.js';
import { startStickLink } from '../gateway/link/stick-link.js';
import { createMeterBook, type MeterView } from '../gateway/meter-book.js';
import { createGatewayPipeline } from '../gateway/pipeline.js';
import { CliFailure } from './cli-context.js';
import { configuredPullLink, validatePullLink, validatePushLink, type PullValidateReport } from './gateway-validate-pull.js';
import { VALIDATE_EXIT } from './validate-exit.js';
import { linkOption } from './link-option.js';
import type { PullLinkConfig } from '../gateway/links.js';
import { stickLinkOptions } from './stick-link-options.js';
import { gatewayLogger } from './gateway-log.js';
import { readGatewayConfig } from './gateway-run.js';

// `openeks gateway validate --link … --stick … [--seconds N] [--config FILE] [--json]`: the
// installer's check on site. Listens for N seconds through the gateway's own pipeline and key
// source (the configuration's core and cache, so it works offline), then lists every meter heard
// and whether its key is held and decrypts. Exit 0 every meter decrypts (or sends in clear), 1 some
// do not or have no key, 3 nothing heard, 2 usage or configuration error.

export { VALIDATE_EXIT } from './validate-exit.js';

export interface ValidateInput {
  /** Required but with --configured. */
  link?: string;
  /** Required for wmbus. */
  stick?: string;
  /** wmbus (default), kmp, iec62056-21, dlms. */
  protocol?: string;
  /** A link of --config by name: validated with its own settings (every protocol but wmbus). */
  configured?: string;
  seconds?: string;
  config?: string;
  json?: boolean;
  env: NodeJS.ProcessEnv;
  /** Log lines and progress (standard error). */
  log: { write(text: string): unknown };
}

export interface ValidateReport {
  link: string;
  stick: string;
  seconds: number;
  keys: KeySourceStatus;
  meters: MeterView[];
  summary: { heard: number; decrypt: number; failing: number };
  exitCode: number;
}

/** Without --config there is no key source: every encrypted meter stays "not synced". */
const NO_KEYS: KeySource = {
  lookup: () => ({ kind: 'not-synced' }),
  lookupKeys: () => ({ kind: 'not-synced' }),
  missed: () => undefined,
  status: () => ({ state: 'not-synced', devices: 0, lastSyncAt: null, expiresAt: null, lastError: 'no --config: keys not checked' }),
  close: async () => undefined,
};

const fine = (m: MeterView): boolean => m.decrypts === 'yes' || m.decrypts === 'not-encrypted';

export function exitCodeOf(meters: readonly MeterView[]): number {
  if (meters.length === 0) return VALIDATE_EXIT.nothingHeard;
  return meters.every(fine) ? VALIDATE_EXIT.allDecrypt : VALIDATE_EXIT.someDoNot;
}

const DECRYPTS: Record<MeterView['decrypts'], string> = { yes: 'yes', no: 'NO', 'reversed-key-would': 'NO (the byte-reversed key would)', 'not-encrypted': 'not encrypted', unknown: 'unknown' };
const KEY: Record<MeterView['key'], string> = { held: 'held', 'not-held': 'NOT HELD', expired: 'cache expired', 'not-synced': 'not synced' };

export function validateText(r: ValidateReport): string[] {
  const rows = [
    ['METER', 'MANUFACTURER', 'ADDRESS', 'MODEL', 'RSSI', 'TELEGRAMS', 'KEY', 'DECRYPTS'],
    ...r.meters.map((m) => [m.meterKey, m.manufacturer, m.id, m.model, m.rssiDbm === null ? '-' : `${m.rssiDbm} dBm`, String(m.telegrams), KEY[m.key], DECRYPTS[m.decrypts]]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = r.meters.length === 0 ? [] : rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
  lines.push(
    r.meters.length === 0
      ? `nothing heard on ${r.link} in ${r.seconds} s`
      : `${r.summary.heard} meter(s) heard in ${r.seconds} s: ${r.summary.decrypt} decrypt, ${r.summary.failing} do not or have no key (keys: ${r.keys.state})`,
  );
  return lines;
}

const PROTOCOLS = ['wmbus', 'kmp', 'iec62056-21', 'dlms'] as const;

/** The link a pull validation asks: the configured one, or one made of --protocol and --link with the configuration's defaults. */
function pullLinkOf(input: ValidateInput, config: Awaited<ReturnType<typeof readGatewayConfig>> | null): PullLinkConfig {
  if (input.configured !== undefined) {
    if (config === null) throw new CliFailure('--configured needs --config: the link is read from the configuration', 2);
    const found = configuredPullLink(config, input.configured);
    if (typeof found === 'string') throw new CliFailure(found, 2);
    return found;
  }
  const protocol = input.protocol;
  if (protocol === 'dlms') throw new CliFailure('a dlms link is validated as configured: --config FILE --configured NAME (its addresses, authentication and meter come from there)', 2);
  if (input.link === undefined) throw new CliFailure('--link is required (or --configured NAME with --config)', 2);
  const target = linkOption(input.link);
  if (protocol === 'kmp') return { name: 'validate', protocol, target, pollSeconds: 900, timeoutMs: 2000 };
  return { name: 'validate', protocol: 'iec62056-21', target, pollSeconds: 900, timeoutMs: 3000 };
}

/** `gateway validate` for any protocol: a wM-Bus stick is listened to (ValidateReport), a KMP, IEC or DLMS meter is asked once (PullValidateReport). */
export async function gatewayValidateAny(input: ValidateInput): Promise<{ kind: 'wmbus'; report: ValidateReport } | { kind: 'pull'; report: PullValidateReport }> {
  const protocol = input.protocol ?? 'wmbus';
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw new CliFailure(`--protocol must be one of ${PROTOCOLS.join(', ')}`, 2);
  if (protocol === 'wmbus' && input.configured === undefined) return { kind: 'wmbus', report: await gatewayValidate(input) };
  if (input.configured === undefined && input.stick !== undefined) throw new CliFailure(`--stick is for wmbus links, not ${protocol}`, 2);
  const config = input.config === undefined ? null : await readGatewayConfig(input.config, input.env);
  const link = pullLinkOf(input, config);
  const log = gatewayLogger(input.env, input.log, 'warn');
  const keys = config ? await (await import('../gateway/keys/key-source.js')).openKeySource({ config: config.core, log: log.child({ part: 'keys' }) }) : NO_KEYS;
  try {
    if (link.protocol === 'dlms' && link.push) {
      const seconds = input.seconds === undefined ? 60 : Number(input.seconds);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) throw new CliFailure('--seconds must be a whole number from 1 to 86400', 2);
      return { kind: 'pull', report: await validatePushLink({ link, keys, seconds, log: input.log }) };
    }
    input.log.write(`# asking the ${link.protocol} meter on ${link.name === 'validate' ? (input.link ?? '') : link.name}\n`);
    return { kind: 'pull', report: await validatePullLink({ link, keys, withKeys: config !== null, gatewayId: config?.gatewayId ?? 'validate' }) };
  } finally {
    await keys.close();
  }
}

export async function gatewayValidate(input: ValidateInput): Promise<ValidateReport> {
  if (input.stick === undefined) throw new CliFailure('--stick is required for a wmbus link: one of im871a, iu891a, amb8465, cul, rtlwmbus', 2);
  if (input.link === undefined) throw new CliFailure('--link is required', 2);
  const { codec, target } = stickLinkOptions(input.stick, input.link);
  const seconds = input.seconds === undefined ? 60 : Number(input.seconds);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) throw new CliFailure('--seconds must be a whole number from 1 to 86400', 2);
  const config = input.config === undefined ? null : await readGatewayConfig(input.config, input.env);
  const log = gatewayLogger(input.env, input.log, 'warn');

  const keys = config ? await (await import('../gateway/keys/key-source.js')).openKeySource({ config: config.core, log: log.child({ part: 'keys' }) }) : NO_KEYS;
  try {
    const pipeline = createGatewayPipeline({ keys });
    const book = createMeterBook({ keys });
    const linkName = 'validate';
    const link = startStickLink({
      target,
      codec,
      onTelegram: (ev) => {
        const heard: HeardTelegram = { telegram: ev.telegram, ...(ev.rssiDbm === undefined ? {} : { rssiDbm: ev.rssiDbm }), receivedAt: new Date(), link: linkName };
        book.record(pipeline.handle(heard), { rssiDbm: ev.rssiDbm ?? null, receivedAt: heard.receivedAt });
      },
      onStatus: (s) => {
        if (s.kind === 'connected') input.log.write(`# listening on ${s.link} (${codec.name}) for ${seconds} s\n`);
        else input.log.write(`# ${s.link}: ${s.reason}; retrying in ${s.retryInMs} ms\n`);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    await link.close();
    const meters = book.views();
    const decrypt = meters.filter(fine).length;
    return { link: input.link ?? '', stick: codec.name, seconds, keys: keys.status(), meters, summary: { heard: meters.length, decrypt, failing: meters.length - decrypt }, exitCode: exitCodeOf(meters) };
  } finally {
    await keys.close();
  }
}
