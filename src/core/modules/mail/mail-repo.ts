import type { Insertable } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { MailOutboxTable, MailRow } from '../../db/schema.js';

export type NewMailRow = Insertable<MailOutboxTable>;
/** A mail as everyone but the deliverer sees it: never its body (issue 11, item 2). */
export type MailSummary = Omit<MailRow, 'body_text' | 'body_html'>;

const summaryColumns = ['id', 'recipient', 'template', 'language', 'subject', 'status', 'attempts', 'next_attempt_at', 'last_error', 'created_at', 'sent_at'] as const;

export function createMailRepo(db: Db) {
  return {
    async insert(row: NewMailRow, trx?: Executor): Promise<void> {
      await (trx ?? db.kysely).insertInto('mail_outbox').values(row).execute();
    },

    /**
     * Claims up to `limit` pending mails due at `now` by moving their next attempt to
     * `leaseUntil`: no other deliverer sees them until then, and a deliverer that dies while
     * sending leaves them to be retried after the lease. The claim commits before any mail is
     * sent (nothing slow inside a transaction).
     */
    async claimDue({ now, leaseUntil, limit }: { now: string; leaseUntil: string; limit: number }, trx?: Executor): Promise<MailRow[]> {
      // One UPDATE … RETURNING over the rows it picks: atomic on both databases, also across
      // connections and instances; on PostgreSQL rows another instance is claiming right now are
      // skipped, not waited for, and never claimed twice.
      const claimed = await (trx ?? db.kysely)
        .updateTable('mail_outbox')
        .set({ next_attempt_at: leaseUntil })
        .where('id', 'in', (eb) =>
          db.dialect.skipLockedRows(eb.selectFrom('mail_outbox').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit)),
        )
        .returningAll()
        .execute();
      return claimed.sort((a, b) => (a.created_at === b.created_at ? a.id.localeCompare(b.id) : a.created_at < b.created_at ? -1 : 1));
    },

    /**
     * Delivered — `sent` over SMTP (at `sentAt`), `stored` in the development outbox folder (never
     * sent): the bodies go (they may hold one-time links), subject and metadata stay.
     */
    async markSent({ id, sentAt, status }: { id: string; sentAt: string; status: 'sent' | 'stored' }, trx?: Executor): Promise<boolean> {
      const result = await (trx ?? db.kysely)
        .updateTable('mail_outbox')
        .set({ status, sent_at: status === 'sent' ? sentAt : null, body_text: null, body_html: null })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Records a failed attempt. With `retryAt` the mail stays pending until then; without, it
     * has failed for good and its bodies are erased like those of a delivered mail.
     */
    async markAttemptFailed({ id, error, retryAt }: { id: string; error: string; retryAt: string | null }, trx?: Executor): Promise<boolean> {
      const result = await (trx ?? db.kysely)
        .updateTable('mail_outbox')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: error,
          ...(retryAt === null ? { status: 'failed' as const, body_text: null, body_html: null } : { next_attempt_at: retryAt }),
        }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Newest first; `before` is the (created_at, id) of the last row of the previous page. */
    async list({ limit, before }: { limit: number; before?: { createdAt: string; id: string } }, trx?: Executor): Promise<MailSummary[]> {
      let query = (trx ?? db.kysely)
        .selectFrom('mail_outbox')
        .select(summaryColumns)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit);
      if (before) {
        query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(before.createdAt, before.id)));
      }
      return query.execute();
    },

    async findById(id: string, trx?: Executor): Promise<MailSummary | undefined> {
      return (trx ?? db.kysely).selectFrom('mail_outbox').select(summaryColumns).where('id', '=', id).executeTakeFirst();
    },
  };
}

export type MailRepo = ReturnType<typeof createMailRepo>;
