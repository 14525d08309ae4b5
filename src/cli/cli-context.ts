import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import type { Settings } from '../lib/config.js';
import type { Actor } from '../core/access/actor.js';

/** What every command gets from src/main.ts: the configuration (read on demand) and the output streams. */
export interface CliContext {
  /**
   * Reads and checks the environment (throws ConfigError). Called only by the commands that need
   * it, so that `wmbus decode` works with any environment.
   */
  loadSettings(): Settings;
  out: Writable;
  err: Writable;
  /** The environment, for the commands that read their own configuration file (the gateway's file takes overrides from it). */
  env?: NodeJS.ProcessEnv;
  /** Resolves with the signal's name at the first SIGINT or SIGTERM: long-running commands close gracefully on it. */
  stopSignal?: () => Promise<string>;
}

/** One line to standard output. */
export function print(ctx: CliContext, line: string): void {
  ctx.out.write(`${line}\n`);
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
