import type { FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.js';
import type { PersonPrincipal, Principal } from '../access/principal.js';

/** The principal the auth hook found; routes that declare any access but `public` always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthenticated');
  return request.principal;
}

/**
 * The signed-in person, for what only a person has: sessions, a password, a second factor, a
 * profile. A token asking for these gets "not found", like any route it may not use.
 */
export function personOf(request: FastifyRequest): PersonPrincipal {
  const principal = principalOf(request);
  if (principal.kind !== 'person') throw new AppError('not_found');
  return principal;
}
