import { existsSync } from 'node:fs';
import { relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.js';

// The single-page UI as Vite builds it (src/web/README.md): index.html for every client route,
// files from public/ under their own names, and the bundle under assets/ with a content hash in
// each name. The build writes a brotli and a gzip form beside every text file that they shrink
// (src/web/build/precompress.ts); they are sent to browsers that accept them (SEC-26).

/** Vite's `assets/[name]-[hash].[ext]`: the name changes whenever the content does. */
const HASHED_ASSET = /^assets\/[^/]+-[\w-]{8}\.[a-z0-9]+$/i;
export const immutable = 'public, max-age=31536000, immutable';

/** A hashed file may be kept for a year unasked; anything else is checked again on every use. */
export function cacheControlFor(pathInRoot: string): string {
  const plain = pathInRoot.split(sep).join('/').replace(/\.(br|gz)$/, '');
  return HASHED_ASSET.test(plain) ? immutable : 'no-cache';
}

export async function registerWebShell(app: FastifyInstance, webRoot: string): Promise<void> {
  const hasWeb = existsSync(`${webRoot}/index.html`);
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      index: false,
      serve: true,
      preCompressed: true,
      // The compressed forms are served in place of their file, never as files of their own.
      globIgnore: ['**/*.br', '**/*.gz'],
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('cache-control', cacheControlFor(relative(webRoot, path)));
        res.setHeader('vary', 'accept-encoding');
      },
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    // Client-side routes of the single-page app get its index (HEAD as GET, without the body);
    // everything else a JSON 404.
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    const isPage = isRead && !request.url.startsWith('/api') && !/\.[a-z0-9]+$/i.test(request.url.split('?')[0] ?? '');
    if (isPage && hasWeb) return reply.type('text/html').sendFile('index.html');
    throw new AppError('not_found');
  });
}
