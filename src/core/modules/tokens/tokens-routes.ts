import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { personOf, principalOf } from '../../http/principal-of.js';
import { OperatorTokenPageView, TokenCreateBody, TokenCreatedView, TokenIdParams, TokenListView, TokenPageQuery } from './tokens-schemas.js';
import type { TokensService } from './tokens-service.js';

// API tokens (docs/api-tokens.md). A user's own under /api/me/tokens (a complete session, never a
// token: the auth hook refuses `tokens.own` to every token kind); every token for operators
// (`tokens.manage`).
export function tokensRoutes(deps: { tokens: Pick<TokensService, 'create' | 'listOwn' | 'revokeOwn' | 'listAll' | 'revokeAny'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/me/tokens', {
      config: { access: 'tokens.own' },
      schema: {
        tags: ['api tokens'],
        summary: 'Create an API token; the token is in this answer only',
        body: TokenCreateBody,
        response: { 201: TokenCreatedView, ...errorResponses },
      },
      handler: async (request, reply) => {
        const created = await deps.tokens.create({ principal: personOf(request), actor: request.actor, input: request.body });
        return reply.status(201).header('cache-control', 'no-store').send(created);
      },
    });

    app.get('/api/me/tokens', {
      config: { access: 'tokens.own' },
      schema: { tags: ['api tokens'], summary: 'Your API tokens (never the tokens themselves)', response: { 200: TokenListView, ...errorResponses } },
      handler: async (request) => ({ items: await deps.tokens.listOwn({ principal: personOf(request), actor: request.actor }) }),
    });

    app.delete('/api/me/tokens/:id', {
      config: { access: 'tokens.own' },
      schema: { tags: ['api tokens'], summary: 'Revoke one of your API tokens (again: nothing changes)', params: TokenIdParams, response: { ...errorResponses } },
      handler: async (request, reply) => {
        await deps.tokens.revokeOwn({ principal: personOf(request), actor: request.actor, id: request.params.id });
        return reply.status(204).send();
      },
    });

    app.get('/api/tokens', {
      config: { access: 'tokens.manage' },
      schema: { tags: ['api tokens'], summary: 'Every API token with its user (operators), newest first', querystring: TokenPageQuery, response: { 200: OperatorTokenPageView, ...errorResponses } },
      handler: async (request) => deps.tokens.listAll({ principal: principalOf(request), actor: request.actor, cursor: request.query.cursor }),
    });

    app.post('/api/tokens/:id/revoke', {
      config: { access: 'tokens.manage' },
      schema: { tags: ['api tokens'], summary: 'Revoke any API token (operators)', params: TokenIdParams, response: { ...errorResponses } },
      handler: async (request, reply) => {
        await deps.tokens.revokeAny({ principal: principalOf(request), actor: request.actor, id: request.params.id });
        return reply.status(204).send();
      },
    });
  };
}
