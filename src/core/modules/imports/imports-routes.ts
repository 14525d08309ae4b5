import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../../shared/errors.js';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import type { ImportService } from './import-service.js';
import { MAX_UPLOAD_BYTES, spoolToTempFile } from './import-spool.js';
import { ImportList, ImportParams, ImportQuery, ImportView } from './imports-schemas.js';

const errorRef = Type.Ref('ErrorBody');
/** The file's content types: the body is passed through as a stream, never parsed or buffered. */
const fileTypes = ['application/octet-stream', 'text/csv', 'application/zip', 'application/xml'];
export const kemPasswordHeader = 'x-kem-password';

export function importsRoutes(deps: { imports: Pick<ImportService, 'start' | 'run' | 'get' | 'list'>; maxUploadBytes?: number }): FastifyPluginAsyncTypebox {
  const maxBytes = deps.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  return async (app) => {
    // Encapsulated in this plugin: only the import routes take a raw file body.
    app.addContentTypeParser(fileTypes, (_request, payload, done) => done(null, payload));

    app.post('/api/imports', {
      config: { access: 'devices.import' },
      bodyLimit: maxBytes,
      schema: {
        tags: ['imports'],
        summary: `Import a CSV, KEM or KEM2 file (bare or in its ZIP) sent as the raw body; the KEM password in the ${kemPasswordHeader} header. All or nothing.`,
        querystring: ImportQuery,
        response: { 200: ImportView, 202: ImportView, ...errorResponses, 409: errorRef, 413: errorRef, 415: errorRef, 422: errorRef },
      },
      handler: async (request, reply) => {
        const principal = principalOf(request);
        // The parser above hands the request stream through; any other body was parsed already.
        const body = request.raw;
        if (request.body !== body) throw new AppError('unsupported_media_type', `Send the file as the raw body (${fileTypes.join(', ')}).`);
        const declared = Number(request.headers['content-length'] ?? '0');
        if (declared > maxBytes) {
          void reply.header('connection', 'close');
          throw new AppError('body_too_large');
        }
        const spooled = await spoolToTempFile(body, maxBytes).catch((err: unknown) => {
          if (err instanceof AppError && err.code === 'body_too_large') void reply.header('connection', 'close');
          throw err;
        });
        const password = request.headers[kemPasswordHeader];
        const q = request.query;
        const input = {
          path: spooled.path,
          fileName: q.fileName ?? 'upload',
          ...(typeof password === 'string' ? { password } : {}),
          newVersion: q.newVersion ?? false,
          ...(q.customerNo === undefined ? {} : { customerNo: q.customerNo }),
          ...(q.deliveryDate === undefined ? {} : { deliveryDate: q.deliveryDate }),
          principal,
          actor: request.actor,
          release: spooled.remove,
        };
        if (q.wait === true) return reply.code(200).send(await deps.imports.run(input));
        return reply.code(202).send(await deps.imports.start(input));
      },
    });

    app.get('/api/imports/:id', {
      config: { access: 'devices.import' },
      schema: { tags: ['imports'], summary: 'One import with its progress, counts and problems', params: ImportParams, response: { 200: ImportView, ...errorResponses } },
      handler: async (request) => {
        return deps.imports.get({ principal: principalOf(request), actor: request.actor, id: request.params.id });
      },
    });

    app.get('/api/imports', {
      config: { access: 'devices.import' },
      schema: { tags: ['imports'], summary: 'The newest 50 imports', response: { 200: ImportList, ...errorResponses } },
      handler: async (request) => {
        return { items: await deps.imports.list({ principal: principalOf(request), actor: request.actor }) };
      },
    });
  };
}
