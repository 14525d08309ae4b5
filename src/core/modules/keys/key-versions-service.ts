import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../lib/errors.js';
import type { Db, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { DeviceKeyRow } from '../../db/schema.js';
import type { Vault } from '../../vault/vault-service.js';
import type { Actor, AuditWriter } from '../audit/audit-writer.js';
import type { KeyState } from '../../../shared/inventory/device-fields.js';
import { deviceKeyContext } from './key-crypto.js';
import { canTransition } from '../../../shared/inventory/key-states.js';
import { keyVersionView, MAX_STATE_REASON, type KeyVersion } from './keys-schemas.js';
import { createKeysRepo } from './keys-repo.js';

export interface KeyVersionsDeps {
  db: Db;
  vault: Vault;
  audit: AuditWriter;
  clock: Clock;
}

const notFound = (deviceId: string, keyId: string) => new AppError('not_found', `Key version ${keyId} of device ${deviceId} was not found.`);
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
  const repo = createKeysRepo(deps.db.kysely);

  async function change(trx: Executor, row: DeviceKeyRow, to: KeyState, reason: string | null, actor: Actor, at: string): Promise<void> {
    if (!canTransition(row.state, to)) throw illegal(row.state, to);
    if (!(await repo.setState({ id: row.id, from: row.state, to, reason, at }, trx))) {
      // Changed by someone else since it was read: answer with the state it has now.
      const now = await repo.findOfDevice(row.device_id, row.id, trx);
      throw illegal(now?.state ?? row.state, to);
    }
    await deps.audit.write(trx, {
      actor,
      action: 'key.state_change',
      target: { type: 'device-key', id: row.id },
      result: 'allowed',
      details: { deviceId: row.device_id, keyType: row.key_type, version: row.version, from: row.state, to, reason },
    });
  }

  return {
    /**
     * Moves a version to `to` in one transaction: activating one deactivates the version of the
     * same device and key type that was active (at most one is, SEC-09); destroying one erases
     * its ciphertext. Every change, the implied one included, is audited.
     */
    async transition({ deviceId, keyId, to, reason, actor }: { deviceId: string; keyId: string; to: KeyState; reason?: string | undefined; actor: Actor }): Promise<KeyVersion> {
      const why = checkedReason(to, reason);
      try {
        return await deps.db.kysely.transaction().execute(async (trx) => {
          const row = await repo.findOfDevice(deviceId, keyId, trx);
          if (!row) throw notFound(deviceId, keyId);
          if (!canTransition(row.state, to)) throw illegal(row.state, to);
          const at = deps.clock.now().toISOString();
          if (to === 'active') {
            const previous = await repo.findActive(deviceId, row.key_type, trx);
            if (previous && previous.id !== row.id) await change(trx, previous, 'deactivated', `superseded by version ${row.version}`, actor, at);
          }
          await change(trx, row, to, why, actor, at);
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

    /**
     * The plaintext of one version (for downloads; the caller has checked access and audits the
     * read in `trx`). A destroyed version has no key any more: 410 `key_destroyed`.
     */
    async readKey({ deviceId, keyId }: { deviceId: string; keyId: string }, trx?: Executor): Promise<Buffer> {
      const row = await repo.findOfDevice(deviceId, keyId, trx);
      if (!row) throw notFound(deviceId, keyId);
      if (row.state === 'destroyed' || row.ciphertext === null) throw new AppError('key_destroyed', `Version ${row.version} of the ${row.key_type} key was destroyed; the key no longer exists.`);
      return deps.vault.decrypt({ ciphertext: row.ciphertext, context: deviceKeyContext({ id: row.id, deviceId: row.device_id, keyType: row.key_type, version: row.version }) }, trx);
    },
  };
}

export type KeyVersionsService = ReturnType<typeof createKeyVersionsService>;
