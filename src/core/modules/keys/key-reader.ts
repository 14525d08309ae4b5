import { AppError } from '../../../shared/errors.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import { deviceScopeOf } from '../../access/device-scope.js';
import type { Principal } from '../../access/principal.js';
import type { DeviceKeyRow } from '../../db/schema.js';
import type { Vault } from '../../vault/vault-service.js';
import type { KeyType } from '../../../shared/inventory/device-fields.js';
import { deviceKeyContext } from './key-crypto.js';
import type { KeysRepo } from './keys-repo.js';

// The only way to a device key's plaintext. Each read checks the principal's permission and
// device scope itself (someone else's device is "not found", audited), so the telegram check,
// downloads and the key sync cannot forget it. Auditing the read itself belongs to the caller,
// which knows why the key is read (SEC-11). Reads run outside any caller's transaction: a refusal
// is audited in a transaction of its own (access-guard.ts).

export interface ActiveKey {
  keyId: string;
  version: number;
  key: Buffer;
}

/** One active key of a device, decrypted (the single-device fetch). */
export interface DeviceActiveKey extends ActiveKey {
  keyType: string;
}

export function createKeyReader(deps: { repo: Pick<KeysRepo, 'deviceInScope' | 'findOfDeviceInScope' | 'findActiveInScope' | 'listActiveInScope'>; vault: Pick<Vault, 'decrypt' | 'assertUnsealed'>; guard: AccessGuard }) {
  const decrypt = (row: DeviceKeyRow, ciphertext: string) =>
    deps.vault.decrypt({ ciphertext, context: deviceKeyContext({ id: row.id, deviceId: row.device_id, keyType: row.key_type, version: row.version }) });

  return {
    /**
     * The active version of a device's key of one type, decrypted; undefined when the device has
     * no active key of that type. `not_found` (audited) when the device is not the principal's to see.
     */
    async readActive({ principal, actor, deviceId, keyType }: { principal: Principal; actor: Actor; deviceId: string; keyType: KeyType }): Promise<ActiveKey | undefined> {
      await deps.guard.require(principal, actor, 'keys.read');
      // Sealed means no key operation (SEC-05), also when there is no key to decrypt.
      deps.vault.assertUnsealed();
      const scope = await deviceScopeOf(principal);
      const row = await deps.repo.findActiveInScope(scope, deviceId, keyType);
      if (row === undefined && !(await deps.repo.deviceInScope(scope, deviceId))) throw await deps.guard.notFound(actor, { type: 'device', id: deviceId }, 'No such device.');
      if (row?.ciphertext == null) return undefined;
      return { keyId: row.id, version: row.version, key: await decrypt(row, row.ciphertext) };
    },

    /**
     * Every active key of a device (one per key type), decrypted; none is an empty list. Only
     * `active` versions: compromised, suspended, destroyed … never leave. `not_found` (audited)
     * when the device is not the principal's to see.
     */
    async readAllActive({ principal, actor, deviceId }: { principal: Principal; actor: Actor; deviceId: string }): Promise<DeviceActiveKey[]> {
      await deps.guard.require(principal, actor, 'keys.read');
      deps.vault.assertUnsealed();
      const scope = await deviceScopeOf(principal);
      const rows = await deps.repo.listActiveInScope(scope, deviceId);
      if (rows.length === 0 && !(await deps.repo.deviceInScope(scope, deviceId))) throw await deps.guard.notFound(actor, { type: 'device', id: deviceId }, 'No such device.');
      const keys: DeviceActiveKey[] = [];
      for (const row of rows) {
        if (row.ciphertext === null) continue;
        keys.push({ keyId: row.id, keyType: row.key_type, version: row.version, key: await decrypt(row, row.ciphertext) });
      }
      return keys;
    },

    /**
     * Any version of a key that still has its key material (operators keep the history, readers
     * get the active version). A destroyed version has no key any more: 410 `key_destroyed`.
     */
    async readVersion({ principal, actor, deviceId, keyId }: { principal: Principal; actor: Actor; deviceId: string; keyId: string }): Promise<Buffer> {
      await deps.guard.require(principal, actor, 'keys.manage');
      deps.vault.assertUnsealed();
      const row = await deps.repo.findOfDeviceInScope(await deviceScopeOf(principal), deviceId, keyId);
      if (!row) throw await deps.guard.notFound(actor, { type: 'device-key', id: keyId }, `Key version ${keyId} of device ${deviceId} was not found.`);
      if (row.state === 'destroyed' || row.ciphertext === null) throw new AppError('key_destroyed', `Version ${row.version} of the ${row.key_type} key was destroyed; the key no longer exists.`);
      return decrypt(row, row.ciphertext);
    },
  };
}

export type KeyReader = ReturnType<typeof createKeyReader>;
