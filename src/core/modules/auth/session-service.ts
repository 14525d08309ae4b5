import type { Clock } from '../../../lib/clock.js';
import { burnPasswordCheck, verifyPassword } from '../../../lib/crypto/passwords.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hashToken, newToken } from '../../../lib/crypto/tokens.js';
import { AppError } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import type { Db } from '../../db/database.js';
import type { UserRow } from '../../db/schema.js';
import type { Actor, AuditWriter } from '../audit/audit-writer.js';
import type { Role } from './permissions.js';
import type { SessionsRepo } from './sessions-repo.js';
import type { UsersRepo } from './users-repo.js';

export const sessionIdleMs = 30 * 60_000;
export const sessionAbsoluteMs = 12 * 3600_000;
// Writing last_seen_at on every request would turn reads into writes; a minute is precise
// enough for a 30-minute idle timeout.
const touchEveryMs = 60_000;

export interface Principal {
  userId: string;
  email: string;
  name: string | null;
  roles: Role[];
  language: 'de' | 'en';
  sessionId: string;
}

export interface NewSession {
  token: string;
  csrfToken: string;
  principal: Principal;
}

/**
 * The CSRF token is derived from the session token (HMAC), so the page can fetch it again after
 * a reload without the server storing it, and it dies with the session. A cross-site page can
 * neither read the cookie nor the token.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('openeks-csrf-v1').digest('base64url');
}

export function createSessionService(deps: { db: Db; users: UsersRepo; sessions: SessionsRepo; audit: AuditWriter; clock: Clock }) {
  /**
   * A new server-side session with a fresh id for a user who has just proved who they are
   * (sign-in, completed registration or reset). Audited as session.create in its transaction.
   */
  async function startSession({ user, actor }: { user: UserRow; actor: Actor }): Promise<NewSession> {
    const session = newToken();
    const now = deps.clock.now();
    const id = newId('ses');
    await deps.db.kysely.transaction().execute(async (trx) => {
      await deps.sessions.insert(
        {
          id,
          token_hash: session.hash,
          user_id: user.id,
          created_at: now.toISOString(),
          last_seen_at: now.toISOString(),
          expires_at: new Date(now.getTime() + sessionAbsoluteMs).toISOString(),
          ip: actor.ip ?? '',
          user_agent: (actor.userAgent ?? '').slice(0, 500),
          authenticated_at: now.toISOString(),
        },
        trx,
      );
      await deps.audit.write(trx, { actor: { ...actor, userId: user.id }, action: 'session.create', target: { type: 'session', id }, result: 'allowed' });
    });
    return {
      token: session.token,
      csrfToken: csrfTokenFor(session.token),
      principal: {
        userId: user.id,
        email: user.email,
        name: user.name,
        roles: user.is_operator === 1 ? ['operator'] : ['user'],
        language: user.language,
        sessionId: id,
      },
    };
  }

  return {
    /** Same answer, same work for an unknown e-mail, a wrong password and an inactive account. */
    async signIn({ email, password, actor }: { email: string; password: string; actor: Actor }): Promise<NewSession> {
      const address = email.trim().toLowerCase();
      const user = await deps.users.findByEmail(address);
      let ok = false;
      if (user?.password_hash) ok = await verifyPassword(user.password_hash, password);
      else await burnPasswordCheck(password);
      if (!user || !ok || user.status !== 'active') {
        await deps.db.kysely.transaction().execute((trx) =>
          deps.audit.write(trx, {
            actor: { ...actor, userId: user?.id ?? null },
            action: 'session.deny',
            target: user ? { type: 'user', id: user.id } : undefined,
            result: 'denied',
            reason: !user ? 'unknown e-mail' : !ok ? 'wrong password' : `account ${user.status}`,
          }),
        );
        throw new AppError('invalid_credentials');
      }
      return startSession({ user, actor });
    },

    startSession,

    /** The principal behind a session cookie, or null when it is unknown, idle, expired or its user is not active. */
    async authenticate(token: string): Promise<Principal | null> {
      const row = await deps.sessions.findByTokenHash(hashToken(token));
      if (!row) return null;
      const now = deps.clock.now();
      const idleSince = now.getTime() - Date.parse(row.last_seen_at);
      if (row.status !== 'active' || Date.parse(row.expires_at) <= now.getTime() || idleSince >= sessionIdleMs) {
        await deps.sessions.delete(row.session_id);
        return null;
      }
      if (idleSince >= touchEveryMs) await deps.sessions.touch(row.session_id, now.toISOString());
      return {
        userId: row.user_id,
        email: row.email,
        name: row.name,
        roles: row.is_operator === 1 ? ['operator'] : ['user'],
        language: row.language,
        sessionId: row.session_id,
      };
    },

    csrfMatches(sessionToken: string, sent: string | undefined): boolean {
      if (typeof sent !== 'string') return false;
      const expected = Buffer.from(csrfTokenFor(sessionToken));
      const given = Buffer.from(sent);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },

    async signOut({ principal, actor }: { principal: Principal; actor: Actor }): Promise<void> {
      await deps.db.kysely.transaction().execute(async (trx) => {
        await deps.sessions.delete(principal.sessionId, trx);
        await deps.audit.write(trx, { actor, action: 'session.end', target: { type: 'session', id: principal.sessionId }, result: 'allowed' });
      });
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
