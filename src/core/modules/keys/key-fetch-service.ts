import type { DeviceKeysView } from '../../../shared/api/keys.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { AuditBatch } from '../audit/audit-batch.js';
import type { KeyReader } from './key-reader.js';

/**
 * The single-device key fetch (`GET /api/devices/:id/keys`, docs/api-tokens.md): the device's
 * active keys, for a session or an API token. The read is audited as `key.read`, linked to the
 * device, and the record is committed before the keys are returned (group commit, audit-batch.ts):
 * if it cannot be written, the keys are not sent (SEC-11).
 */
export function createKeyFetchService(deps: { keys: Pick<KeyReader, 'readAllActive'>; auditBatch: Pick<AuditBatch, 'write'> }) {
  return {
    async fetch({ principal, actor, deviceId }: { principal: Principal; actor: Actor; deviceId: string }): Promise<DeviceKeysView> {
      const read = await deps.keys.readAllActive({ principal, actor, deviceId });
      try {
        await deps.auditBatch.write({
          actor,
          action: 'key.read',
          target: { type: 'device', id: deviceId },
          result: 'allowed',
          details: { keys: read.map((k) => `${k.keyType} v${k.version}`).join(', '), count: read.length },
          devices: [deviceId],
        });
        return { deviceId, keys: read.map((k) => ({ keyType: k.keyType, version: k.version, keyId: k.keyId, key: k.key.toString('hex') })) };
      } finally {
        for (const k of read) k.key.fill(0);
      }
    },
  };
}

export type KeyFetchService = ReturnType<typeof createKeyFetchService>;
