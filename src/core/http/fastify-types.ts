import type { Actor } from '../access/actor.js';
import type { Permission } from '../access/permissions.js';
import type { PendingStage, Principal } from '../access/principal.js';

/**
 * What a route needs before its handler runs. Every route declares one (deny by default, SEC-27):
 * `public` (no session), `signed-in`, or a permission from the permissions table.
 */
export type Access = 'public' | 'signed-in' | Permission;

/** Every route as registered: the shared route-security suite walks this list. */
export interface RouteEntry {
  method: string;
  url: string;
  access: Access | undefined;
  /** The unfinished session stages the route admits (none: complete sessions only). */
  allowStages?: readonly PendingStage[] | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeInventory: readonly RouteEntry[];
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * Unfinished sessions (password right, second factor or its enrolment still due) may use
     * only routes that list their stage here; deny by default. Meaningful with `signed-in`.
     */
    allowStages?: readonly PendingStage[];
  }
  interface FastifyRequest {
    principal: Principal | null;
    actor: Actor;
  }
}
