import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import { GrantBody, GrantResultView, ReadersBody, ReadersView, RevokeBody, RevokeResultView } from './grants-schemas.js';
import type { GrantsService } from './grants-service.js';

// Read rights (docs/grants.md): superusers for their customer accounts' devices, operators for
// all (`grants.manage`). Readers hold no such permission: every route here answers them 404
// (audited), so a reader can never re-share. POST everywhere: a selection can be large.
export function grantsRoutes(deps: { grants: Pick<GrantsService, 'readers' | 'assign' | 'revoke'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/grants/readers', {
      config: { access: 'grants.manage' },
      schema: {
        tags: ['read rights'],
        summary: 'Who can read the selected devices (changes nothing)',
        body: ReadersBody,
        response: { 200: ReadersView, ...errorResponses },
      },
      handler: async (request) => deps.grants.readers({ principal: principalOf(request), actor: request.actor, selection: request.body.selection }),
    });

    app.post('/api/grants', {
      config: { access: 'grants.manage' },
      schema: {
        tags: ['read rights'],
        summary: 'Assign read rights on the selected devices to an e-mail; an address without an account is invited',
        body: GrantBody,
        response: { 201: GrantResultView, ...errorResponses },
      },
      handler: async (request, reply) => {
        const result = await deps.grants.assign({ principal: principalOf(request), actor: request.actor, selection: request.body.selection, email: request.body.email });
        return reply.status(201).send(result);
      },
    });

    app.post('/api/grants/revoke', {
      config: { access: 'grants.manage' },
      schema: {
        tags: ['read rights'],
        summary: "Revoke a reader's read rights on the selected devices, or (without a selection) on every device of your scope",
        body: RevokeBody,
        response: { 200: RevokeResultView, ...errorResponses },
      },
      handler: async (request) => deps.grants.revoke({ principal: principalOf(request), actor: request.actor, readerId: request.body.readerId, selection: request.body.selection }),
    });
  };
}
