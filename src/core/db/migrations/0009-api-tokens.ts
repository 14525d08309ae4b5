import { type Kysely, sql } from 'kysely';
import type { DbKind } from '../database.js';

// API tokens (issue 13 part 2, docs/api-tokens.md): a user's machine credentials. Stored as the
// SHA-256 of the token only (SEC-10); a token borrows its user's rights, narrowed by its kind and
// its device filter (JSON of a DeviceFilter, src/shared/api/devices.ts). `public_key`: the X25519
// public key (SPKI PEM) the key sync encrypts its answers to. Revoked tokens stay as history.
export function apiTokens(_kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('read', 'gateway', 'concentrator')`))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('device_filter', 'text')
        .addColumn('public_key', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text', (c) => c.references('users.id'))
        .addColumn('last_used_at', 'text')
        .addColumn('last_used_ip', 'text')
        .execute();
      await db.schema.createIndex('api_tokens_user').on('api_tokens').columns(['user_id', 'created_at']).execute();
    },
  };
}
