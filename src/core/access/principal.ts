import type { DeviceFilter } from '../../shared/api/devices.js';
import type { Bytewise } from './device-filter-where.js';

// Who is asking. Every service that reads or changes devices, keys, customer accounts, grants or
// audit records takes a Principal and applies its rights itself (docs/architecture.md "Access"),
// so a new route, a CLI command or an API token cannot forget the check.

/**
 * `superuser` is held beside `user` while the user is linked to at least one customer account;
 * it is read from the links on every request (docs/superusers.md), never kept in a session.
 */
export type Role = 'operator' | 'user' | 'superuser';

/**
 * `complete`: signed in. `mfa`: the password was right, the second factor is still due.
 * `enrol`: the password was right, but the account must set up a second factor first.
 */
export type SessionStage = 'complete' | 'mfa' | 'enrol';
export type PendingStage = Exclude<SessionStage, 'complete'>;

/** The rights every principal carries, read afresh on every request (SEC-29). */
interface Rights {
  roles: Role[];
  /** The customer accounts whose devices the user may see as superuser. */
  customerAccountIds: string[];
}

/** A person signed in with a session cookie. */
export interface PersonPrincipal extends Rights {
  kind: 'person';
  userId: string;
  email: string;
  name: string | null;
  language: 'de' | 'en';
  sessionId: string;
  stage: SessionStage;
  /** 1: password; 2: password and a second factor. */
  aal: number;
  /** When the user last proved who they are in this session (step-up, SEC-25). */
  authenticatedAt: string | null;
}

/** What an API token is for (docs/product.md flow 7 and 10); each kind may do less than its user. */
export type TokenKind = 'read' | 'gateway' | 'concentrator';

/**
 * A machine acting with an API token that a user created: at most that user's rights (roles and
 * links read on every request), narrowed by the token's kind and, if it has one, its device set.
 * Issued by the tokens module (docs/api-tokens.md); the auth hook builds it from `Authorization: Bearer`.
 */
export interface MachinePrincipal extends Rights {
  kind: 'machine';
  /** The user who created the token and whose rights it borrows. */
  userId: string;
  tokenId: string;
  tokenKind: TokenKind;
  /** The device filter the token is limited to (docs/api-tokens.md), or null for everything its user may see. */
  deviceFilter: DeviceFilter | null;
  /** How the database compares text byte by byte (dialect.ts), for the filter's serial ranges. */
  bytewise: Bytewise;
  expiresAt: string;
}

/**
 * Whoever runs the `openeks` command on the server: they hold the database and the master key
 * already, so the CLI acts with every right, and the audit trail names the shell user.
 */
export interface SystemPrincipal extends Rights {
  kind: 'system';
  userId: null;
}

export type Principal = PersonPrincipal | MachinePrincipal | SystemPrincipal;

export const systemPrincipal: SystemPrincipal = { kind: 'system', userId: null, roles: ['operator'], customerAccountIds: [] };

/** Operators are operators only; everyone else is a user, and a superuser while linked to a customer account. */
export function rolesOf(user: { isOperator: boolean }, customerAccountIds: readonly string[]): Role[] {
  return user.isOperator ? ['operator'] : customerAccountIds.length > 0 ? ['user', 'superuser'] : ['user'];
}
