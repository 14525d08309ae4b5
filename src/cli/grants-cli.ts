import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import { DeviceFilter } from '../shared/api/devices.js';
import { type DeviceSelection, MAX_SELECTED_IDS } from '../shared/api/grants.js';
import { systemPrincipal } from '../core/access/principal.js';
import type { Container } from '../core/container.js';
import { CliFailure, cliActor } from './cli-context.js';

// The work of `openeks grant`, `openeks revoke` and `openeks grants list` (docs/grants.md): the
// same grants service as the API, with the system principal (operators' rights).

export interface SelectionOptions {
  filter?: string[];
  serials?: string;
}

const as = () => ({ principal: systemPrincipal, actor: cliActor() });

/** `--filter key=value …` → the device list's filter, checked by the API's own schema. */
export function parseFilter(pairs: readonly string[]): DeviceFilter {
  const filter: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliFailure(`--filter ${pair}: expected key=value (keys: ${Object.keys(DeviceFilter.properties).join(', ')})`);
    const key = pair.slice(0, at);
    if (!(key in DeviceFilter.properties)) throw new CliFailure(`--filter ${pair}: unknown key "${key}" (keys: ${Object.keys(DeviceFilter.properties).join(', ')})`);
    filter[key] = pair.slice(at + 1);
  }
  const problem = Value.Errors(DeviceFilter, filter).First();
  if (problem) throw new CliFailure(`--filter ${problem.path.slice(1)}: ${problem.message}`);
  return filter as DeviceFilter;
}

/** A serials file: one device a line, `SERIAL` or `MANUFACTURER SERIAL`; blank lines and `#` comments skipped. */
async function idsOfSerials(c: Container, file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliFailure(`--serials ${file}: cannot read the file`);
  });
  const ids: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const [manufacturer, serial] = parts.length === 2 ? parts : [undefined, parts[0]];
    if (parts.length > 2 || serial === undefined) throw new CliFailure(`${file} line ${index + 1}: expected SERIAL or MANUFACTURER SERIAL`);
    const query = parseFilter([`serial=${serial}`, ...(manufacturer ? [`manufacturer=${manufacturer}`] : [])]);
    const { items } = await c.devices.list({ ...as(), query: { ...query, limit: 2 } });
    if (items.length === 0) throw new CliFailure(`${file} line ${index + 1}: no device with serial ${serial}${manufacturer ? ` of ${manufacturer}` : ''}`);
    if (items.length > 1) throw new CliFailure(`${file} line ${index + 1}: serial ${serial} names several devices; write MANUFACTURER SERIAL`);
    ids.push(items[0]?.id ?? '');
  }
  if (ids.length === 0) throw new CliFailure(`--serials ${file}: the file names no device`);
  return [...new Set(ids)];
}

/** The selections to send: a filter with its current count, or the serials' ids in chunks of the API's size. */
async function selectionsOf(c: Container, opts: SelectionOptions): Promise<DeviceSelection[]> {
  if (opts.filter !== undefined && opts.serials !== undefined) throw new CliFailure('give either --filter or --serials, not both');
  if (opts.filter !== undefined) {
    const filter = parseFilter(opts.filter);
    return [{ filter, count: await c.devices.count({ ...as(), query: filter }) }];
  }
  if (opts.serials === undefined) return [];
  const ids = await idsOfSerials(c, opts.serials);
  const chunks: DeviceSelection[] = [];
  for (let i = 0; i < ids.length; i += MAX_SELECTED_IDS) chunks.push({ ids: ids.slice(i, i + MAX_SELECTED_IDS) });
  return chunks;
}

export async function grantCommand(c: Container, email: string, opts: SelectionOptions): Promise<string> {
  const selections = await selectionsOf(c, opts);
  if (selections.length === 0) throw new CliFailure('give --filter key=value … or --serials FILE');
  let granted = 0;
  let already = 0;
  let status = '';
  for (const selection of selections) {
    const result = await c.grants.assign({ ...as(), selection, email });
    granted += result.granted;
    already += result.alreadyGranted;
    status = result.reader.status;
  }
  await c.mailDeliverer.deliverDue();
  return `${email.toLowerCase()} (${status === 'invited' ? 'invited' : 'account'}): ${granted} devices granted, ${already} already granted`;
}

export async function revokeCommand(c: Container, email: string, opts: SelectionOptions): Promise<string> {
  const { reader } = await c.grants.listOf({ ...as(), email });
  const selections = await selectionsOf(c, opts);
  let revoked = 0;
  if (selections.length === 0) {
    revoked = (await c.grants.revoke({ ...as(), readerId: reader.id })).revoked;
  } else {
    for (const selection of selections) revoked += (await c.grants.revoke({ ...as(), readerId: reader.id, selection })).revoked;
  }
  await c.mailDeliverer.deliverDue();
  return `${reader.email}: ${revoked} devices revoked`;
}

export async function listCommand(c: Container, email: string): Promise<string[]> {
  const { reader, grants } = await c.grants.listOf({ ...as(), email });
  const status = reader.status === 'pending' ? 'invited' : reader.status;
  return [`${reader.email} (${status}): ${grants.length} devices`, ...grants.map((g) => `${g.manufacturer} ${g.serial}\t${g.id}\tsince ${g.granted_at}\tby ${g.granted_by ?? 'openeks (CLI)'}`)];
}
