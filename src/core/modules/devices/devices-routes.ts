import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import { DeviceCountQuery, DeviceCountView, DeviceDetailView, DeviceListQuery, DevicePageView, DeviceParams } from './devices-schemas.js';
import type { DevicesService } from './devices-service.js';

// Every signed-in user may list devices (`devices.read`); the service narrows what they see to
// their device scope, so someone else's device is "not found" (and audited).
export function devicesRoutes(deps: { devices: Pick<DevicesService, 'list' | 'count' | 'get'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/devices', {
      config: { access: 'devices.read' },
      schema: { tags: ['devices'], summary: 'A page of the devices you may see', querystring: DeviceListQuery, response: { 200: DevicePageView, ...errorResponses } },
      handler: async (request) => {
        return deps.devices.list({ principal: principalOf(request), actor: request.actor, query: request.query });
      },
    });

    app.get('/api/devices/count', {
      config: { access: 'devices.read' },
      schema: { tags: ['devices'], summary: 'How many devices you may see match the filters', querystring: DeviceCountQuery, response: { 200: DeviceCountView, ...errorResponses } },
      handler: async (request) => {
        return { total: await deps.devices.count({ principal: principalOf(request), actor: request.actor, query: request.query }) };
      },
    });

    app.get('/api/devices/:id', {
      config: { access: 'devices.read' },
      schema: { tags: ['devices'], summary: 'One device with its key versions (metadata, never key material)', params: DeviceParams, response: { 200: DeviceDetailView, ...errorResponses } },
      handler: async (request) => {
        return deps.devices.get({ principal: principalOf(request), actor: request.actor, id: request.params.id });
      },
    });
  };
}
