import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { MailMessageView, MailPageView } from '../../../shared/api/mail.js';
import { principalOf } from '../../http/principal-of.js';
import { errorResponses } from '../../http/schemas.js';
import type { MailSummary } from './mail-repo.js';
import { carriesOneTimeLink } from './mail-templates.js';
import type { OutboxService } from './outbox-service.js';

// Metadata only, to every reader: the repository does not select bodies for these views.
const itemView = (row: MailSummary) => ({
  id: row.id,
  recipient: row.recipient,
  subject: row.subject,
  template: row.template,
  language: row.language,
  status: row.status,
  attempts: row.attempts,
  createdAt: row.created_at,
  sentAt: row.sent_at,
  oneTimeLink: carriesOneTimeLink(row.template),
});

export function mailRoutes(deps: { outbox: OutboxService }): FastifyPluginAsyncTypebox {
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
        const page = await deps.outbox.list({ principal: principalOf(request), actor: request.actor, limit: request.query.limit ?? 50, cursor: request.query.cursor });
        return { items: page.items.map(itemView), nextCursor: page.nextCursor };
      },
    });

    app.get('/api/mail/outbox/:id', {
      config: { access: 'mail.read' },
      schema: {
        tags: ['mail'],
        summary: 'One mail: its metadata and the last delivery error, never its body (it can hold a one-time link); opening it is audited',
        params: Type.Object({ id: Type.String({ pattern: '^mail_[A-Za-z0-9_-]{1,40}$' }) }),
        response: { 200: MailMessageView, ...errorResponses },
      },
      handler: async (request) => {
        const row = await deps.outbox.read({ principal: principalOf(request), actor: request.actor, id: request.params.id });
        return { ...itemView(row), lastError: row.last_error };
      },
    });
  };
}
