import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { Db } from '../../db/database.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { MailSummary } from './mail-repo.js';
import type { MailPage, MailService } from './mail-service.js';

/**
 * The outbox as operators read it (`mail.read`): metadata only — recipient, subject, template,
 * language, status, times, the last delivery error. Never a body: bodies can hold another
 * person's one-time link (issue 11, item 2), and the repository does not even select them.
 * Opening one mail is audited like before.
 */
export function createOutboxService(deps: { mail: Pick<MailService, 'list' | 'get'>; db: Db; guard: AccessGuard; audit: AuditWriter }) {
  return {
    async list({ principal, actor, limit, cursor }: { principal: Principal; actor: Actor; limit: number; cursor?: string | undefined }): Promise<MailPage> {
      await deps.guard.require(principal, actor, 'mail.read');
      return deps.mail.list({ limit, cursor });
    },

    async read({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<MailSummary> {
      await deps.guard.require(principal, actor, 'mail.read');
      const row = await deps.mail.get(id);
      await deps.db.kysely.transaction().execute((trx) => deps.audit.write({ actor, action: 'mail.read', target: { type: 'mail', id: row.id }, result: 'allowed' }, trx));
      return row;
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
