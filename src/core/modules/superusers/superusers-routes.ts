import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import { LinkBody, LinkedCustomersView, LinkListQuery, LinkPageView, LinkParams, SuperuserLinkView } from './superusers-schemas.js';
import type { SuperusersService } from './superusers-service.js';

// Who is superuser of what (operators, `superusers.manage`), and a user's own accounts.
export function superusersRoutes(deps: { superusers: SuperusersService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/me/customer-accounts', {
      config: { access: 'access.request' },
      schema: { tags: ['superuser access'], summary: 'The customer accounts you are superuser of', response: { 200: LinkedCustomersView, ...errorResponses } },
      handler: async (request) => {
        return { items: await deps.superusers.customersOf({ principal: principalOf(request) }) };
      },
    });

    app.get('/api/superuser-links', {
      config: { access: 'superusers.manage' },
      schema: { tags: ['superuser access'], summary: 'Who is superuser of which customer account (operators)', querystring: LinkListQuery, response: { 200: LinkPageView, ...errorResponses } },
      handler: async (request) => {
        return deps.superusers.list({ principal: principalOf(request), actor: request.actor, query: request.query });
      },
    });

    app.post('/api/superuser-links', {
      config: { access: 'superusers.manage' },
      schema: {
        tags: ['superuser access'],
        summary: 'Make a user superuser of a customer account directly (operators)',
        description: "Ends the user's sessions; their next sign-in asks for two-factor set-up if it is not on.",
        body: LinkBody,
        response: { 201: SuperuserLinkView, ...errorResponses },
      },
      handler: async (request, reply) => {
        return reply.status(201).send(await deps.superusers.link({ principal: principalOf(request), actor: request.actor, email: request.body.email, customerId: request.body.customerId }));
      },
    });

    app.delete('/api/superuser-links/:customerId/:userId', {
      config: { access: 'superusers.manage' },
      schema: { tags: ['superuser access'], summary: 'Remove a superuser from a customer account; effective on their next request (operators)', params: LinkParams, response: { ...errorResponses } },
      handler: async (request, reply) => {
        await deps.superusers.unlink({ principal: principalOf(request), actor: request.actor, userId: request.params.userId, customerId: request.params.customerId });
        return reply.status(204).send();
      },
    });
  };
}
