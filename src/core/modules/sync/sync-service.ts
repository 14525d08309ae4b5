import { createHash } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import { newId } from '../../../lib/ids.js';
import { AppError } from '../../../shared/errors.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import { deviceScopeOf, type DeviceScope } from '../../access/device-scope.js';
import type { MachinePrincipal, Principal } from '../../access/principal.js';
import type { Db, Executor } from '../../db/database.js';
import type { Vault } from '../../vault/vault-service.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Signer } from '../exports/export-format.js';
import { deviceKeyContext } from '../keys/key-crypto.js';
import type { SettingsRepo } from '../settings/settings-repo.js';
import { answerBytes, upsertsOf, type SyncAnswer } from './sync-answer.js';
import type { CursorCodec, SyncPosition } from './sync-cursor.js';
import { diffKeys, type Removal } from './sync-diff.js';
import { x25519PublicKey } from './sync-hpke.js';
import type { ReadableKey, SyncRepo } from './sync-repo.js';

// The key sync (docs/key-sync.md; PRODUCT.md flow 10): a gateway or concentrator token's first full answer,
// then only the changes since its cursor. What a token may read is the one rule of device-scope.ts
// (its user's scope, narrowed to its device set) on active versions; what it holds is
// sync_deliveries. Keys are decrypted before the transaction, the audit record and the new
// deliveries commit together, and only then does the answer leave (SEC-11).

export interface SyncDeps {
  db: Db;
  repo: SyncRepo;
  guard: AccessGuard;
  vault: Pick<Vault, 'decryptMany' | 'assertUnsealed'>;
  audit: AuditWriter;
  clock: Clock;
  cursors: { codec(): Promise<CursorCodec> };
  settings: Pick<SettingsRepo, 'get' | 'put'>;
  /** The service's Ed25519 signer; throws 503 while it cannot sign. */
  signer: () => Signer;
  /** The token's registered X25519 public key (SPKI PEM), or null: answers are then plain JSON. */
  publicKeyOf: (tokenId: string) => Promise<string | null>;
  /** How long the change feed is kept (default 30 days); a cursor older than that gets 410. */
  retentionDays?: number;
}

/** Feed rows past which an incremental answer diffs the whole scope instead of device by device. */
const MAX_FEED_ROWS = 10_000;
const PRUNED_THROUGH = 'sync.pruned_through';
const PRUNE_EVERY_MS = 3_600_000;

const invalidCursor = () => new AppError('sync_cursor_invalid', undefined, { details: [{ field: 'since', reason: 'is not a cursor this service gave to this token' }] });
const reset = (why: string) => new AppError('sync_reset', `The sync cursor (since) can no longer be served (${why}); ask again without since for a full answer.`, { details: [{ field: 'since', reason: why }] });

/** What the token's answers were computed for: a change of it (a link, a filter) diffs everything. */
function scopeHashOf(principal: MachinePrincipal): string {
  const sorted = (values: readonly string[]) => [...values].sort();
  const facts = { user: principal.userId, roles: sorted(principal.roles), customers: sorted(principal.customerAccountIds), filter: principal.deviceFilter };
  return createHash('sha256').update(JSON.stringify(facts)).digest('hex');
}

export function createSyncService(deps: SyncDeps) {
  const { repo } = deps;
  const retentionMs = (deps.retentionDays ?? 30) * 86_400_000;
  let lastPrune = Number.NEGATIVE_INFINITY;

  async function decrypt(keys: readonly ReadableKey[]): Promise<Buffer[]> {
    return deps.vault.decryptMany(
      keys.map((k) => ({
        ciphertext: k.ciphertext ?? '',
        context: deviceKeyContext({ id: k.key_id, deviceId: k.device_id, keyType: k.key_type, version: k.version }),
      })),
    );
  }

  /** The `keys.sync` record of an answer's keys, its devices linked: in the answer's transaction. */
  async function auditDelivery(input: { actor: Actor; tokenId: string; full: boolean; generation: number; devices: number; keys: number; removals: number }, trx: Executor): Promise<void> {
    const auditId = newId('aud');
    await deps.audit.write({
      id: auditId,
      actor: input.actor,
      action: 'keys.sync',
      target: { type: 'api-token', id: input.tokenId },
      result: 'allowed',
      details: { full: input.full, generation: input.generation, devices: input.devices, keys: input.keys, removals: input.removals },
    }, trx);
    await repo.linkAuditDevices({ auditId, tokenId: input.tokenId, generation: input.generation }, trx);
  }

  /** The token's X25519 key, or undefined: plain answers. A registered key that is no X25519 key is refused. */
  async function recipientOf(tokenId: string): Promise<Buffer | undefined> {
    const pem = await deps.publicKeyOf(tokenId);
    const recipient = pem === null ? undefined : x25519PublicKey(pem);
    if (pem !== null && recipient === undefined) throw new AppError('internal', 'The public key registered for this token is not an X25519 key.');
    return recipient;
  }

  async function deliver(input: {
    principal: MachinePrincipal;
    actor: Actor;
    from: number | undefined;
    to: number;
    full: boolean;
    scopeHash: string;
    upserts: readonly ReadableKey[];
    ended: readonly { device_id: string; key_type: string; key_id: string; version: number }[];
    removals: readonly Removal[];
    seq: number;
  }): Promise<SyncAnswer> {
    const { principal, actor } = input;
    const tokenId = principal.tokenId;
    // Both can refuse (503): before any key is decrypted or anything is stored.
    const signer = deps.signer();
    const recipient = await recipientOf(tokenId);
    const plain = await decrypt(input.upserts);
    try {
      const devices = new Set(input.upserts.map((k) => k.device_id)).size;
      await deps.db.kysely.transaction().execute(async (trx) => {
        const at = deps.clock.now().toISOString();
        if (!(await repo.advance({ tokenId, from: input.from, to: input.to, full: input.full, scopeHash: input.scopeHash, at }, trx))) {
          throw new AppError('conflict', 'Another sync of this token ran at the same time; ask again with the same cursor.');
        }
        const held = input.upserts.map((k) => ({ device_id: k.device_id, key_type: k.key_type, key_id: k.key_id, version: k.version }));
        await repo.apply({ tokenId, generation: input.to, ended: input.ended, added: held }, trx);
        if (held.length > 0) await auditDelivery({ actor, tokenId, full: false, generation: input.to, devices, keys: held.length, removals: input.removals.length }, trx);
      });
      const codec = await deps.cursors.codec();
      return await answerBytes({
        full: input.full,
        cursor: codec.encode(tokenId, { generation: input.to, seq: input.seq }),
        upserts: upsertsOf(input.upserts, plain),
        removals: input.removals,
        signer,
        recipient,
      });
    } finally {
      for (const key of plain) key.fill(0);
    }
  }

  async function unchanged(principal: MachinePrincipal, position: SyncPosition): Promise<SyncAnswer> {
    const signer = deps.signer();
    const recipient = await recipientOf(principal.tokenId);
    const codec = await deps.cursors.codec();
    return answerBytes({ full: false, cursor: codec.encode(principal.tokenId, position), upserts: [], removals: [], signer, recipient });
  }

  /**
   * Every active key of the scope. The deliveries are written set-based and the audit record
   * committed first; the answer is then read from exactly those rows and decrypted.
   */
  async function full(principal: MachinePrincipal, actor: Actor, scope: DeviceScope, from: number | undefined): Promise<SyncAnswer> {
    const tokenId = principal.tokenId;
    const signer = deps.signer();
    const recipient = await recipientOf(tokenId);
    // The feed's head first: a change committed while the scope is read comes again next time.
    const seq = await repo.headSeq();
    const to = (from ?? 0) + 1;
    await deps.db.kysely.transaction().execute(async (trx) => {
      if (!(await repo.advance({ tokenId, from, to, full: true, scopeHash: scopeHashOf(principal), at: deps.clock.now().toISOString() }, trx))) {
        throw new AppError('conflict', 'Another sync of this token ran at the same time; ask again.');
      }
      const held = await repo.holdScope(tokenId, to, scope, trx);
      if (held.keys > 0) await auditDelivery({ actor, tokenId, full: true, generation: to, devices: held.devices, keys: held.keys, removals: 0 }, trx);
    });
    // A version destroyed since has no ciphertext: left out now, removed by the next answer.
    const keys = (await repo.delivered(tokenId, to)).filter((k) => k.ciphertext !== null);
    const plain = await decrypt(keys);
    try {
      const codec = await deps.cursors.codec();
      return await answerBytes({ full: true, cursor: codec.encode(tokenId, { generation: to, seq }), upserts: upsertsOf(keys, plain), removals: [], signer, recipient });
    } finally {
      for (const key of plain) key.fill(0);
    }
  }

  async function incremental(principal: MachinePrincipal, actor: Actor, scope: DeviceScope, asked: SyncPosition, storedHash: string | null): Promise<SyncAnswer> {
    const scopeHash = scopeHashOf(principal);
    const head = await repo.headSeq();
    const changes = await repo.changesFor({ after: asked.seq, upTo: head, userId: principal.userId, limit: MAX_FEED_ROWS + 1 });
    const whole = storedHash !== scopeHash || changes.length > MAX_FEED_ROWS || changes.some((c) => c.device_id === null);
    const devices = whole ? null : [...new Set(changes.map((c) => c.device_id ?? ''))];
    if (devices !== null && devices.length === 0) return unchanged(principal, { generation: asked.generation, seq: head });
    const readable = (await repo.readable(scope, devices)).filter((k) => k.ciphertext !== null);
    const held = await repo.held(principal.tokenId, devices);
    const diff = diffKeys(readable, held);
    if (diff.upserts.length === 0 && diff.ended.length === 0 && storedHash === scopeHash) return unchanged(principal, { generation: asked.generation, seq: head });
    return deliver({ principal, actor, from: asked.generation, to: asked.generation + 1, full: false, scopeHash, upserts: diff.upserts, ended: diff.ended, removals: diff.removals, seq: head });
  }

  async function refuseCursor(actor: Actor, tokenId: string): Promise<never> {
    await deps.db.kysely.transaction().execute((trx) =>
      deps.audit.write({ actor, action: 'keys.sync', target: { type: 'api-token', id: tokenId }, result: 'denied', reason: 'cursor invalid' }, trx),
    );
    throw invalidCursor();
  }

  /** Drops the change feed older than the retention; a cursor from before it then answers 410. */
  async function prune(): Promise<number> {
    const now = deps.clock.now();
    lastPrune = now.getTime();
    const before = new Date(now.getTime() - retentionMs).toISOString();
    return deps.db.kysely.transaction().execute(async (trx) => {
      const through = await repo.prune(before, trx);
      const kept = Number((await deps.settings.get(PRUNED_THROUGH, trx)) ?? 0);
      if (through > kept) await deps.settings.put({ name: PRUNED_THROUGH, value: String(through), updatedAt: now.toISOString() }, trx);
      return through;
    });
  }

  async function pruneIfDue(): Promise<void> {
    if (deps.clock.now().getTime() - lastPrune >= PRUNE_EVERY_MS) await prune();
  }

  return {
    /**
     * One answer for the token: full without `since`, else the changes since that cursor.
     * A session, the CLI or a read token never get here (`keys.sync`: gateway and concentrator
     * tokens only); the device scope is the token's, read now (SEC-29).
     */
    async sync({ principal, actor, since }: { principal: Principal; actor: Actor; since?: string | undefined }): Promise<SyncAnswer> {
      await deps.guard.require(principal, actor, 'keys.sync');
      if (principal.kind !== 'machine') throw new AppError('not_found');
      deps.vault.assertUnsealed();
      await pruneIfDue();
      const scope = await deviceScopeOf(principal);
      const position = await repo.position(principal.tokenId);
      if (since === undefined) return full(principal, actor, scope, position?.generation);
      const asked = (await deps.cursors.codec()).decode(principal.tokenId, since);
      if (asked === undefined) return refuseCursor(actor, principal.tokenId);
      const prunedThrough = Number((await deps.settings.get(PRUNED_THROUGH)) ?? 0);
      if (asked.seq < prunedThrough) throw reset('older than the kept changes');
      if (position === undefined) throw reset('no answer of this token is kept');
      if (asked.generation === position.generation) return incremental(principal, actor, scope, asked, position.scope_hash);
      // The last answer was lost: the token holds again what it held before it, and is answered anew.
      if (asked.generation === position.generation - 1 && position.full_generation < position.generation) {
        await deps.db.kysely.transaction().execute(async (trx) => {
          await repo.rollback(principal.tokenId, position.generation, trx);
          if (!(await repo.advance({ tokenId: principal.tokenId, from: position.generation, to: asked.generation, full: false, scopeHash: null, at: deps.clock.now().toISOString() }, trx))) {
            throw new AppError('conflict', 'Another sync of this token ran at the same time; ask again with the same cursor.');
          }
        });
        return incremental(principal, actor, scope, asked, null);
      }
      throw reset('older than the last answer');
    },

    prune,
  };
}

export type SyncService = ReturnType<typeof createSyncService>;
