import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import { ExportBody, ExportIdParams, ExportPreviewBody, ExportPreviewView, ExportView } from './export-schemas.js';
import { leftOutText, type ExportService } from './export-service.js';

// Downloads (docs/downloads.md "Downloading"): everyone who may read keys (`keys.read`: people
// and API tokens) downloads the active keys of the devices of his scope. POST everywhere: a
// selection can be large. Every refusal is a JSON error before the first byte of the file; a
// failure after it (an audit record that cannot be written) aborts the transfer.
export function exportRoutes(deps: { exports: Pick<ExportService, 'preview' | 'start' | 'view'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/exports/preview', {
      config: { access: 'keys.read' },
      schema: {
        tags: ['downloads'],
        summary: 'What a download of the selection would hold: devices and keys that leave, devices left out and why, the file name (changes nothing)',
        body: ExportPreviewBody,
        response: { 200: ExportPreviewView, ...errorResponses },
      },
      handler: async (request) => deps.exports.preview({ principal: principalOf(request), actor: request.actor, selection: request.body.selection, format: request.body.format }),
    });

    app.post('/api/exports', {
      config: { access: 'keys.read' },
      schema: {
        tags: ['downloads'],
        summary:
          'Download the active keys of the selected devices in a format, streamed. Headers: X-OpenEKS-Export-Id (poll GET /api/exports/{id}), X-OpenEKS-Devices, X-OpenEKS-Left-Out. A session needs a sign-in within 5 minutes (401 reauth_required).',
        body: ExportBody,
        response: { ...errorResponses },
      },
      handler: async (request, reply) => {
        const body = request.body;
        const started = await deps.exports.start({
          principal: principalOf(request),
          actor: request.actor,
          selection: body.selection,
          format: body.format,
          password: body.password,
          encryptTo: body.encryptTo,
        });
        const out = new PassThrough();
        void started.run(out).catch((err: unknown) => request.log.warn({ err: err instanceof Error ? err.message : String(err), exportId: started.id }, 'download aborted'));
        void reply
          .header('content-type', started.contentType)
          .header('content-disposition', `attachment; filename="${started.fileName}"`)
          .header('cache-control', 'no-store')
          .header('x-openeks-export-id', started.id)
          .header('x-openeks-devices', String(started.total))
          .header('x-openeks-left-out', leftOutText(started.leftOut));
        return reply.send(out);
      },
    });

    app.get('/api/exports/:id', {
      config: { access: 'keys.read' },
      schema: {
        tags: ['downloads'],
        summary: "A download's progress (rows written / total) and outcome: your own, or any for operators",
        params: ExportIdParams,
        response: { 200: ExportView, ...errorResponses },
      },
      handler: async (request) => deps.exports.view({ principal: principalOf(request), actor: request.actor, id: request.params.id }),
    });
  };
}
