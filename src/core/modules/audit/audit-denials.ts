import type { Clock } from '../../../lib/clock.js';
import type { DenialRecorder } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Db } from '../../db/database.js';
import type { AuditEntry, AuditWriter } from './audit-writer.js';

/** How repeated refusals are folded into one record (SEC-13, SEC-35). */
export interface DenialAggregation {
  /** A refusal is written in full once per window and caller; repeats are counted (default 60 s; 0: every refusal is written). */
  windowMs: number;
  /** Callers × targets tracked at once; past it the oldest is settled early (default 10 000). */
  maxTracked: number;
}

export const defaultDenialAggregation: DenialAggregation = { windowMs: 60_000, maxTracked: 10_000 };

export interface Denials {
  /** The recorder the access guard and the auth hook call. */
  record: DenialRecorder;
  /** Writes the repeats of every window that has closed (a timer calls it once a window). */
  settleClosed(): Promise<void>;
  /** Writes every pending repeat, closed window or not, and stops the timer: for shutdown. */
  stop(): Promise<void>;
}

type Denial = Parameters<DenialRecorder>[0];

interface Window {
  opened: number;
  denial: Denial;
  repeats: number;
  firstRepeat: number;
  lastRepeat: number;
  /** The last repeat's caller: its address, user agent and request id go into the record. */
  lastActor: Actor;
}

/**
 * Every refusal written as it happens: for the command line, where one run is one request and no
 * flood can build up (and no shutdown would write pending counts).
 */
export function createDenialRecorder(deps: { db: Db; audit: AuditWriter }): DenialRecorder {
  return ({ actor, target, reason }) =>
    deps.db.kysely.transaction().execute((trx) => deps.audit.write({ actor, action: 'access.deny', target, result: 'denied', reason }, trx));
}

/**
 * The service's denial recorder: `access.deny` in a transaction of its own, since the refused
 * request itself fails and rolls back (SEC-13). Fail-closed like every audit write: if it cannot
 * be written, the refusal becomes 503 `audit_unavailable`.
 *
 * A flood of refusals must not grow the trail without bound (issue 11: 1000 requests, 1000
 * records). So the first refusal of a caller (user, or address when anonymous), target and reason
 * is written as it happens; its repeats within the window are only counted, in memory, and written
 * as one `access.deny_repeated` with the count — on the caller's next refusal after the window, by
 * the timer, or at shutdown. A crash loses at most one window's counts, never a first refusal.
 * Distinct targets (e.g. probed device ids) are each written once a window; the rate limit bounds
 * how many a caller can try.
 */
export function createDenials(deps: { db: Db; audit: AuditWriter; clock: Clock; aggregation?: Partial<DenialAggregation>; warn?: (message: string, err: unknown) => void }): Denials {
  const { windowMs, maxTracked } = { ...defaultDenialAggregation, ...deps.aggregation };
  const windows = new Map<string, Window>();

  const repeatedEntry = (w: Window): AuditEntry => ({
    actor: w.lastActor,
    action: 'access.deny_repeated',
    target: w.denial.target,
    result: 'denied',
    reason: w.denial.reason,
    details: { count: w.repeats, first_at: new Date(w.firstRepeat).toISOString(), last_at: new Date(w.lastRepeat).toISOString(), window_seconds: windowMs / 1000 },
  });

  const write = (entries: AuditEntry[]) =>
    deps.db.kysely.transaction().execute(async (trx) => {
      for (const entry of entries) await deps.audit.write(entry, trx);
    });

  /** Puts windows back whose record could not be written, so that the next try writes them. */
  const restore = (pending: [string, Window][]) => {
    for (const [key, w] of pending) {
      const now = windows.get(key);
      if (now) now.repeats += w.repeats;
      else windows.set(key, w);
    }
  };

  /** Removes the windows the test says are done and writes their repeats in one transaction. */
  const settle = async (done: (w: Window) => boolean) => {
    const pending: [string, Window][] = [];
    for (const [key, w] of windows) {
      if (!done(w)) continue;
      windows.delete(key);
      if (w.repeats > 0) pending.push([key, w]);
    }
    if (pending.length === 0) return;
    try {
      await write(pending.map(([, w]) => repeatedEntry(w)));
    } catch (err) {
      restore(pending);
      throw err;
    }
  };

  const record: DenialRecorder = async (denial) => {
    const now = deps.clock.now().getTime();
    const key = JSON.stringify([denial.actor.userId === null ? `ip:${denial.actor.ip ?? 'unknown'}` : `user:${denial.actor.userId}`, denial.target.type, denial.target.id, denial.reason]);
    const open = windows.get(key);
    if (open && now - open.opened < windowMs) {
      // Counted synchronously: concurrent repeats neither race nor wait for the database.
      if (open.repeats === 0) open.firstRepeat = now;
      open.repeats += 1;
      open.lastRepeat = now;
      open.lastActor = denial.actor;
      return;
    }
    const entries: AuditEntry[] = [];
    const settled: [string, Window][] = [];
    if (open) {
      windows.delete(key);
      if (open.repeats > 0) {
        entries.push(repeatedEntry(open));
        settled.push([key, open]);
      }
    }
    if (windows.size >= maxTracked) {
      const [oldestKey, oldest] = windows.entries().next().value as [string, Window];
      windows.delete(oldestKey);
      if (oldest.repeats > 0) {
        entries.push(repeatedEntry(oldest));
        settled.push([oldestKey, oldest]);
      }
    }
    entries.push({ actor: denial.actor, action: 'access.deny', target: denial.target, result: 'denied', reason: denial.reason });
    const fresh: Window = { opened: now, denial, repeats: 0, firstRepeat: now, lastRepeat: now, lastActor: denial.actor };
    windows.set(key, fresh);
    try {
      await write(entries);
    } catch (err) {
      // Nothing was written: this refusal fails closed (503), the settled counts wait for the next try.
      if (windows.get(key) === fresh) windows.delete(key);
      restore(settled);
      throw err;
    }
  };

  // A window of 0 writes every refusal (no repeats are ever counted), so there is nothing to time.
  const timer =
    windowMs > 0
      ? setInterval(() => {
          const now = deps.clock.now().getTime();
          settle((w) => now - w.opened >= windowMs).catch((err: unknown) => deps.warn?.('repeated refusals could not be written yet; retrying', err));
        }, windowMs)
      : undefined;
  timer?.unref();

  return {
    record,
    settleClosed: () => {
      const now = deps.clock.now().getTime();
      return settle((w) => now - w.opened >= windowMs);
    },
    async stop() {
      clearInterval(timer);
      await settle(() => true);
    },
  };
}
