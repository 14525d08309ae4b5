import { KMP_DEFAULT_HEAT_REGISTERS, KMP_REGISTERS, KmpError, kmpField } from '../../drivers/kmp/index.js';
import { openKmpSession, type KmpPollResult } from '../gateway/link/kmp-session.js';
import { describeLinkTarget } from '../gateway/link/link-target.js';
import { linkOption } from './link-option.js';
import { CliFailure } from './cli-context.js';

// `openeks kmp read --link DEV|tcp://HOST:PORT [--registers 60,68,…] [--timeout ms] [--json]`: one
// poll of a Kamstrup meter through the gateway's own KMP session (src/gateway/link/kmp-session.ts),
// printed as serial, type and one line per register (id, name, value, unit, the reading's field).

const MAX_REGISTERS = 64;
const DEFAULT_TIMEOUT_MS = 2000;
const RETRIES = 2;

export interface KmpReadOptions {
  link: string;
  registers?: string;
  timeout?: string;
  json?: boolean;
}

export function parseRegisterList(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > MAX_REGISTERS) throw new CliFailure(`--registers: at most ${MAX_REGISTERS} registers`, 2);
  return parts.map((p) => {
    const n = /^0x[0-9a-f]{1,4}$/i.test(p) ? Number.parseInt(p.slice(2), 16) : /^\d{1,5}$/.test(p) ? Number(p) : Number.NaN;
    if (!(n >= 0 && n <= 0xffff)) throw new CliFailure(`--registers: "${p.slice(0, 20)}" is not a register id (0…65535, or 0x0000…0xFFFF)`, 2);
    return n;
  });
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const n = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 50 && n <= 600_000)) throw new CliFailure('--timeout: milliseconds from 50 to 600000', 2);
  return n;
}

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

function textLines(link: string, r: KmpPollResult): string[] {
  const lines = [`KMP meter ${r.serial} on ${link}: type ${hex4(r.meterType)}, software ${hex4(r.swRevision)}`];
  for (const v of r.registers) {
    const name = KMP_REGISTERS.get(v.rid)?.name ?? 'unknown register';
    const [field] = kmpField(v);
    lines.push(`  ${String(v.rid).padStart(5)}  ${name.padEnd(34)} ${`${v.text} ${v.unitName}`.trim().padEnd(20)} ${field}`);
  }
  lines.push(`${r.registers.length} registers; ${r.bytesSent} bytes sent, ${r.bytesReceived} received`);
  return lines;
}

export async function kmpRead(o: KmpReadOptions): Promise<string[]> {
  const target = linkOption(o.link);
  const rids = o.registers === undefined ? [...KMP_DEFAULT_HEAT_REGISTERS] : parseRegisterList(o.registers);
  const timeoutMs = parseTimeout(o.timeout);
  const link = describeLinkTarget(target);
  let session;
  try {
    session = await openKmpSession(target, { timeoutMs, retries: RETRIES });
  } catch (e) {
    throw new CliFailure(`cannot open ${link}: ${e instanceof Error ? e.message : 'failed'}`, 1);
  }
  try {
    const r = await session.poll(rids);
    if (!o.json) return textLines(link, r);
    const registers = r.registers.map((v) => ({ rid: v.rid, name: KMP_REGISTERS.get(v.rid)?.name ?? null, value: v.text, unit: v.unitName, field: kmpField(v)[0] }));
    return [JSON.stringify({ link, serial: r.serial, meterType: r.meterType, swRevision: r.swRevision, registers, fields: r.fields, bytesSent: r.bytesSent, bytesReceived: r.bytesReceived })];
  } catch (e) {
    if (e instanceof KmpError && e.code === 'no-answer') {
      throw new CliFailure(`the meter on ${link} does not answer (${e.message}; ${RETRIES + 1} attempts). Is the optical head on the eye and the meter's optical interface awake?`, 1);
    }
    if (e instanceof KmpError) throw new CliFailure(`the meter on ${link} answered wrongly: ${e.code}: ${e.message}`, 1);
    throw e;
  } finally {
    await session.close();
  }
}
