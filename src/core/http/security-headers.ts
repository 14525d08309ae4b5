import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// SEC-26. The CSP allows no inline script or style: the web shell ships as files only.
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

function decodeSegment(segment: string): string {
  // Decoded until it stops changing (a double-encoded "%2561" too), at most a few times; a segment
  // that does not decode is taken as it is.
  let current = segment;
  for (let i = 0; i < 3; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      break;
    }
    if (decoded === current) break;
    current = decoded;
  }
  return current;
}

/**
 * Whether a request's URL names something under /api once decoded and normalised the way a
 * router or proxy might read it: percent-encoding undone (`/%61pi/me` is `/api/me`), `\` taken
 * as `/`, empty and `.` segments dropped, `..` applied, letters' case ignored. Deciding on the raw
 * URL let `/%61pi/me` answer the profile without `Cache-Control`; erring towards no-store costs
 * nothing.
 */
export function isApiPath(url: string): boolean {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    for (const segment of decodeSegment(raw).split(/[/\\]/)) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') segments.pop();
      else segments.push(segment);
    }
  }
  return segments[0]?.toLowerCase() === 'api';
}

/** The headers every answer carries, API answers also no-store; see SEC-26. */
export function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply, opts: { https: boolean }): void {
  reply.header('content-security-policy', contentSecurityPolicy);
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), usb=(), serial=()');
  if (opts.https) reply.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
  // Everything under /api can carry a key, a token or personal data: never cached anywhere. The
  // route matched says so too (whatever spelling of its URL reached it).
  if (isApiPath(request.url) || request.routeOptions.url?.startsWith('/api') === true) reply.header('cache-control', 'no-store');
}

/**
 * On every answer of a route or the not-found handler. A URL the router cannot decode is answered
 * before any hook runs (Fastify's frameworkErrors, app.ts), which calls applySecurityHeaders itself.
 */
export function registerSecurityHeaders(app: FastifyInstance, opts: { https: boolean }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    applySecurityHeaders(request, reply, opts);
    return payload;
  });
}
