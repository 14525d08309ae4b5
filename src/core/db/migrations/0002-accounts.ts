import { type Kysely, sql } from 'kysely';
import type { DbKind } from '../database.js';

// Accounts (registration, activation, reset, brute-force counters, two-factor sign-in) and
// service settings. Additive only: the foundation's tables keep their meaning.
export function accounts(kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').addColumn('email_verified_at', 'text').execute();
      await db.schema.alterTable('users').addColumn('password_changed_at', 'text').execute();
      // Consecutive failed sign-ins of this account, the temporary lock they caused, and the
      // hard lock at 100 that only a password reset lifts (SEC-21).
      await db.schema.alterTable('users').addColumn('failed_sign_ins', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('users').addColumn('locked_until', 'text').execute();
      await db.schema.alterTable('users').addColumn('hard_locked', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      // Operators made before this migration set their password through a mailed link.
      await sql`UPDATE users SET email_verified_at = updated_at WHERE status = 'active'`.execute(db);

      // Sessions: the assurance level reached (1 password, 2 password + second factor), whether
      // the session still waits for its second factor or an enrolment, and when the user last
      // proved who they are (step-up, SEC-25).
      await db.schema.alterTable('sessions').addColumn('aal', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      await db.schema.alterTable('sessions').addColumn('stage', 'text', (c) => c.notNull().defaultTo('complete')).execute();
      await db.schema.alterTable('sessions').addColumn('authenticated_at', 'text').execute();

      // Failure counters by source address (per-IP throttling of password spraying). Shared by
      // every instance on one database.
      await db.schema
        .createTable('sign_in_throttle')
        .addColumn('subject', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_started_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .execute();

      await db.schema
        .createTable('mfa_totp')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        // The TOTP seed, encrypted by the vault (SEC-22): never stored in the clear.
        .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
        .addColumn('confirmed_at', 'text')
        // The last time step accepted: a code is good once within its window.
        .addColumn('last_step', kind === 'postgres' ? 'bigint' : 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('mfa_recovery_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mfa_recovery_codes_user').on('mfa_recovery_codes').column('user_id').execute();

      await db.schema
        .createTable('settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
