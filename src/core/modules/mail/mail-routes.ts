import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../../db/database.js';
import type { MailRow } from '../../db/schema.js';
import { MailMessageView, MailPageView } from '../../../shared/api/mail.js';
import { errorResponses } from '../../http/schemas.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import { requirePermission } from '../auth/permissions.js';
import type { MailService } from './mail-service.js';

const itemView = (row: MailRow) => ({
  id: row.id,
  recipient: row.recipient,
  subject: row.subject,
  template: row.template,
  language: row.language,
  status: row.status,
  attempts: row.attempts,
  createdAt: row.created_at,
  sentAt: row.sent_at,
});

export function mailRoutes(deps: { mail: Pick<MailService, 'list' | 'get'>; audit: AuditWriter; db: Db }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/mail/outbox', {
      config: { access: 'mail.read' },
      schema: {
        tags: ['mail'],
        summary: 'The outbox, newest first (operators)',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })), cursor: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: MailPageView, ...errorResponses },
      },
      handler: async (request) => {
        requirePermission(request.principal?.roles ?? [], 'mail.read');
        const page = await deps.mail.list({ limit: request.query.limit ?? 50, cursor: request.query.cursor });
        return { items: page.items.map(itemView), nextCursor: page.nextCursor };
      },
    });

    app.get('/api/mail/outbox/:id', {
      config: { access: 'mail.read' },
      schema: {
        tags: ['mail'],
        summary: 'One mail with its body; opening it is audited, since bodies can hold one-time links',
        params: Type.Object({ id: Type.String({ pattern: '^mail_[A-Za-z0-9_-]{1,40}$' }) }),
        response: { 200: MailMessageView, ...errorResponses },
      },
      handler: async (request) => {
        requirePermission(request.principal?.roles ?? [], 'mail.read');
        const row = await deps.mail.get(request.params.id);
        await deps.db.kysely.transaction().execute((trx) =>
          deps.audit.write(trx, { actor: request.actor, action: 'mail.read', target: { type: 'mail', id: row.id }, result: 'allowed' }),
        );
        return { ...itemView(row), text: row.body_text, html: row.body_html };
      },
    });
  };
}
