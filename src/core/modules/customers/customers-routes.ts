import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import { CustomerCreateBody, CustomerListQuery, CustomerPageView, CustomerParams, CustomerUpdateBody, CustomerView } from './customers-schemas.js';
import type { CustomersService } from './customers-service.js';

const responses = { ...errorResponses, 409: Type.Ref('ErrorBody') };

export function customersRoutes(deps: { customers: CustomersService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/customers', {
      config: { access: 'customers.manage' },
      schema: { tags: ['customers'], summary: 'Customer accounts in number order, searchable (operators)', querystring: CustomerListQuery, response: { 200: CustomerPageView, ...responses } },
      handler: async (request) => {
        return deps.customers.list({ principal: principalOf(request), actor: request.actor, q: request.query.q, cursor: request.query.cursor, limit: request.query.limit ?? 50 });
      },
    });

    app.post('/api/customers', {
      config: { access: 'customers.manage' },
      schema: { tags: ['customers'], summary: 'Create a customer account (operators)', body: CustomerCreateBody, response: { 201: CustomerView, ...responses } },
      handler: async (request, reply) => {
        const customer = await deps.customers.create({ ...request.body, principal: principalOf(request), actor: request.actor });
        return reply.status(201).send(customer);
      },
    });

    app.get('/api/customers/:id', {
      config: { access: 'customers.manage' },
      schema: { tags: ['customers'], summary: 'One customer account (operators)', params: CustomerParams, response: { 200: CustomerView, ...responses } },
      handler: async (request) => {
        return deps.customers.get({ principal: principalOf(request), actor: request.actor, id: request.params.id });
      },
    });

    app.patch('/api/customers/:id', {
      config: { access: 'customers.manage' },
      schema: { tags: ['customers'], summary: 'Change a customer account (operators)', params: CustomerParams, body: CustomerUpdateBody, response: { 200: CustomerView, ...responses } },
      handler: async (request) => {
        return deps.customers.update({ ...request.body, id: request.params.id, principal: principalOf(request), actor: request.actor });
      },
    });
  };
}
