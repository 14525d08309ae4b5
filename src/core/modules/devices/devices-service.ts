import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import { deviceScopeOf, grantableScopeOf } from '../../access/device-scope.js';
import { can } from '../../access/permissions.js';
import type { Principal } from '../../access/principal.js';
import { resolveDeviceFilter } from './device-filter.js';
import { decodeCursor, encodeCursor } from './devices-cursor.js';
import { type DevicesRepo, type DeviceRow, type SortKey, sortValuesOf, sortWidth } from './devices-repo.js';
import { keyVersionView, type KeyVersion } from '../keys/keys-schemas.js';
import type { Device, DeviceFilterQuery, DeviceListQueryInput, DeviceSort } from './devices-schemas.js';

export interface DevicesDeps {
  repo: Pick<DevicesRepo, 'customerAccountIdOf' | 'page' | 'count' | 'byId' | 'keysOf' | 'readerCounts' | 'grantsAtLeast'>;
  guard: AccessGuard;
  clock: Clock;
}

const DEFAULT_LIMIT = 50;
/**
 * Below this many grants a reader's page walks his grants and sorts them; from it on it walks the
 * device index and probes the grants (device-scope.ts `withinSome`): the two cost the same near
 * 2,000 grants among a million devices (measured on SQLite, docs/grants.md).
 */
const FEW_GRANTS = 2000;

function toDevice(row: DeviceRow, readerCount: number | null): Device {
  return {
    id: row.id,
    manufacturer: row.manufacturer,
    serial: row.serial,
    kind: row.kind,
    medium: row.medium,
    model: row.model,
    typeNo: row.type_no,
    configNo: row.config_no,
    orderNo: row.order_no,
    deliveryNote: row.delivery_note,
    customerNo: row.customer_no,
    customerName: row.customer_name,
    deliveryDate: row.delivery_date,
    driverHint: row.driver_hint,
    createdAt: row.created_at,
    readerCount,
  };
}

/**
 * The devices a principal may see (docs/inventory.md "Devices"): list, count, one with its key
 * versions. Every method checks `devices.read` and narrows to the principal's device scope itself.
 */
export function createDevicesService(deps: DevicesDeps) {
  const { repo, guard } = deps;

  const filterOf = (query: DeviceFilterQuery) => resolveDeviceFilter(repo, query);

  /**
   * Each device's number of readers, for the devices the principal may hand on; null for every
   * other device (readers do not learn who else reads — also a superuser who reads a device
   * granted to him, outside his customer accounts). One grouped query over the page's ids, on the
   * (device_id) index of active grants, so the page's own query keeps its index path.
   */
  async function withReaderCounts(principal: Principal, rows: DeviceRow[]): Promise<Device[]> {
    if (!can(principal, 'grants.manage')) return rows.map((row) => toDevice(row, null));
    const grantable = grantableScopeOf(principal);
    const mayHandOn = (row: DeviceRow) =>
      grantable.kind === 'all' || (grantable.kind === 'some' && row.customer_account_id !== null && grantable.customerAccountIds.includes(row.customer_account_id));
    const counts = await repo.readerCounts(rows.filter(mayHandOn).map((row) => row.id));
    return rows.map((row) => toDevice(row, mayHandOn(row) ? (counts.get(row.id) ?? 0) : null));
  }

  return {
    async list({ principal, actor, query }: { principal: Principal; actor: Actor; query: DeviceListQueryInput }): Promise<{ items: Device[]; nextCursor: string | null }> {
      await guard.require(principal, actor, 'devices.read');
      const { sort: sortParam, cursor, limit: limitParam, ...filters } = query;
      const sort: DeviceSort = sortParam ?? 'serial';
      const key = (sort.startsWith('-') ? sort.slice(1) : sort) as SortKey;
      const limit = limitParam ?? DEFAULT_LIMIT;
      const after = cursor === undefined ? undefined : decodeCursor(cursor, sort, sortWidth(key));
      const filter = await filterOf(filters);
      let scope = await deviceScopeOf(principal);
      if (filter === undefined) return { items: [], nextCursor: null };
      if (scope.kind === 'some' && scope.readerId !== null && !(await repo.grantsAtLeast(scope.readerId, FEW_GRANTS))) scope = { ...scope, grants: 'drive' };
      const rows = await repo.page({ scope, filter, sort: key, desc: sort.startsWith('-'), after, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor = rows.length > limit && last ? encodeCursor(sort, sortValuesOf(last, key)) : null;
      return { items: await withReaderCounts(principal, items), nextCursor };
    },

    async count({ principal, actor, query }: { principal: Principal; actor: Actor; query: DeviceFilterQuery }): Promise<number> {
      await guard.require(principal, actor, 'devices.read');
      const filter = await filterOf(query);
      if (filter === undefined) return 0;
      return repo.count(await deviceScopeOf(principal), filter);
    },

    /** One device with its key versions' metadata; not_found (audited) outside the principal's scope. */
    async get({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<Device & { keys: KeyVersion[] }> {
      await guard.require(principal, actor, 'devices.read');
      const row = await repo.byId(await deviceScopeOf(principal), id);
      if (!row) throw await guard.notFound(actor, { type: 'device', id }, 'No such device.');
      const keys = await repo.keysOf(row.id);
      const [device] = await withReaderCounts(principal, [row]);
      if (!device) throw new AppError('internal');
      return {
        ...device,
        keys: keys.map(keyVersionView),
      };
    },
  };
}

export type DevicesService = ReturnType<typeof createDevicesService>;
