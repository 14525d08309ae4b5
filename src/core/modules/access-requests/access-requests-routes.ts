import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import {
  AccessRequestBody,
  AccessRequestView,
  ApproveBody,
  OwnRequestsView,
  QueuedRequestView,
  QueuePageView,
  QueueQuery,
  RejectBody,
  RequestParams,
  WithdrawBody,
} from './access-requests-schemas.js';
import type { AccessRequestsService } from './access-requests-service.js';

// docs/superusers.md: users ask (`access.request`), operators decide (`access.decide`). Each side
// answers 404 to the other.
export function accessRequestsRoutes(deps: { accessRequests: AccessRequestsService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/me/access-requests', {
      config: { access: 'access.request' },
      schema: { tags: ['superuser access'], summary: 'Ask for superuser access to a customer account', body: AccessRequestBody, response: { 201: AccessRequestView, ...errorResponses } },
      handler: async (request, reply) => {
        const created = await deps.accessRequests.create({ principal: principalOf(request), actor: request.actor, input: request.body });
        return reply.status(201).send(created);
      },
    });

    app.get('/api/me/access-requests', {
      config: { access: 'access.request' },
      schema: { tags: ['superuser access'], summary: 'Your superuser requests, newest first', response: { 200: OwnRequestsView, ...errorResponses } },
      handler: async (request) => {
        return { items: await deps.accessRequests.listOwn({ principal: principalOf(request), actor: request.actor }) };
      },
    });

    app.post('/api/me/access-requests/:id/withdraw', {
      config: { access: 'access.request' },
      schema: { tags: ['superuser access'], summary: 'Withdraw your open superuser request', params: RequestParams, body: WithdrawBody, response: { 200: AccessRequestView, ...errorResponses } },
      handler: async (request) => {
        return deps.accessRequests.withdraw({ principal: principalOf(request), actor: request.actor, id: request.params.id });
      },
    });

    app.get('/api/access-requests', {
      config: { access: 'access.decide' },
      schema: { tags: ['superuser access'], summary: 'The queue of superuser requests (operators)', querystring: QueueQuery, response: { 200: QueuePageView, ...errorResponses } },
      handler: async (request) => {
        return deps.accessRequests.queue({ principal: principalOf(request), actor: request.actor, query: request.query });
      },
    });

    app.get('/api/access-requests/:id', {
      config: { access: 'access.decide' },
      schema: { tags: ['superuser access'], summary: 'One superuser request with its matching customer accounts (operators)', params: RequestParams, response: { 200: QueuedRequestView, ...errorResponses } },
      handler: async (request) => {
        return deps.accessRequests.get({ principal: principalOf(request), actor: request.actor, id: request.params.id });
      },
    });

    app.post('/api/access-requests/:id/approve', {
      config: { access: 'access.decide' },
      schema: {
        tags: ['superuser access'],
        summary: 'Approve a request: link the requester to customer accounts (operators)',
        description: "Ends the requester's sessions; their next sign-in asks for two-factor set-up if it is not on.",
        params: RequestParams,
        body: ApproveBody,
        response: { 200: QueuedRequestView, ...errorResponses },
      },
      handler: async (request) => {
        return deps.accessRequests.approve({ principal: principalOf(request), actor: request.actor, id: request.params.id, customerIds: request.body.customerIds, note: request.body.note });
      },
    });

    app.post('/api/access-requests/:id/reject', {
      config: { access: 'access.decide' },
      schema: { tags: ['superuser access'], summary: 'Reject a request with a reason the requester sees (operators)', params: RequestParams, body: RejectBody, response: { 200: QueuedRequestView, ...errorResponses } },
      handler: async (request) => {
        return deps.accessRequests.reject({ principal: principalOf(request), actor: request.actor, id: request.params.id, reason: request.body.reason });
      },
    });
  };
}
