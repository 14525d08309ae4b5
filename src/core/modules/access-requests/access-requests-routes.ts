import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../auth/auth-routes.js';
import { requirePermission } from '../auth/permissions.js';
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
        const principal = principalOf(request);
        requirePermission(principal.roles, 'access.request');
        const created = await deps.accessRequests.create({ userId: principal.userId, superuserOf: principal.customerAccountIds, input: request.body, actor: request.actor });
        return reply.status(201).send(created);
      },
    });

    app.get('/api/me/access-requests', {
      config: { access: 'access.request' },
      schema: { tags: ['superuser access'], summary: 'Your superuser requests, newest first', response: { 200: OwnRequestsView, ...errorResponses } },
      handler: async (request) => {
        const principal = principalOf(request);
        requirePermission(principal.roles, 'access.request');
        return { items: await deps.accessRequests.listOwn({ userId: principal.userId }) };
      },
    });

    app.post('/api/me/access-requests/:id/withdraw', {
      config: { access: 'access.request' },
      schema: { tags: ['superuser access'], summary: 'Withdraw your open superuser request', params: RequestParams, body: WithdrawBody, response: { 200: AccessRequestView, ...errorResponses } },
      handler: async (request) => {
        const principal = principalOf(request);
        requirePermission(principal.roles, 'access.request');
        return deps.accessRequests.withdraw({ id: request.params.id, userId: principal.userId, actor: request.actor });
      },
    });

    app.get('/api/access-requests', {
      config: { access: 'access.decide' },
      schema: { tags: ['superuser access'], summary: 'The queue of superuser requests (operators)', querystring: QueueQuery, response: { 200: QueuePageView, ...errorResponses } },
      handler: async (request) => {
        requirePermission(principalOf(request).roles, 'access.decide');
        return deps.accessRequests.queue(request.query);
      },
    });

    app.get('/api/access-requests/:id', {
      config: { access: 'access.decide' },
      schema: { tags: ['superuser access'], summary: 'One superuser request with its matching customer accounts (operators)', params: RequestParams, response: { 200: QueuedRequestView, ...errorResponses } },
      handler: async (request) => {
        requirePermission(principalOf(request).roles, 'access.decide');
        return deps.accessRequests.get({ id: request.params.id });
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
        requirePermission(principalOf(request).roles, 'access.decide');
        return deps.accessRequests.approve({ id: request.params.id, customerIds: request.body.customerIds, note: request.body.note, actor: request.actor });
      },
    });

    app.post('/api/access-requests/:id/reject', {
      config: { access: 'access.decide' },
      schema: { tags: ['superuser access'], summary: 'Reject a request with a reason the requester sees (operators)', params: RequestParams, body: RejectBody, response: { 200: QueuedRequestView, ...errorResponses } },
      handler: async (request) => {
        requirePermission(principalOf(request).roles, 'access.decide');
        return deps.accessRequests.reject({ id: request.params.id, reason: request.body.reason, actor: request.actor });
      },
    });
  };
}
