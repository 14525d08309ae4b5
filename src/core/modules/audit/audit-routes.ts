import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditStatusView } from '../../../shared/api/audit.js';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import type { AuditTrailService } from './audit-trail-service.js';

/** The chain check for the settings page (operators). Reading it is not audited: it changes nothing and shows no record. */
export function auditRoutes(deps: { auditTrail: Pick<AuditTrailService, 'status'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/audit/status', {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'Verify the audit chain (MACs, links, anchors) and show the newest anchor (operators)',
        response: { 200: AuditStatusView, ...errorResponses },
      },
      handler: async (request) => deps.auditTrail.status({ principal: principalOf(request), actor: request.actor }),
    });
  };
}
