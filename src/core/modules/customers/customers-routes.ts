import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../http/schemas.js';
import { requirePermission } from '../auth/permissions.js';
import { CustomerCreateBody, CustomerListQuery, CustomerPageView, CustomerParams, CustomerUpdateBody, CustomerView } from './customers-schemas.js';
import type { CustomersService } from './customers-service.js';

const responses = { ...errorResponses, 409: Type.Ref('ErrorBody') };

export function customersRoutes(deps: { customers: CustomersService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/customers', {
      config: { access: 'customers.manage' },
      schema: { tags: ['customers'], summary: 'Customer accounts in number order, searchable (operators)', querystring: CustomerListQuery, response: { 200: CustomerPageView, ...responses } },
      handler: async (request) => {
        requirePermission(request.principal?.roles ?? [], 'customers.manage');
        return deps.customers.list({ q: request.query.q, cursor: request.query.cursor, limit: request.query.limit ?? 50 });
      },
    });

    app.post('/api/customers', {
      config: { access: 'customers.manage' },
      schema: { tags: ['customers'], summary: 'Create a customer account (operators)', body: CustomerCreateBody, response: { 201: CustomerView, ...responses } },
      handler: async (request, reply) => {
        requirePermission(request.principal?.roles ?? [], 'customers.manage');
        const customer = await deps.customers.create({ ...request.body, actor: request.actor });
        return reply.status(201).send(customer);
      },
    });

    app.get('/api/customers/:id', {
      config: { access: 'customers.manage' },
      schema: { tags: ['customers'], summary: 'One customer account (operators)', params: CustomerParams, response: { 200: CustomerView, ...responses } },
      handler: async (request) => {
        requirePermission(request.principal?.roles ?? [], 'customers.manage');
        return deps.customers.get({ id: request.params.id });
      },
    });

    app.patch('/api/customers/:id', {
      config: { access: 'customers.manage' },
      schema: { tags: ['customers'], summary: 'Change a customer account (operators)', params: CustomerParams, body: CustomerUpdateBody, response: { 200: CustomerView, ...responses } },
      handler: async (request) => {
        requirePermission(request.principal?.roles ?? [], 'customers.manage');
        return deps.customers.update({ ...request.body, id: request.params.id, actor: request.actor });
      },
    });
  };
}
