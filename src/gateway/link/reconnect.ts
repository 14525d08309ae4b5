import type { Duplex } from 'node:stream';

// What the listening links (stick-link.ts, dlms-push-link.ts) share about holding a stream open:
// the reconnect delays, the one end of a stream (whichever event comes first) and the bounded close.

/** Reconnect delays: initial, doubled each failure, capped. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 200, maxMs: 30_000 };

/** The delay before the next attempt after `failures` failed ones since the last good open (0: the first). */
export function retryDelayMs(backoff: Backoff, failures: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures, 30));
}

/** Calls `end` once, with why the stream is gone: its error's message, 'closed' or 'ended'. */
export function onStreamEnd(s: Duplex, end: (reason: string) => void): void {
  let ended = false;
  const once = (reason: string): void => {
    if (ended) return;
    ended = true;
    end(reason);
  };
  s.on('error', (err: Error) => once(err.message));
  s.once('close', () => once('closed'));
  s.once('end', () => once('ended'));
}

const CLOSE_TIMEOUT_MS = 2000;

/** Destroys the stream and waits for its close, at most 2 s (a device that never says so). */
export async function destroyAndWait(s: Duplex | null): Promise<void> {
  if (!s || s.destroyed) return;
  await new Promise<void>((resolve) => {
    const guard = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    s.once('close', () => {
      clearTimeout(guard);
      resolve();
    });
    s.destroy();
  });
}
