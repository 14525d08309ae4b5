import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { exportFormatNames, type ExportFormatName } from '../shared/api/exports.js';
import { systemPrincipal } from '../core/access/principal.js';
import type { Container } from '../core/container.js';
import { leftOutText } from '../core/modules/exports/export-service.js';
import { CliFailure, cliActor } from './cli-context.js';
import { parseFilter } from './grants-cli.js';

// The work of `openeks export` (docs/downloads.md "Downloading"): the same export service as the
// API, with the system principal (every device; audited as the shell user, no step-up: whoever
// runs the command holds the database and the master key already). The file is written beside
// its final name and renamed when complete, so a failed export leaves no file that looks whole.

export interface ExportOptions {
  format: string;
  out: string;
  password?: string;
  passwordFile?: string;
  openpgpKey?: string;
  /** `--filter key=value` pairs, and the named options below turned into pairs. */
  filter?: string[];
  customer?: string;
  serial?: string;
  serialFrom?: string;
  serialTo?: string;
  manufacturer?: string;
  kind?: string;
  medium?: string;
  model?: string;
  order?: string;
  deliveryNote?: string;
  deliveredFrom?: string;
  deliveredTo?: string;
}

const named: Array<[keyof ExportOptions, string]> = [
  ['customer', 'customerNo'],
  ['serial', 'serial'],
  ['serialFrom', 'serialFrom'],
  ['serialTo', 'serialTo'],
  ['manufacturer', 'manufacturer'],
  ['kind', 'kind'],
  ['medium', 'medium'],
  ['model', 'model'],
  ['order', 'orderNo'],
  ['deliveryNote', 'deliveryNote'],
  ['deliveredFrom', 'deliveredFrom'],
  ['deliveredTo', 'deliveredTo'],
];

async function passwordOf(opts: ExportOptions): Promise<string | undefined> {
  if (opts.password !== undefined && opts.passwordFile !== undefined) throw new CliFailure('give either --password or --password-file, not both');
  if (opts.passwordFile === undefined) return opts.password;
  const text = await readFile(opts.passwordFile, 'utf8').catch(() => {
    throw new CliFailure(`--password-file ${opts.passwordFile}: cannot read the file`);
  });
  // One line: a trailing line break is not part of the password.
  return text.replace(/\r?\n$/, '');
}

export async function exportCommand(c: Container, opts: ExportOptions): Promise<string[]> {
  if (!(exportFormatNames as readonly string[]).includes(opts.format)) throw new CliFailure(`--format ${opts.format}: unknown format (formats: ${exportFormatNames.join(', ')})`);
  const format = opts.format as ExportFormatName;
  const openPgpKey =
    opts.openpgpKey === undefined
      ? undefined
      : await readFile(opts.openpgpKey, 'utf8').catch(() => {
          throw new CliFailure(`--openpgp-key ${opts.openpgpKey}: cannot read the file`);
        });
  const password = await passwordOf(opts);
  const pairs = [...(opts.filter ?? [])];
  for (const [option, key] of named) {
    const value = opts[option];
    if (typeof value === 'string') pairs.push(`${key}=${value}`);
  }
  const filter = parseFilter(pairs);
  const as = { principal: systemPrincipal, actor: cliActor() };
  const count = await c.devices.count({ ...as, query: filter });
  const started = await c.exports.start({ ...as, selection: { filter, count }, format, password, openPgpKey });
  const part = `${opts.out}.part`;
  const out = createWriteStream(part, { mode: 0o600 });
  try {
    const written = await started.run(out);
    await finished(out);
    await rename(part, opts.out);
    return [
      `${written.devices} devices written (${written.keys} keys) to ${opts.out}`,
      `left out: ${leftOutText(started.leftOut)}`,
      `file name: ${started.fileName}`,
      `export id: ${started.id}`,
    ];
  } catch (err) {
    out.destroy();
    await rm(part, { force: true });
    throw err;
  }
}
