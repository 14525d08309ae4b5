import { sql } from 'kysely';
import type { Executor } from './database.js';
import type { Dialect } from './dialect.js';

// The key sync's change feed (docs/key-sync.md "How the core finds the changes"): every change that can change who
// reads which active key appends here, in the transaction of the change, through one line in the
// module that makes it. A row names a device (changed for everyone), a user (his whole scope
// changed) or both (the device changed for that user: a grant, a revocation).
//
// Each append first takes the audit chain's lock (a no-op on SQLite, whose write lock admits one
// writer): the lock is held to commit, so feed rows become visible in the order of their `seq` and
// a sync that read up to seq N can never later find a smaller seq committed behind it.
//
// It lives beside the database rather than in modules/sync because the modules that append to it
// (grants, keys, superusers, imports, auth) are ones the sync module reads from: a port here keeps
// the module graph free of cycles.

export interface SyncFeed {
  /** The devices whose key versions an import added or superseded. */
  touchImport(importId: string, at: string, trx: Executor): Promise<void>;
  /** The devices a grant record gave to its reader (the rows naming that `grant.create` record). */
  touchGranted(auditId: string, at: string, trx: Executor): Promise<void>;
  /** The devices a revoke record took from its reader. */
  touchRevoked(auditId: string, at: string, trx: Executor): Promise<void>;
  /** One device, for everyone who may read it (a key version's state, its customer account). */
  touchDevice(deviceId: string, at: string, trx: Executor): Promise<void>;
  /** The whole scope of one user (a superuser link or unlink, the account disabled). */
  touchUser(userId: string, at: string, trx: Executor): Promise<void>;
}

export function createSyncFeed(deps: { dialect: Pick<Dialect, 'lockAuditChain'> }): SyncFeed {
  const grantRows = async (column: 'granted_audit_id' | 'revoked_audit_id', auditId: string, at: string, trx: Executor) => {
    await deps.dialect.lockAuditChain(trx);
    const rows = trx
      .selectFrom('grants')
      .select(['grants.device_id', 'grants.reader_id as user_id', sql<string>`cast(${at} as text)`.as('changed_at')])
      .where(column, '=', auditId);
    await trx.insertInto('sync_changes').columns(['device_id', 'user_id', 'changed_at']).expression(rows).execute();
  };
  return {
    async touchImport(importId, at, trx) {
      await deps.dialect.lockAuditChain(trx);
      const rows = trx
        .selectFrom('device_keys')
        .select(['device_keys.device_id', sql<string | null>`cast(null as text)`.as('user_id'), sql<string>`cast(${at} as text)`.as('changed_at')])
        .where('import_id', '=', importId)
        .distinct();
      await trx.insertInto('sync_changes').columns(['device_id', 'user_id', 'changed_at']).expression(rows).execute();
    },
    touchGranted: (auditId, at, trx) => grantRows('granted_audit_id', auditId, at, trx),
    touchRevoked: (auditId, at, trx) => grantRows('revoked_audit_id', auditId, at, trx),
    async touchDevice(deviceId, at, trx) {
      await deps.dialect.lockAuditChain(trx);
      await trx.insertInto('sync_changes').values({ device_id: deviceId, user_id: null, changed_at: at }).execute();
    },
    async touchUser(userId, at, trx) {
      await deps.dialect.lockAuditChain(trx);
      await trx.insertInto('sync_changes').values({ device_id: null, user_id: userId, changed_at: at }).execute();
    },
  };
}
