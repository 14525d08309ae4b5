import { type Kysely, sql } from 'kysely';
import type { DbKind } from '../database.js';

// Superuser access (issue 6, docs/superusers.md): users' requests for superuser access to a
// customer account, the operators' decisions, and the links that make a user superuser.
export function superusers(_kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('access_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('customer_no', 'text')
        .addColumn('customer_name', 'text')
        // What "the same customer account" means for one open request per user: the number
        // (lower case) or, without one, the name (lower case, blanks collapsed).
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('relation', 'text', (c) => c.notNull())
        .addColumn('comment', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.references('users.id'))
        .addColumn('decided_at', 'text')
        .addColumn('decision_reason', 'text')
        // JSON array of the customer account ids an approval linked (the links may go later).
        .addColumn('approved_customer_ids', 'text')
        // When the operators' mail (alone or in a digest) was queued; null while it is due.
        .addColumn('operators_notified_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // One open request per user and subject, whatever the code does (and under a race).
      await db.schema
        .createIndex('access_requests_one_open')
        .on('access_requests')
        .columns(['user_id', 'subject'])
        .unique()
        .where(sql.ref('status'), '=', 'open')
        .execute();
      await db.schema.createIndex('access_requests_user').on('access_requests').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('access_requests_queue').on('access_requests').columns(['status', 'created_at', 'id']).execute();
      await db.schema.createIndex('access_requests_decided').on('access_requests').columns(['status', 'decided_at', 'id']).execute();
      await db.schema
        .createIndex('access_requests_unnotified')
        .on('access_requests')
        .column('created_at')
        .where(sql.ref('operators_notified_at'), 'is', null)
        .execute();

      // The queue matches a request's number to an account ignoring case.
      await sql`create index customer_accounts_no_lower on customer_accounts (lower(customer_no))`.execute(db);

      await db.schema
        .createTable('superuser_links')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('customer_account_id', 'text', (c) => c.notNull().references('customer_accounts.id'))
        .addColumn('linked_by', 'text', (c) => c.references('users.id'))
        .addColumn('request_id', 'text', (c) => c.references('access_requests.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('superuser_links_pk', ['user_id', 'customer_account_id'])
        .execute();
      await db.schema.createIndex('superuser_links_customer').on('superuser_links').columns(['customer_account_id', 'user_id']).execute();
    },
  };
}
