import type { Executor } from '../../db/database.js';
import type { SuperuserLinkRow } from '../../db/schema.js';

export interface LinkListing {
  user_id: string;
  email: string;
  user_name: string | null;
  customer_account_id: string;
  customer_no: string;
  customer_name: string;
  created_at: string;
  linked_by: string | null;
  linked_by_email: string | null;
  request_id: string | null;
}

/** Who is superuser of which customer account (docs/superusers.md). */
export function createSuperuserLinksRepo(db: Executor) {
  return {
    /**
     * The customer accounts the user is superuser of, in id order. Read on every request by the
     * session service, so an unlink takes effect on the very next one.
     */
    async customerIdsOf(userId: string, trx: Executor = db): Promise<string[]> {
      const rows = await trx.selectFrom('superuser_links').select('customer_account_id').where('user_id', '=', userId).orderBy('customer_account_id').execute();
      return rows.map((r) => r.customer_account_id);
    },

    /** Inserts the links that do not exist yet; the customer ids newly linked. */
    async insertMissing(rows: readonly SuperuserLinkRow[], trx: Executor = db): Promise<string[]> {
      const added: string[] = [];
      for (const row of rows) {
        // ON CONFLICT DO NOTHING: an approval racing a direct link leaves one link, no error.
        const result = await trx.insertInto('superuser_links').values(row).onConflict((oc) => oc.columns(['user_id', 'customer_account_id']).doNothing()).executeTakeFirst();
        if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) added.push(row.customer_account_id);
      }
      return added;
    },

    /** Whether a link was removed. */
    async delete(userId: string, customerAccountId: string, trx: Executor = db): Promise<boolean> {
      const result = await trx.deleteFrom('superuser_links').where('user_id', '=', userId).where('customer_account_id', '=', customerAccountId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** In (customer number, e-mail) order, after the keyset position `after`. */
    async list(query: { customerAccountId?: string | undefined; userId?: string | undefined; after?: { customerNo: string; email: string } | undefined; limit: number }, trx: Executor = db): Promise<LinkListing[]> {
      let select = trx
        .selectFrom('superuser_links as l')
        .innerJoin('users as u', 'u.id', 'l.user_id')
        .innerJoin('customer_accounts as c', 'c.id', 'l.customer_account_id')
        .leftJoin('users as by', 'by.id', 'l.linked_by')
        .select([
          'l.user_id',
          'u.email',
          'u.name as user_name',
          'l.customer_account_id',
          'c.customer_no',
          'c.name as customer_name',
          'l.created_at',
          'l.linked_by',
          'by.email as linked_by_email',
          'l.request_id',
        ]);
      if (query.customerAccountId !== undefined) select = select.where('l.customer_account_id', '=', query.customerAccountId);
      if (query.userId !== undefined) select = select.where('l.user_id', '=', query.userId);
      const after = query.after;
      if (after !== undefined) {
        select = select.where((eb) => eb.or([eb('c.customer_no', '>', after.customerNo), eb.and([eb('c.customer_no', '=', after.customerNo), eb('u.email', '>', after.email)])]));
      }
      return select.orderBy('c.customer_no').orderBy('u.email').limit(query.limit).execute();
    },
  };
}

export type SuperuserLinksRepo = ReturnType<typeof createSuperuserLinksRepo>;
