import { readFileSync } from 'node:fs';
import { isDlmsError } from '../../drivers/dlms/errors.js';
import { meterOfSystemTitle } from '../../drivers/dlms/notification.js';
import { openDlmsSession, type DlmsSessionOptions } from '../gateway/link/dlms-session.js';
import { linkOption } from './link-option.js';
import { CliFailure } from './cli-context.js';
import { dlmsKeys, type KeyOptions } from './dlms-keys.js';

// `openeks dlms read --link DEV|tcp://HOST:PORT [--mode-e] [--auth …] [--obis …] [--json]`: one
// association with a DLMS meter — optical eye (mode E) or a direct HDLC line — reading its clock
// and registers, then release. Keys from dlms-keys.ts; the defaults follow the keys: with a GUEK
// and a GAK, the management client 1 with HLS-GMAC and ciphered APDUs (suite 0); without, the
// public client 16 and no security.

export interface DlmsReadInput extends KeyOptions {
  link: string;
  modeE?: boolean;
  auth?: string;
  security?: string;
  password?: string;
  passwordFile?: string;
  client?: string;
  server?: string;
  systemTitle?: string;
  invocationCounter?: string;
  obis?: string;
  baud?: string;
  timeout?: string;
  json?: boolean;
}

export const DEFAULT_OBIS = ['1.8.0', '2.8.0', '1.7.0', '2.7.0'];
const DEFAULT_CLIENT_SYSTEM_TITLE = '4F454B0000000001'; // "OEK" + 1

// A meter refuses an invocation counter not above the last it accepted from our system title. With
// no counter given, it is taken from the clock: 8 per second since 2024 (the gateway's DLMS link
// counts the same way), so each read starts above the one before — an association uses a handful —
// and the 32 bits last until 2041.
const COUNTER_EPOCH = Date.UTC(2024, 0, 1);
const counterFromClock = (now: number): number => Math.min(0xffffffff, Math.max(1, Math.floor(((now - COUNTER_EPOCH) * 8) / 1000)));

function whole(text: string | undefined, option: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new CliFailure(`${option} must be a whole number from ${min} to ${max}`, 2);
  return n;
}

/** The LLS password: like a key, a secret that `ps` shows on the command line, hence also a file. */
function llsPassword(input: DlmsReadInput): Buffer | undefined {
  if (input.password !== undefined && input.passwordFile !== undefined) throw new CliFailure('give either --password or --password-file, not both', 2);
  if (input.passwordFile === undefined) return input.password ? Buffer.from(input.password, 'latin1') : undefined;
  let text: string;
  try {
    text = readFileSync(input.passwordFile, 'latin1');
  } catch {
    throw new CliFailure(`--password-file ${input.passwordFile}: cannot read the file`, 2);
  }
  const password = text.replace(/\r?\n$/, '');
  if (password.length < 1 || password.length > 64) throw new CliFailure(`--password-file ${input.passwordFile}: an LLS password is 1 to 64 characters`, 2);
  return Buffer.from(password, 'latin1');
}

function serverOf(text: string | undefined): { serverUpper: number; serverLower?: number } {
  const parts = (text ?? '1/17').split('/');
  const [upper, lower] = parts.map(Number);
  const ok = (n: number | undefined) => n !== undefined && Number.isInteger(n) && n >= 0 && n <= 0x3fff;
  if (parts.length > 2 || !parts.every((p) => /^\d{1,5}$/.test(p)) || !ok(upper) || (parts.length === 2 && !ok(lower)) || upper === undefined) {
    throw new CliFailure('--server must be LOGICAL or LOGICAL/PHYSICAL, e.g. 1/17', 2);
  }
  return lower === undefined ? { serverUpper: upper } : { serverUpper: upper, serverLower: lower };
}

export function sessionOptions(input: DlmsReadInput, env: NodeJS.ProcessEnv, now = Date.now()): DlmsSessionOptions {
  const keys = dlmsKeys(input, env);
  const haveKeys = keys.ek !== undefined && keys.ak !== undefined;
  const auth = input.auth ?? (haveKeys ? 'hls-gmac' : 'none');
  if (auth !== 'none' && auth !== 'lls' && auth !== 'hls-gmac') throw new CliFailure('--auth must be none, lls or hls-gmac', 2);
  const security = input.security ?? (haveKeys ? 'authenticated-encrypted' : 'none');
  if (security !== 'none' && security !== 'authenticated-encrypted') throw new CliFailure('--security must be none or authenticated-encrypted', 2);
  if ((auth === 'hls-gmac' || security === 'authenticated-encrypted') && !haveKeys) {
    throw new CliFailure(`--auth ${auth} --security ${security} needs the GUEK and the GAK (--guek/--gak, --guek-file/--gak-file or the environment)`, 2);
  }
  const password = llsPassword(input);
  if (auth === 'lls' && !password) throw new CliFailure('--auth lls needs --password or --password-file', 2);
  const st = input.systemTitle ?? DEFAULT_CLIENT_SYSTEM_TITLE;
  if (!/^[0-9A-Fa-f]{16}$/.test(st)) throw new CliFailure('--system-title must be 16 hex digits (8 bytes)', 2);
  const client = whole(input.client, '--client', 1, 127) ?? (auth === 'none' ? 16 : 1);
  const baudRate = whole(input.baud, '--baud', 300, 115200);
  return {
    client,
    ...serverOf(input.server),
    authentication: auth,
    security,
    keys,
    clientSystemTitle: Buffer.from(st, 'hex'),
    ...(password ? { password } : {}),
    invocationCounter: whole(input.invocationCounter, '--invocation-counter', 0, 0xffffffff) ?? counterFromClock(now),
    ...(input.modeE ? { modeE: true } : {}),
    ...(baudRate ? { baudRate } : {}),
    timeoutMs: whole(input.timeout, '--timeout', 100, 60_000) ?? 3000,
  };
}

function obisList(text: string | undefined): string[] {
  if (text === undefined) return DEFAULT_OBIS;
  const list = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (list.length === 0 || list.length > 64) throw new CliFailure('--obis takes 1 to 64 OBIS codes, comma-separated', 2);
  return list;
}

function failure(e: unknown): CliFailure {
  if (!isDlmsError(e)) return new CliFailure(`the meter could not be read: ${e instanceof Error ? e.message : 'failed'}`);
  if (e.code === 'tag-mismatch') return new CliFailure(`the tag does not verify: ${e.message} (tag-mismatch)`);
  return new CliFailure(`the meter could not be read: ${e.message} (${e.code} at byte ${e.offset} of the ${e.where})`);
}

export async function dlmsRead(input: DlmsReadInput, env: NodeJS.ProcessEnv): Promise<string[]> {
  const target = linkOption(input.link);
  const options = sessionOptions(input, env);
  const obis = obisList(input.obis);
  let session;
  try {
    session = await openDlmsSession(target, options);
  } catch (e) {
    throw failure(e);
  }
  try {
    const { serverSystemTitle } = await session.connect();
    const clock = await session.readClock();
    const { objects, fields } = await session.readRegisters(obis);
    await session.release();
    const st = serverSystemTitle?.toString('hex').toUpperCase();
    const meter = serverSystemTitle ? meterOfSystemTitle(serverSystemTitle) : undefined;
    if (input.json) {
      return [JSON.stringify({ ...(session.identification ? { identification: session.identification } : {}), ...(st ? { systemTitle: st } : {}), ...(meter ? { meter } : {}), clock: clock.iso ?? null, objects, fields })];
    }
    const width = Math.max(0, ...objects.map((o) => o.obis.length));
    return [
      ...(session.identification ? [`optical   ${session.identification}`] : []),
      ...(meter && st ? [`meter     ${meter.manufacturer} ${meter.serial} (system title ${st})`] : []),
      `clock     ${clock.iso ?? 'not set'}`,
      ...objects.map((o) => `  ${o.obis.padEnd(width)}  ${String(o.value)}${o.unit ? ` ${o.unit}` : ''}${o.name ? `  (${o.name})` : ''}`),
      ...Object.entries(fields).map(([k, v]) => `  ${k}  ${String(v)}`),
    ];
  } catch (e) {
    throw failure(e);
  } finally {
    await session.close();
  }
}
