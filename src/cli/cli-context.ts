import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import type { Config } from '../lib/config.js';
import type { Actor } from '../core/access/actor.js';

/** What every command gets from src/main.ts: configuration, output streams, and the listener. */
export interface CliContext {
  loadConfig(): Config;
  /** The environment, for a `pkcs11:` master key whose PIN is named `pin=env:NAME`. */
  env: Readonly<Record<string, string | undefined>>;
  out: Writable;
  err: Writable;
  /** `serve` needs the one part only main.ts may do: listen and wait for signals. */
  serve(config: Config, env: Readonly<Record<string, string | undefined>>): Promise<void>;
}

/** The CLI acts as the local system user; the audit trail names them. */
export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // containers without a passwd entry
  }
  return { userId: null, role: 'system', ip: null, userAgent: `openeks-cli (${user})`, requestId: null, authMethod: 'cli' };
}

/** A failure the person at the terminal can act on: printed as is, exit code 1. */
export class CliFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliFailure';
    this.exitCode = exitCode;
  }
}
