import { sql } from 'kysely';
import { applyDeviceScope, type DeviceScope } from '../../access/device-scope.js';
import type { Executor } from '../../db/database.js';
import { type PreparedQuery, prepareQuery } from '../../db/prepared-query.js';
import type { DeviceKeyRow } from '../../db/schema.js';
import type { KeyState } from '../../../shared/inventory/device-fields.js';

export interface StateChange {
  id: string;
  /** The state the row must still be in; a concurrent change makes the update match nothing. */
  from: KeyState;
  to: KeyState;
  reason: string | null;
  at: string;
}

/** The active keys of one device in `scope`, by key type. */
function activeInScope(executor: Executor, scope: DeviceScope, deviceId: string) {
  const query = executor.selectFrom('device_keys').innerJoin('devices', 'devices.id', 'device_keys.device_id').selectAll('device_keys');
  // A literal, not a parameter: SQLite re-prepares a statement on every run whose partial
  // index (device_keys_one_active, `where state = 'active'`) depends on a bound value (4× slower).
  return applyDeviceScope(query, scope).where('device_keys.device_id', '=', deviceId).where(sql<boolean>`${sql.ref('device_keys.state')} = ${sql.lit('active')}`).orderBy('device_keys.key_type');
}

/** Scopes of more customer accounts than this are built per call rather than kept compiled. */
const PREPARED_ACCOUNTS = 32;

/**
 * The compiled-once form of a scope's shape (prepared-query.ts) — operator, or customer accounts
 * by their number with or without grants — for the single-device fetch on every Bearer request;
 * undefined for the rare shapes (a device filter, a device list, many accounts), built per call.
 * The shape, not the values, is kept: the scope is still read afresh on every request (SEC-29).
 */
function shapeOf(scope: DeviceScope): string | undefined {
  if (scope.kind === 'none' || scope.onlyDevices !== undefined || scope.matching !== undefined) return undefined;
  if (scope.kind === 'all') return 'all';
  if (scope.customerAccountIds.length > PREPARED_ACCOUNTS) return undefined;
  return `some:${scope.customerAccountIds.length}:${scope.readerId === null ? 'none' : (scope.grants ?? 'probe')}`;
}

function valuesOf(scope: DeviceScope, deviceId: string): Record<string, unknown> {
  const values: Record<string, unknown> = { device: deviceId };
  if (scope.kind === 'some') {
    scope.customerAccountIds.forEach((id, i) => (values[`account${i}`] = id));
    if (scope.readerId !== null) values.reader = scope.readerId;
  }
  return values;
}

export function createKeysRepo(db: Executor) {
  const preparedByShape = new Map<string, PreparedQuery<string, DeviceKeyRow>>();
  function preparedActive(scope: DeviceScope): PreparedQuery<string, DeviceKeyRow> | undefined {
    const shape = shapeOf(scope);
    if (shape === undefined) return undefined;
    let prepared = preparedByShape.get(shape);
    if (prepared === undefined) {
      const names = ['device', ...(scope.kind === 'some' ? [...scope.customerAccountIds.map((_, i) => `account${i}`), ...(scope.readerId === null ? [] : ['reader'])] : [])];
      prepared = prepareQuery(names, (p) => {
        const markers: DeviceScope =
          scope.kind === 'some' ? { ...scope, customerAccountIds: scope.customerAccountIds.map((_, i) => p[`account${i}`] ?? ''), readerId: scope.readerId === null ? null : (p.reader ?? '') } : scope;
        return activeInScope(db, markers, p.device ?? '');
      });
      preparedByShape.set(shape, prepared);
    }
    return prepared;
  }

  return {
    /** The version `keyId` of device `deviceId`; undefined when it is not that device's. */
    findOfDevice(deviceId: string, keyId: string, trx: Executor = db): Promise<DeviceKeyRow | undefined> {
      return trx.selectFrom('device_keys').selectAll().where('id', '=', keyId).where('device_id', '=', deviceId).executeTakeFirst();
    },

    /** As findOfDevice, but only when the device lies in `scope`: someone else's key is no key. */
    findOfDeviceInScope(scope: DeviceScope, deviceId: string, keyId: string, trx: Executor = db): Promise<DeviceKeyRow | undefined> {
      const query = trx.selectFrom('device_keys').innerJoin('devices', 'devices.id', 'device_keys.device_id').selectAll('device_keys');
      return applyDeviceScope(query, scope).where('device_keys.id', '=', keyId).where('device_keys.device_id', '=', deviceId).executeTakeFirst();
    },

    /** Whether the device exists and lies in `scope`. */
    async deviceInScope(scope: DeviceScope, deviceId: string, trx: Executor = db): Promise<boolean> {
      return (await applyDeviceScope(trx.selectFrom('devices').select('devices.id'), scope).where('devices.id', '=', deviceId).executeTakeFirst()) !== undefined;
    },

    /** The active version of a device's key of one type, when the device lies in `scope`. */
    findActiveInScope(scope: DeviceScope, deviceId: string, keyType: string, trx: Executor = db): Promise<DeviceKeyRow | undefined> {
      const query = trx.selectFrom('device_keys').innerJoin('devices', 'devices.id', 'device_keys.device_id').selectAll('device_keys');
      return applyDeviceScope(query, scope)
        .where('device_keys.device_id', '=', deviceId)
        .where('device_keys.key_type', '=', keyType)
        .where('device_keys.state', '=', 'active')
        .executeTakeFirst();
    },

    /** Every active version of a device's keys (one per key type), when the device lies in `scope`; by key type. */
    listActiveInScope(scope: DeviceScope, deviceId: string, trx: Executor = db): Promise<DeviceKeyRow[]> {
      const prepared = preparedActive(scope);
      if (prepared !== undefined) return prepared.run(trx, valuesOf(scope, deviceId));
      return activeInScope(trx, scope, deviceId).execute();
    },

    findActive(deviceId: string, keyType: string, trx: Executor = db): Promise<DeviceKeyRow | undefined> {
      return trx.selectFrom('device_keys').selectAll().where('device_id', '=', deviceId).where('key_type', '=', keyType).where('state', '=', 'active').executeTakeFirst();
    },

    /** True when the row was still in `from`. `destroyed` erases the ciphertext (crypto-shredding). */
    async setState(change: StateChange, trx: Executor = db): Promise<boolean> {
      const result = await trx
        .updateTable('device_keys')
        .set({
          state: change.to,
          state_changed_at: change.at,
          state_reason: change.reason,
          updated_at: change.at,
          ...(change.to === 'destroyed' ? { ciphertext: null, data_key_id: null } : {}),
        })
        .where('id', '=', change.id)
        .where('state', '=', change.from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type KeysRepo = ReturnType<typeof createKeysRepo>;
