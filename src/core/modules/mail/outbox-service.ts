import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { Db } from '../../db/database.js';
import type { MailRow } from '../../db/schema.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { MailPage, MailService } from './mail-service.js';

/**
 * The outbox as operators read it (`mail.read`): the list, and one mail with its body. Opening a
 * mail is audited, since bodies can hold one-time links.
 */
export function createOutboxService(deps: { mail: Pick<MailService, 'list' | 'get'>; db: Db; guard: AccessGuard; audit: AuditWriter }) {
  return {
    async list({ principal, actor, limit, cursor }: { principal: Principal; actor: Actor; limit: number; cursor?: string | undefined }): Promise<MailPage> {
      await deps.guard.require(principal, actor, 'mail.read');
      return deps.mail.list({ limit, cursor });
    },

    async read({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<MailRow> {
      await deps.guard.require(principal, actor, 'mail.read');
      const row = await deps.mail.get(id);
      await deps.db.kysely.transaction().execute((trx) => deps.audit.write({ actor, action: 'mail.read', target: { type: 'mail', id: row.id }, result: 'allowed' }, trx));
      return row;
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
