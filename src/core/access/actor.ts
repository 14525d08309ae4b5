import type { Principal } from './principal.js';

/** Who acted, from where (SEC-12), as the audit trail records it. Built at the edge: HTTP request or CLI. */
export interface Actor {
  userId: string | null;
  role: 'operator' | 'superuser' | 'user' | 'anonymous' | 'system';
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** `password`, `session`, `token`, `cli`, `setup-link` … */
  authMethod: string;
}

/** Where a request came from; the principal says who sent it. */
export interface Origin {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export function anonymousActor(origin: Origin): Actor {
  return { userId: null, role: 'anonymous', authMethod: 'none', ...origin };
}

/** The audit trail's role of a principal: the strongest it holds. */
export function actorRole(principal: Principal): Actor['role'] {
  if (principal.kind === 'system') return 'system';
  return principal.roles.includes('operator') ? 'operator' : principal.roles.includes('superuser') ? 'superuser' : 'user';
}

export function actorFor(principal: Principal, origin: Origin): Actor {
  const authMethod = principal.kind === 'person' ? 'session' : principal.kind === 'machine' ? 'token' : 'cli';
  return { userId: principal.userId, role: actorRole(principal), authMethod, ...origin };
}

/** What the service does on its own (first boot, background work), as the audit trail names it. */
export const serviceActor: Actor = { userId: null, role: 'system', ip: null, userAgent: 'openeks', requestId: null, authMethod: 'none' };
