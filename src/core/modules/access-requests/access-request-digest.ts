import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/logger.js';
import type { Db } from '../../db/database.js';
import type { UsersRepo } from '../auth/users-repo.js';
import type { MailService } from '../mail/mail-service.js';
import type { AccessRequestsRepo } from './access-requests-repo.js';

// The operators' mail about new superuser requests. The oldest waiting request waits `delayMs`;
// then it and every request that arrived meanwhile go out in one mail, so several arriving
// together make one digest instead of a burst of mails. The claim (marking
// the requests notified) and the mails (to the outbox) commit in one transaction: a crash
// between them loses nothing and sends nothing twice, and two instances never claim one request.

export interface AccessRequestDigest {
  /** Mails every operator about the requests whose wait is over; how many requests it covered. */
  runDue(): Promise<number>;
  /** A request was created: run once its wait is over. */
  kick(): void;
  /** Also runs every `intervalMs` (requests of a process that stopped before its kick ran). */
  start(options: { intervalMs: number }): void;
  stop(): Promise<void>;
}

export function createAccessRequestDigest(deps: {
  db: Db;
  repo: Pick<AccessRequestsRepo, 'oldestUnnotified' | 'claimUnnotified' | 'openWithRequester'>;
  users: Pick<UsersRepo, 'listActiveOperators'>;
  mail: Pick<MailService, 'enqueue'>;
  clock: Clock;
  logger: Logger;
  delayMs: number;
  publicUrl: URL;
}): AccessRequestDigest {
  const { repo } = deps;
  const link = new URL('/access-requests', deps.publicUrl).toString();
  let running: Promise<unknown> = Promise.resolve();
  const timers = new Set<NodeJS.Timeout>();
  let interval: NodeJS.Timeout | undefined;
  let stopped = false;

  async function runDue(): Promise<number> {
    const now = deps.clock.now();
    return deps.db.kysely.transaction().execute(async (trx) => {
      // Once the oldest waiting request has waited long enough, every waiting one goes along.
      const oldest = await repo.oldestUnnotified(trx);
      if (oldest === undefined || Date.parse(oldest) > now.getTime() - deps.delayMs) return 0;
      const ids = await repo.claimUnnotified({ createdBefore: now.toISOString(), now: now.toISOString() }, trx);
      if (ids.length === 0) return 0;
      const rows = await repo.openWithRequester(ids, trx);
      if (rows.length === 0) return 0;
      const requests = rows.map((r) => ({ requester: r.email, customerNo: r.customer_no, customerName: r.customer_name, relation: r.relation }));
      for (const operator of await deps.users.listActiveOperators(trx)) {
        await deps.mail.enqueue({ to: operator.email, template: 'access-requests-new', language: operator.language, data: { requests, link } }, trx);
      }
      return rows.length;
    });
  }

  /** One run at a time in this process; a failure is logged and retried by the next run. */
  function runLogged(): Promise<unknown> {
    running = running.then(runDue).catch((err: unknown) => deps.logger.error({ err: err instanceof Error ? err.message : 'error' }, 'superuser request digest failed; will try again'));
    return running;
  }

  return {
    runDue,
    kick() {
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void runLogged();
      }, deps.delayMs + 50);
      timer.unref();
      timers.add(timer);
    },
    start({ intervalMs }) {
      stopped = false;
      clearInterval(interval);
      interval = setInterval(() => void runLogged(), intervalMs);
      interval.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(interval);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await running;
    },
  };
}
