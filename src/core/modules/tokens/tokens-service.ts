import { createHash, createPublicKey } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import { newId } from '../../../lib/ids.js';
import { hashToken, looksLikeApiToken, newApiToken } from '../../../lib/crypto/tokens.js';
import type { DeviceFilter } from '../../../shared/api/devices.js';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, type OperatorTokenView, type TokenCreateBody, type TokenView } from '../../../shared/api/tokens.js';
import { AppError } from '../../../shared/errors.js';
import type { AccessGuard, DenialRecorder } from '../../access/access-guard.js';
import type { Actor, Origin } from '../../access/actor.js';
import type { MachinePrincipal, PersonPrincipal, Principal } from '../../access/principal.js';
import { rolesOf } from '../../access/principal.js';
import type { Db, Executor } from '../../db/database.js';
import type { ApiTokenRow } from '../../db/schema.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { ApiTokensRepo } from './tokens-repo.js';

export interface TokensDeps {
  db: Db;
  repo: ApiTokensRepo;
  audit: AuditWriter;
  guard: AccessGuard;
  recordDenial: DenialRecorder;
  clock: Clock;
  /** Queues the "a token was created" mail to its user (SEC-23 spirit), in the creating transaction. */
  notifyCreated?: (input: { userId: string; name: string; kind: ApiTokenRow['kind']; expiresAt: string }, trx: Executor) => Promise<void>;
}

/** last_used_at / last_used_ip are written at most once a minute per token (a fetch loop must stay fast). */
export const touchEveryMs = 60_000;
const dayMs = 86_400_000;
const PAGE = 50;

const fieldProblem = (field: string, reason: string, message: string) => new AppError('validation_failed', message, { details: [{ field, reason }] });

/** The SHA-256 of the key's DER (SPKI), hex: what the profile page shows of a registered key. */
export function publicKeyFingerprint(pem: string): string {
  return createHash('sha256').update(createPublicKey(pem).export({ type: 'spki', format: 'der' })).digest('hex');
}

/** Only an X25519 public key (SPKI PEM) is taken: the key sync encrypts to it (the key sync). */
function checkPublicKey(pem: string): string {
  const text = pem.trim();
  if (!/^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----$/.test(text)) {
    throw fieldProblem('publicKey', 'not an X25519 public key in PEM', 'publicKey: give an X25519 public key as PEM (-----BEGIN PUBLIC KEY-----).');
  }
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== 'x25519') throw new Error('not x25519');
  } catch {
    throw fieldProblem('publicKey', 'not an X25519 public key in PEM', 'publicKey: give an X25519 public key as PEM (-----BEGIN PUBLIC KEY-----).');
  }
  return `${text}\n`;
}

function statusOf(row: Pick<ApiTokenRow, 'revoked_at' | 'expires_at'>, now: Date): TokenView['status'] {
  if (row.revoked_at !== null) return 'revoked';
  return Date.parse(row.expires_at) <= now.getTime() ? 'expired' : 'active';
}

function parseFilter(text: string | null): DeviceFilter | null {
  return text === null ? null : (JSON.parse(text) as DeviceFilter);
}

type ViewRow = Omit<ApiTokenRow, 'token_hash'>;

function viewOf(row: ViewRow, now: Date): TokenView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    deviceFilter: parseFilter(row.device_filter),
    publicKeyFingerprint: row.public_key === null ? null : publicKeyFingerprint(row.public_key),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
    status: statusOf(row, now),
  };
}

const cursorOf = (row: { created_at: string; id: string }) => Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');
function afterOf(cursor: string | undefined): { createdAt: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // falls through
  }
  throw fieldProblem('cursor', 'not a cursor of this list', 'cursor: not a cursor of this list.');
}

/**
 * API tokens (docs/api-tokens.md): created by a signed-in person for himself (never by a token),
 * shown once, stored as SHA-256 only (SEC-10), revocable by their user and by operators. A token
 * borrows its user's rights, read afresh on every request (SEC-29), narrowed by its kind
 * (permissions.ts tokenPermissions) and its device filter (device-scope.ts).
 */
export function createTokensService(deps: TokensDeps) {
  const { repo, guard, clock } = deps;

  return {
    /**
     * The principal behind `Authorization: Bearer`, or null. Unknown, revoked, expired tokens and
     * tokens of a disabled user all give null (one answer, nothing to enumerate); a known token
     * that is refused is audited (`access.deny` on the token, folded when repeated).
     */
    async authenticate(token: string, origin: Origin): Promise<MachinePrincipal | null> {
      if (!looksLikeApiToken(token)) return null;
      const row = await repo.findByTokenHash(hashToken(token));
      if (!row) return null;
      const now = clock.now();
      const roles = rolesOf({ isOperator: row.is_operator === 1 }, row.customerAccountIds);
      const refusal = row.revoked_at !== null ? 'token revoked' : Date.parse(row.expires_at) <= now.getTime() ? 'token expired' : row.status !== 'active' ? 'user not active' : null;
      if (refusal !== null) {
        const actor: Actor = { userId: row.user_id, role: roles.includes('operator') ? 'operator' : roles.includes('superuser') ? 'superuser' : 'user', authMethod: 'token', ...origin };
        await deps.recordDenial({ actor, target: { type: 'api-token', id: row.id }, reason: refusal });
        return null;
      }
      if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= touchEveryMs) {
        await repo.touch(row.id, now.toISOString(), origin.ip ?? '');
      }
      return {
        kind: 'machine',
        userId: row.user_id,
        tokenId: row.id,
        tokenKind: row.kind,
        roles,
        customerAccountIds: row.customerAccountIds,
        deviceFilter: parseFilter(row.device_filter),
        bytewise: deps.db.dialect.bytewise,
        expiresAt: row.expires_at,
      };
    },

    /** A new token of the signed-in person: the token once, and its view. */
    async create({ principal, actor, input }: { principal: Principal; actor: Actor; input: TokenCreateBody }): Promise<{ token: string; view: TokenView }> {
      if (principal.kind !== 'person') throw await guard.notFound(actor, { type: 'route', id: 'POST /api/me/tokens' }, 'Not found.');
      await guard.require(principal, actor, 'tokens.own');
      const days = input.expiresInDays ?? DEFAULT_TOKEN_DAYS;
      if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
        throw fieldProblem('expiresInDays', `must be 1 … ${MAX_TOKEN_DAYS}`, `expiresInDays: a token lives 1 … ${MAX_TOKEN_DAYS} days (at most a year).`);
      }
      const name = input.name.trim();
      if (name.length === 0) throw fieldProblem('name', 'empty', 'name: give the token a name.');
      const publicKey = input.publicKey === undefined ? null : checkPublicKey(input.publicKey);
      const now = clock.now();
      const { token, hash } = newApiToken();
      const row: ApiTokenRow = {
        id: newId('tok'),
        user_id: principal.userId,
        name,
        kind: input.kind,
        token_hash: hash,
        device_filter: input.deviceFilter === undefined || Object.keys(input.deviceFilter).length === 0 ? null : JSON.stringify(input.deviceFilter),
        public_key: publicKey,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + days * dayMs).toISOString(),
        revoked_at: null,
        revoked_by: null,
        last_used_at: null,
        last_used_ip: null,
      };
      await deps.db.kysely.transaction().execute(async (trx) => {
        await repo.insert(row, trx);
        await deps.audit.write(
          {
            actor,
            action: 'token.create',
            target: { type: 'api-token', id: row.id },
            result: 'allowed',
            details: { name, kind: row.kind, expiresAt: row.expires_at, deviceFilter: row.device_filter, publicKey: publicKey === null ? null : publicKeyFingerprint(publicKey) },
          },
          trx,
        );
        await deps.notifyCreated?.({ userId: principal.userId, name, kind: row.kind, expiresAt: row.expires_at }, trx);
      });
      const { token_hash: _hash, ...view } = row;
      return { token, view: viewOf(view, now) };
    },

    /** The person's own tokens, newest first. */
    async listOwn({ principal, actor }: { principal: PersonPrincipal; actor: Actor }): Promise<TokenView[]> {
      await guard.require(principal, actor, 'tokens.own');
      const now = clock.now();
      return (await repo.listOfUser(principal.userId)).map((row) => viewOf(row, now));
    },

    /** Revokes one of the person's own tokens; someone else's is "not found" (audited). Revoking a revoked token changes nothing. */
    async revokeOwn({ principal, actor, id }: { principal: PersonPrincipal; actor: Actor; id: string }): Promise<void> {
      await guard.require(principal, actor, 'tokens.own');
      const row = await repo.byId(id);
      if (!row || row.user_id !== principal.userId) throw await guard.notFound(actor, { type: 'api-token', id }, 'No such token.');
      await revoke(row.id, actor, principal.userId);
    },

    /** Every token, newest first, with its user's e-mail (operators). */
    async listAll({ principal, actor, cursor }: { principal: Principal; actor: Actor; cursor?: string }): Promise<{ items: OperatorTokenView[]; nextCursor: string | null }> {
      await guard.require(principal, actor, 'tokens.manage');
      const rows = await repo.page({ after: afterOf(cursor), limit: PAGE + 1 });
      const now = clock.now();
      const page = rows.slice(0, PAGE);
      const last = page.at(-1);
      return {
        items: page.map((row) => ({ ...viewOf(row, now), userId: row.user_id, email: row.email })),
        nextCursor: rows.length > PAGE && last !== undefined ? cursorOf(last) : null,
      };
    },

    /** Revokes any token (operators, CLI). */
    async revokeAny({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<void> {
      await guard.require(principal, actor, 'tokens.manage');
      const row = await repo.byId(id);
      if (!row) throw await guard.notFound(actor, { type: 'api-token', id }, 'No such token.');
      await revoke(row.id, actor, principal.userId);
    },
  };

  async function revoke(id: string, actor: Actor, by: string | null): Promise<void> {
    await deps.db.kysely.transaction().execute(async (trx) => {
      const revoked = await repo.revoke(id, clock.now().toISOString(), by, trx);
      if (revoked) await deps.audit.write({ actor, action: 'token.revoke', target: { type: 'api-token', id }, result: 'allowed' }, trx);
    });
  }
}

export type TokensService = ReturnType<typeof createTokensService>;
