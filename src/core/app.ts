import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { newId } from '../lib/ids.js';
import { loggerOptions } from '../lib/logger.js';
import type { Container } from './container.js';
import { registerAuthHook } from './http/auth-hook.js';
import { registerErrorHandler } from './http/error-handler.js';
import { registerQueryCoercion } from './http/query-coercion.js';
import { registerRateLimit } from './http/rate-limit.js';
import type { RouteEntry } from './http/fastify-types.js';
import { ErrorBody } from './http/schemas.js';
import { applySecurityHeaders, registerSecurityHeaders } from './http/security-headers.js';
import { registerTextGuard } from './http/text-guard.js';
import { registerWebShell } from './http/web-shell.js';
import { accountsRoutes } from './modules/accounts/accounts-routes.js';
import { authRoutes } from './modules/auth/auth-routes.js';
import { healthRoutes } from './modules/health/health-routes.js';
import { signingRoutes } from './modules/signing/signing-routes.js';
import { mailRoutes } from './modules/mail/mail-routes.js';
import { mfaRoutes } from './modules/mfa/mfa-routes.js';
import { settingsRoutes } from './modules/settings/settings-routes.js';
import { vaultStatusRoutes } from './modules/vault-status/vault-status-routes.js';
import { customersRoutes } from './modules/customers/customers-routes.js';
import { devicesRoutes } from './modules/devices/devices-routes.js';
import { grantsRoutes } from './modules/grants/grants-routes.js';
import { openPgpKeysRoutes } from './modules/openpgp/openpgp-keys-routes.js';
import { importsRoutes } from './modules/imports/imports-routes.js';
import { keysRoutes } from './modules/keys/keys-routes.js';
import { auditRoutes } from './modules/audit/audit-routes.js';
import { accessRequestsRoutes } from './modules/access-requests/access-requests-routes.js';
import { superusersRoutes } from './modules/superusers/superusers-routes.js';
import { telegramCheckRoutes } from './modules/telegram-check/telegram-check-routes.js';

export interface AppOptions {
  /** A pino logger to use, or false for none; the default logs per OPENEKS_LOG_LEVEL. */
  logger?: FastifyBaseLogger | false;
  /** Requests per minute and source address, refused ones included; auth routes count also against their own, lower limit. */
  rateLimits?: { global: number; auth: number };
  /** Redis key prefix of the shared counters; instances of one deployment share it. */
  rateLimitNamespace?: string;
  webRoot?: string;
}

/**
 * The web shell Vite builds into src/web/dist. This module runs either as src/core/app.ts (tsx)
 * or compiled as dist/src/core/app.js (npm run build:cli), so the shell is looked for next to the
 * sources first, then from the compiled copy back up to the real src/web/dist.
 */
export const defaultWebRoot = [new URL('../web/dist/', import.meta.url), new URL('../../../src/web/dist/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL('../web/dist/', import.meta.url));

/** Builds the HTTP application without listening (Fastify's build/listen split). */
export async function buildApp(container: Container, options: AppOptions = {}): Promise<FastifyInstance> {
  const https = container.config.publicUrl.protocol === 'https:';
  const limits = options.rateLimits ?? { global: 300, auth: 10 };
  const app = Fastify({
    ...(options.logger === undefined ? { logger: loggerOptions(container.config.logLevel) } : options.logger === false ? { logger: false } : { loggerInstance: options.logger }),
    genReqId: () => newId('req'),
    requestIdHeader: false,
    trustProxy: container.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // No coercion (Fastify's default is 'array': `true` became "true", ["x"] became "x"): a JSON
    // body is taken with the types it says. Query strings and path parameters, which are text, get
    // their numbers and booleans from registerQueryCoercion, strictly (1e309 is no integer).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // A URL the router cannot decode fails before any route or hook runs: it still gets the one
    // error body (the error handler below), its request id and the security headers (an API
    // path's no-store too), never Fastify's own body.
    frameworkErrors: (error, request, reply) => {
      void reply.header('x-request-id', request.id);
      applySecurityHeaders(request, reply, { https });
      request.server.errorHandler(error, request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // Counted before any other work, refusals included (SEC-35): ahead of the auth hook below.
  await registerRateLimit(app, { globalMax: limits.global, redis: container.redis, nameSpace: options.rateLimitNamespace ?? 'openeks-rl:' });
  const inventory: RouteEntry[] = [];
  app.decorate('routeInventory', inventory);
  app.addHook('onRoute', (route) => {
    // API routes must declare their access (the auth hook refuses those that do not); the docs
    // and the web shell's static files are public reading matter.
    const isDocs = route.url.startsWith('/api/docs') || route.url === '/api/openapi.json';
    if (isDocs || !route.url.startsWith('/api')) {
      route.config = { access: 'public', ...(route.config ?? {}) };
      if (isDocs) route.schema = { ...(route.schema ?? {}), hide: true };
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) inventory.push({ method, url: route.url, access: route.config?.access, allowStages: route.config?.allowStages });
  });
  registerErrorHandler(app, {
    databaseDown: () =>
      container.db.ping().then(
        () => false,
        () => true,
      ),
  });
  registerSecurityHeaders(app, { https });
  registerTextGuard(app);
  registerQueryCoercion(app);
  app.addSchema(ErrorBody);

  await app.register(cookie);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'openeks', description: 'The open Encryption Key Service: the same API the web UI uses.', version: '0.1.0' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'openeks_session' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: false, uiConfig: { deepLinking: false } });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  registerAuthHook(app, { authenticate: (token) => container.sessions.authenticate(token), recordDenial: container.recordDenial, https });

  await app.register(healthRoutes({ readiness: container.readiness }));
  await app.register(signingRoutes({ signingKeys: container.signingKeys }));
  await app.register(authRoutes({ sessions: container.sessions, signIn: container.signIn, userAdmin: container.userAdmin, operatorSetup: container.operatorSetup, https, authRateLimit: limits.auth }));
  await app.register(mfaRoutes({ mfa: container.mfa, https, authRateLimit: limits.auth }));
  await app.register(
    accountsRoutes({ registration: container.registration, passwordResets: container.passwordResets, profile: container.profile, https, authRateLimit: limits.auth, mailRateLimit: limits.auth }),
  );
  await app.register(mailRoutes({ outbox: container.outbox }));
  await app.register(vaultStatusRoutes({ vaultStatus: container.vaultStatus }));
  await app.register(auditRoutes({ auditTrail: container.auditTrail, auditRecords: container.auditRecords }));
  await app.register(settingsRoutes({ settings: container.settings }));
  await app.register(customersRoutes({ customers: container.customers }));
  await app.register(devicesRoutes({ devices: container.devices }));
  await app.register(grantsRoutes({ grants: container.grants }));
  await app.register(openPgpKeysRoutes({ openPgpKeys: container.openPgpKeys }));
  await app.register(keysRoutes({ keyVersions: container.keyVersions }));
  await app.register(importsRoutes({ imports: container.imports }));
  await app.register(telegramCheckRoutes({ telegramCheck: container.telegramCheck }));
  await app.register(accessRequestsRoutes({ accessRequests: container.accessRequests }));
  await app.register(superusersRoutes({ superusers: container.superusers }));

  await registerWebShell(app, options.webRoot ?? defaultWebRoot);

  return app;
}
