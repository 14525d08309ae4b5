import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { throttleSubject } from '../../lib/source-address.js';
import { AppError } from '../../shared/errors.js';
import { LocalCounterStore } from './rate-limit-store.js';

export interface RateLimitDeps {
  /** Requests a minute per source address, over every route (the health probes excepted). */
  globalMax: number;
  /** Counters shared by the instances of one deployment; undefined: counted in this process. */
  redis?: Redis;
  /** Redis key prefix of the shared counters. */
  nameSpace: string;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
type RouteLimit = Exclude<FastifyRequest['routeOptions']['config']['rateLimit'], false | undefined>;

const window = '1 minute';

/**
 * SEC-35: every request is counted per source address before any other work — before the auth
 * hook, the session lookup, the body and the route. A route may declare a lower limit of its own
 * (`config.rateLimit`, e.g. sign-in), counted on top of the global one; `rateLimit: false` exempts
 * it (the load balancer's health probes).
 *
 * The plugin's own hooks are route hooks, and Fastify runs those after every application-level
 * onRequest hook — after the auth hook. That is how refusals (401, 404) went uncounted and how an
 * address already limited still got 401s (issue 11). So the plugin is registered in a scope of its
 * own, where it sees no route and adds no hook, and serves only as the counter store (in process:
 * rate-limit-store.ts, or in Redis); the one application hook below, ahead of the auth hook, enforces.
 */
export async function registerRateLimit(app: FastifyInstance, deps: RateLimitDeps): Promise<void> {
  let create: FastifyInstance['createRateLimit'] | undefined;
  await app.register(async (scope) => {
    await scope.register(rateLimit, {
      global: false,
      max: deps.globalMax,
      timeWindow: window,
      // Per source address, IPv6 by its /64 (one subscriber usually holds a whole /64), as the
      // sign-in throttle counts.
      keyGenerator: (request) => throttleSubject(request.ip),
      ...(deps.redis ? { redis: deps.redis, nameSpace: deps.nameSpace } : { store: LocalCounterStore }),
    });
    create = (options) => scope.createRateLimit(options);
  });
  if (!create) throw new Error('the rate-limit plugin did not load');
  const limiterOf = create;

  const overall = limiterOf();
  // One counter per route that declares its own limit, keyed by route and address (in Redis all
  // of them share one key space).
  const perRoute = new Map<string, Limiter>();
  const routeLimiter = (route: string, limit: RouteLimit): Limiter => {
    let limiter = perRoute.get(route);
    if (!limiter) {
      limiter = limiterOf({ max: limit.max, timeWindow: limit.timeWindow ?? window, keyGenerator: (request) => `${route} ${throttleSubject(request.ip)}` });
      perRoute.set(route, limiter);
    }
    return limiter;
  };

  app.addHook('onRequest', async (request, reply) => {
    const own = request.routeOptions.config.rateLimit;
    if (own === false) return;
    await enforce(overall, request, reply);
    if (own) await enforce(routeLimiter(`${request.method} ${request.routeOptions.url ?? ''}`, own), request, reply);
  });
}

/** Counts the request; past the limit it is refused with 429 and `Retry-After` (seconds). */
async function enforce(limiter: Limiter, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const state = await limiter(request);
  if (state.isAllowed) return;
  void reply.header('x-ratelimit-limit', state.max);
  void reply.header('x-ratelimit-remaining', state.remaining);
  void reply.header('x-ratelimit-reset', state.ttlInSeconds);
  if (!state.isExceeded) return;
  void reply.header('retry-after', Math.max(1, state.ttlInSeconds));
  throw new AppError('rate_limited');
}
