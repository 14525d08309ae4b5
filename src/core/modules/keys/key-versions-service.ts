import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import type { AccessGuard } from '../../access/access-guard.js';
import { deviceScopeOf } from '../../access/device-scope.js';
import type { Principal } from '../../access/principal.js';
import type { Db, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { DeviceKeyRow } from '../../db/schema.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Vault } from '../../vault/vault-service.js';
import type { KeyState } from '../../../shared/inventory/device-fields.js';
import { canTransition } from '../../../shared/inventory/key-states.js';
import { keyVersionView, MAX_STATE_REASON, type KeyVersion } from './keys-schemas.js';
import type { KeysRepo } from './keys-repo.js';
import type { SyncFeed } from '../../db/sync-feed.js';

export interface KeyVersionsDeps {
  db: Db;
  repo: Pick<KeysRepo, 'findOfDevice' | 'findOfDeviceInScope' | 'findActive' | 'setState'>;
  guard: AccessGuard;
  audit: AuditWriter;
  /** Only asked whether it is sealed: a sealed vault stops every key operation (SEC-05). */
  vault: Pick<Vault, 'assertUnsealed'>;
  clock: Clock;
  /** The key sync's change feed (docs/key-sync.md): a device whose active key may have changed. */
  syncFeed: Pick<SyncFeed, 'touchDevice'>;
  /** SEC-09: told in the transaction when a version becomes compromised (the readers' mail). */
  onCompromised?: (input: { actor: Actor; deviceId: string; keyId: string; keyType: string; version: number }, trx: Executor) => Promise<unknown>;
}

const illegal = (current: KeyState, to: KeyState) =>
  new AppError('key_transition_illegal', `The key version is ${current}; it cannot become ${to}.`, { details: [{ field: 'state', reason: `is ${current}` }] });

/** Trimmed, empty is none; bounded and single-line like every reason that reaches the audit trail. */
function checkedReason(to: KeyState, reason: string | undefined): string | null {
  const value = reason?.trim() || null;
  if (value !== null && [...value].length > MAX_STATE_REASON) {
    throw new AppError('validation_failed', `The reason is at most ${MAX_STATE_REASON} characters.`, { details: [{ field: 'reason', reason: `at most ${MAX_STATE_REASON} characters` }] });
  }
  if (value !== null && /[\u0000-\u001f\u007f]/.test(value)) {
    throw new AppError('validation_failed', 'The reason must not contain control characters.', { details: [{ field: 'reason', reason: 'must not contain control characters' }] });
  }
  // A compromise is an incident: whoever records it says why (SEC-09).
  if (value === null && to === 'compromised') {
    throw new AppError('validation_failed', 'Say why the key is compromised.', { details: [{ field: 'reason', reason: 'is required when a key is marked compromised' }] });
  }
  return value;
}

/** Key versions and their SP 800-57 states (SEC-09); the transition table is key-states.ts. */
export function createKeyVersionsService(deps: KeyVersionsDeps) {
  const { repo, guard } = deps;

  async function change(row: DeviceKeyRow, to: KeyState, reason: string | null, actor: Actor, at: string, trx: Executor): Promise<void> {
    if (!canTransition(row.state, to)) throw illegal(row.state, to);
    if (!(await repo.setState({ id: row.id, from: row.state, to, reason, at }, trx))) {
      // Changed by someone else since it was read: answer with the state it has now.
      const now = await repo.findOfDevice(row.device_id, row.id, trx);
      throw illegal(now?.state ?? row.state, to);
    }
    await deps.audit.write({
      actor,
      action: 'key.state_change',
      target: { type: 'device-key', id: row.id },
      devices: [row.device_id],
      result: 'allowed',
      details: { deviceId: row.device_id, keyType: row.key_type, version: row.version, from: row.state, to, reason },
    }, trx);
  }

  return {
    /**
     * Moves a version to `to` in one transaction: activating one deactivates the version of the
     * same device and key type that was active (at most one is, SEC-09); destroying one erases
     * its ciphertext. Every change, the implied one included, is audited.
     */
    async transition({ principal, actor, deviceId, keyId, to, reason }: { principal: Principal; actor: Actor; deviceId: string; keyId: string; to: KeyState; reason?: string | undefined }): Promise<KeyVersion> {
      await guard.require(principal, actor, 'keys.manage');
      // A state change needs no key material, but a sealed vault means no key operation (SEC-05):
      // refused before anything is read or written, like the mail that cannot be sealed (not audited).
      deps.vault.assertUnsealed();
      const why = checkedReason(to, reason);
      const notFound = `Key version ${keyId} of device ${deviceId} was not found.`;
      // The scope is checked before the transaction: a refusal is audited in a transaction of its own.
      if (!(await repo.findOfDeviceInScope(await deviceScopeOf(principal), deviceId, keyId))) {
        throw await guard.notFound(actor, { type: 'device-key', id: keyId }, notFound);
      }
      try {
        return await deps.db.kysely.transaction().execute(async (trx) => {
          const row = await repo.findOfDevice(deviceId, keyId, trx);
          if (!row) throw new AppError('not_found', notFound); // deleted meanwhile
          if (!canTransition(row.state, to)) throw illegal(row.state, to);
          const at = deps.clock.now().toISOString();
          if (to === 'active') {
            const previous = await repo.findActive(deviceId, row.key_type, trx);
            if (previous && previous.id !== row.id) await change(previous, 'deactivated', `superseded by version ${row.version}`, actor, at, trx);
          }
          await change(row, to, why, actor, at, trx);
          await deps.syncFeed.touchDevice(deviceId, at, trx);
          if (to === 'compromised') await deps.onCompromised?.({ actor, deviceId, keyId: row.id, keyType: row.key_type, version: row.version }, trx);
          return keyVersionView({
            ...row,
            state: to,
            state_changed_at: at,
            state_reason: why,
          });
        });
      } catch (err) {
        // Two versions activated at the same moment: the partial unique index lets one win.
        if (isUniqueViolation(err)) throw new AppError('conflict', 'Another version of this key was activated at the same time; reload and try again.', { cause: err });
        throw err;
      }
    },
  };
}

export type KeyVersionsService = ReturnType<typeof createKeyVersionsService>;
