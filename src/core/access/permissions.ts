import type { Principal, Role, TokenKind } from './principal.js';

// Permissions as data (docs/style.md 9): one table says which role may do what, one which kind of
// API token may do what. The auth hook checks a route's permission before the handler runs (the
// coarse "who may call this route at all"); the services check again where the data is, with the
// object-level scope (device-scope.ts), so a CLI command or a token is held to the same rules.

export const permissions = {
  'session.own': ['operator', 'user'],
  'mail.read': ['operator'],
  'audit.read': ['operator'],
  // The audit trail page (docs/audit-trail.md): everyone reads the records of the devices he may
  // see (device-scope.ts); operators every record, account and security events included.
  'audit.read_own': ['operator', 'user'],
  'vault.read': ['operator'],
  'vault.manage': ['operator'],
  'users.manage': ['operator'],
  'settings.manage': ['operator'],
  'customers.manage': ['operator'],
  // Every signed-in user may list devices; what they see is narrowed by device-scope.ts.
  'devices.read': ['operator', 'user'],
  'devices.import': ['operator'],
  // Reading the active key of a device one may see (the telegram check today; downloads and the
  // key sync with the keys-out issue).
  'keys.read': ['operator', 'user'],
  'keys.manage': ['operator'],
  'telegram.check': ['operator', 'user'],
  // Superuser access (docs/superusers.md): users ask, operators decide and link.
  'access.request': ['user'],
  'access.decide': ['operator'],
  'superusers.manage': ['operator'],
  // Handing read rights on (docs/grants.md): superusers for their customer accounts' devices, operators
  // for all. Readers hold no such permission, so they can never re-share.
  'grants.manage': ['operator', 'superuser'],
  // The key sync (docs/key-sync.md): no role, only gateway and concentrator tokens, whose user
  // must hold keys.read (tokenOnly below). A session or a read token never reaches it.
  'keys.sync': [],
  // API tokens (docs/api-tokens.md): everyone keeps his own, operators see and revoke all. No
  // token kind holds either: a token never creates or revokes tokens.
  'tokens.own': ['operator', 'user'],
  'tokens.manage': ['operator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

/** What a token of each kind may do at most; its user's roles narrow it further. */
export const tokenPermissions = {
  read: ['devices.read', 'keys.read'],
  gateway: ['devices.read', 'keys.read', 'telegram.check', 'keys.sync'],
  concentrator: ['devices.read', 'keys.read', 'keys.sync'],
} as const satisfies Record<TokenKind, readonly Permission[]>;

/** Permissions that only tokens hold: the permission their user's roles must grant instead. */
const tokenOnly: Partial<Record<Permission, Permission>> = { 'keys.sync': 'keys.read' };

export function rolesMay(roles: readonly Role[], permission: Permission): boolean {
  const allowed: readonly Role[] = permissions[permission];
  return roles.some((role) => allowed.includes(role));
}

/** Whether the principal holds the permission (not yet whether it may touch a given object). */
export function can(principal: Principal, permission: Permission): boolean {
  switch (principal.kind) {
    case 'system':
      return true;
    case 'person':
      return rolesMay(principal.roles, permission);
    case 'machine': {
      const allowed: readonly Permission[] = tokenPermissions[principal.tokenKind];
      return allowed.includes(permission) && rolesMay(principal.roles, tokenOnly[permission] ?? permission);
    }
  }
}
