import type { Clock } from '../../../lib/clock.js';
import { hashToken, newToken } from '../../../lib/crypto/tokens.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import { describeUserAgent } from '../../../lib/user-agent.js';
import type { Db, Executor } from '../../db/database.js';
import type { UserRow } from '../../db/schema.js';
import type { Actor } from '../../access/actor.js';
import { type PersonPrincipal, rolesOf, type SessionStage } from '../../access/principal.js';
import { mfaRequired, pendingSessionMs, sessionAbsoluteMs, sessionIdleMs } from '../../access/session-policy.js';
import { csrfTokenFor } from '../../http/session-cookie.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { SessionsRepo } from './sessions-repo.js';
// Writing last_seen_at on every request would turn reads into writes; a minute is precise
// enough for a 30-minute idle timeout.
const touchEveryMs = 60_000;

export interface NewSession {
  token: string;
  csrfToken: string;
  principal: PersonPrincipal;
}

export interface SessionSummary {
  id: string;
  device: string | null;
  ip: string;
  createdAt: string;
  lastSeenAt: string;
  stage: SessionStage;
  current: boolean;
}

/**
 * What the session service asks of other modules, as narrow ports the container wires: whether a
 * user has a confirmed second factor (mfa) and which customer accounts they are superuser of
 * (superusers). Declared here, so that auth imports neither module.
 */
export interface SecondFactorLookup {
  hasConfirmedTotp(userId: string, trx?: Executor): Promise<boolean>;
}
export interface SuperuserLinkLookup {
  customerIdsOf(userId: string, trx?: Executor): Promise<string[]>;
}

const rolesOfUser = (user: Pick<UserRow, 'is_operator'>, customerAccountIds: readonly string[]) => rolesOf({ isOperator: user.is_operator === 1 }, customerAccountIds);

export function createSessionService(deps: {
  db: Db;
  sessions: SessionsRepo;
  mfa: SecondFactorLookup;
  links: SuperuserLinkLookup;
  audit: AuditWriter;
  clock: Clock;
}) {
  const customerIdsOf = (user: Pick<UserRow, 'id' | 'is_operator'>, trx?: Executor): Promise<string[]> =>
    user.is_operator === 1 ? Promise.resolve([]) : deps.links.customerIdsOf(user.id, trx);

  async function stageFor(user: Pick<UserRow, 'id' | 'is_operator'>, customerAccountIds: readonly string[], trx?: Executor): Promise<SessionStage> {
    if (await deps.mfa.hasConfirmedTotp(user.id, trx)) return 'mfa';
    return mfaRequired(user, { superuser: customerAccountIds.length > 0 }) ? 'enrol' : 'complete';
  }

  /** The stage a user's fresh session starts in after the password (or a link) proved who they are. */
  async function stageAfterPassword(user: Pick<UserRow, 'id' | 'is_operator'>, trx?: Executor): Promise<SessionStage> {
    return stageFor(user, await customerIdsOf(user, trx), trx);
  }

  /** Inserts a session row with a fresh id and token (inside the caller's transaction). */
  async function insertSession(input: { user: UserRow; actor: Actor; stage: SessionStage; aal: number; customerAccountIds: string[] }, trx: Executor): Promise<NewSession> {
    const session = newToken();
    const now = deps.clock.now();
    const id = newId('ses');
    await deps.sessions.insert(
      {
        id,
        token_hash: session.hash,
        user_id: input.user.id,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: new Date(now.getTime() + (input.stage === 'complete' ? sessionAbsoluteMs : pendingSessionMs)).toISOString(),
        ip: input.actor.ip ?? '',
        user_agent: (input.actor.userAgent ?? '').slice(0, 500),
        authenticated_at: now.toISOString(),
        stage: input.stage,
        aal: input.aal,
      },
      trx,
    );
    const { customerAccountIds } = input;
    return {
      token: session.token,
      csrfToken: csrfTokenFor(session.token),
      principal: {
        kind: 'person',
        userId: input.user.id,
        email: input.user.email,
        name: input.user.name,
        roles: rolesOfUser(input.user, customerAccountIds),
        language: input.user.language,
        sessionId: id,
        stage: input.stage,
        aal: input.aal,
        authenticatedAt: now.toISOString(),
        customerAccountIds,
      },
    };
  }

  return {
    stageAfterPassword,

    /**
     * A new server-side session with a fresh id for a user who has just proved who they are
     * (sign-in, completed registration). The stage follows from the account unless given: a user
     * with a second factor still owes it, one who must have one and does not gets `enrol`.
     * Audited as session.create, in the caller's transaction or its own.
     */
    async startSession({ user, actor, stage, trx }: { user: UserRow; actor: Actor; stage?: SessionStage; trx?: Executor }): Promise<NewSession> {
      const run = async (tx: Executor) => {
        const customerAccountIds = await customerIdsOf(user, tx);
        const chosen = stage ?? (await stageFor(user, customerAccountIds, tx));
        const created = await insertSession({ user, actor, stage: chosen, aal: 1, customerAccountIds }, tx);
        await deps.audit.write({
          actor: { ...actor, userId: user.id },
          action: 'session.create',
          target: { type: 'session', id: created.principal.sessionId },
          result: 'allowed',
          details: { stage: chosen },
        }, tx);
        return created;
      };
      return trx ? run(trx) : deps.db.kysely.transaction().execute(run);
    },

    /**
     * Replaces a session by a new one with a fresh id and token (SEC-24: a new id on every
     * privilege change), e.g. after the second factor. In the caller's transaction; the caller audits.
     */
    async rotate({ principal, user, actor, stage, aal }: { principal: PersonPrincipal; user: UserRow; actor: Actor; stage: SessionStage; aal: number }, trx: Executor): Promise<NewSession> {
      await deps.sessions.delete(principal.sessionId, trx);
      // The links were read with this request's session: no second read.
      return insertSession({ user, actor, stage, aal, customerAccountIds: principal.customerAccountIds }, trx);
    },

    /** The principal behind a session cookie, or null when it is unknown, idle, expired or its user is not active. */
    async authenticate(token: string): Promise<PersonPrincipal | null> {
      const row = await deps.sessions.findByTokenHash(hashToken(token));
      if (!row) return null;
      const now = deps.clock.now();
      const idleSince = now.getTime() - Date.parse(row.last_seen_at);
      if (row.status !== 'active' || Date.parse(row.expires_at) <= now.getTime() || idleSince >= sessionIdleMs) {
        await deps.sessions.delete(row.session_id);
        return null;
      }
      if (idleSince >= touchEveryMs) await deps.sessions.touch(row.session_id, now.toISOString());
      const { customerAccountIds } = row;
      return {
        kind: 'person',
        userId: row.user_id,
        email: row.email,
        name: row.name,
        roles: rolesOfUser(row, customerAccountIds),
        language: row.language,
        sessionId: row.session_id,
        stage: row.stage,
        aal: Number(row.aal),
        authenticatedAt: row.authenticated_at,
        customerAccountIds,
      };
    },

    async signOut({ principal, actor }: { principal: PersonPrincipal; actor: Actor }): Promise<void> {
      await deps.db.kysely.transaction().execute(async (trx) => {
        await deps.sessions.delete(principal.sessionId, trx);
        await deps.audit.write({ actor, action: 'session.end', target: { type: 'session', id: principal.sessionId }, result: 'allowed' }, trx);
      });
    },

    /** The user's own sessions that have not ended, the current one marked. */
    async list({ principal }: { principal: PersonPrincipal }): Promise<SessionSummary[]> {
      const now = deps.clock.now();
      const rows = await deps.sessions.listActive(principal.userId, now.toISOString(), new Date(now.getTime() - sessionIdleMs).toISOString());
      return rows.map((row) => ({
        id: row.id,
        device: describeUserAgent(row.user_agent),
        ip: row.ip,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        stage: row.stage,
        current: row.id === principal.sessionId,
      }));
    },

    /**
     * Ends one of the user's other sessions (SEC-24). Someone else's session is "not found";
     * the current one is ended by signing out.
     */
    async revoke({ principal, sessionId, actor }: { principal: PersonPrincipal; sessionId: string; actor: Actor }): Promise<void> {
      if (sessionId === principal.sessionId) throw new AppError('conflict', 'This is the session you are using: sign out to end it.');
      await deps.db.kysely.transaction().execute(async (trx) => {
        if (!(await deps.sessions.deleteOwn(sessionId, principal.userId, trx))) throw new AppError('not_found', `No session ${sessionId}.`);
        await deps.audit.write({ actor, action: 'session.revoke', target: { type: 'session', id: sessionId }, result: 'allowed' }, trx);
      });
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
