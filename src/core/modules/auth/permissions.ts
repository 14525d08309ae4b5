import { AppError } from '../../../lib/errors.js';

// Permissions as data (docs/style.md 9): one table says which role may do what. Routes name the
// permission they need; services check it again where an object is involved.
// `superuser` is held beside `user` while the user is linked to at least one customer account;
// it is read from the links on every request (docs/superusers.md), never kept in the session.
export type Role = 'operator' | 'user' | 'superuser';

export const permissions = {
  'session.own': ['operator', 'user'],
  'mail.read': ['operator'],
  'audit.read': ['operator'],
  'vault.read': ['operator'],
  'users.manage': ['operator'],
  'settings.manage': ['operator'],
  'customers.manage': ['operator'],
  // Every signed-in user may list devices; what they see is narrowed by devices/device-scope.ts.
  'devices.read': ['operator', 'user'],
  'devices.import': ['operator'],
  'keys.manage': ['operator'],
  'telegram.check': ['operator', 'user'],
  // Superuser access (issue 6, docs/superusers.md): users ask, operators decide and link.
  'access.request': ['user'],
  'access.decide': ['operator'],
  'superusers.manage': ['operator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function can(roles: readonly Role[], permission: Permission): boolean {
  const allowed: readonly Role[] = permissions[permission];
  return roles.some((role) => allowed.includes(role));
}

/**
 * Operator-only areas answer "not found" to everyone else, so their existence is not disclosed
 * (the access-request issue asks for 404 there).
 */
export function requirePermission(roles: readonly Role[], permission: Permission): void {
  if (!can(roles, permission)) throw new AppError('not_found');
}
