import { readFileSync } from 'node:fs';
import { cliEnvVar } from '../lib/env-vars.js';
import { CliFailure } from './cli-context.js';

// The GUEK and the GAK of `openeks dlms read|decode`, from one of three places: `--guek HEX` (quick,
// but every user of the machine sees it in `ps`), `--guek-file FILE` (the file holds the 32 hex
// digits) or the environment (OPENEKS_DLMS_GUEK). At most one of the first two; either wins over
// the environment. A key is never printed, also not in an error message.

export interface KeyOptions {
  guek?: string;
  gak?: string;
  guekFile?: string;
  gakFile?: string;
}

const MAX_KEY_FILE = 1024;

function keyOf(text: string, where: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) throw new CliFailure(`${where}: a key is 32 hex digits (AES-128)`, 2);
  return Buffer.from(hex, 'hex');
}

function readKeyFile(path: string, option: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CliFailure(`${option} ${path}: cannot read the file`, 2);
  }
  if (text.length > MAX_KEY_FILE) throw new CliFailure(`${option} ${path}: not a key file (larger than ${MAX_KEY_FILE} bytes)`, 2);
  return text;
}

function oneKey(name: 'guek' | 'gak', value: string | undefined, file: string | undefined, env: NodeJS.ProcessEnv): Buffer | undefined {
  if (value !== undefined && file !== undefined) throw new CliFailure(`give either --${name} or --${name}-file, not both`, 2);
  if (value !== undefined) return keyOf(value, `--${name}`);
  if (file !== undefined) return keyOf(readKeyFile(file, `--${name}-file`), `--${name}-file ${file}`);
  const variable = name === 'guek' ? cliEnvVar.dlmsGuek : cliEnvVar.dlmsGak;
  const fromEnv = env[variable];
  return fromEnv === undefined || fromEnv === '' ? undefined : keyOf(fromEnv, variable);
}

export function dlmsKeys(o: KeyOptions, env: NodeJS.ProcessEnv): { ek?: Buffer; ak?: Buffer } {
  const ek = oneKey('guek', o.guek, o.guekFile, env);
  const ak = oneKey('gak', o.gak, o.gakFile, env);
  return { ...(ek ? { ek } : {}), ...(ak ? { ak } : {}) };
}
