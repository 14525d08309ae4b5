import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import type { Settings } from '../lib/config.js';
import type { Actor } from '../core/modules/audit/audit-writer.js';

/** What every command gets from src/main.ts: configuration, output streams, and the listener. */
export interface CliContext {
  /** Reads and checks the environment (throws ConfigError): the config, and the secrets for the container. */
  loadSettings(): Settings;
  out: Writable;
  err: Writable;
  /** `serve` needs the one part only main.ts may do: listen and wait for signals. */
  serve(settings: Settings): Promise<void>;
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
