import type { Clock } from '../../../lib/clock.js';
import { AppError, type FieldProblem } from '../../../shared/errors.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import { deviceScopeOf } from '../../access/device-scope.js';
import type { Principal } from '../../access/principal.js';
import { deliveryDateProblem } from '../../../shared/inventory/device-fields.js';
import { decodeCursor, encodeCursor } from './devices-cursor.js';
import { type DevicesRepo, type DeviceListFilter, type DeviceRow, type SortKey, sortValuesOf, sortWidth } from './devices-repo.js';
import { keyVersionView, type KeyVersion } from '../keys/keys-schemas.js';
import type { Device, DeviceFilterQuery, DeviceListQueryInput, DeviceSort } from './devices-schemas.js';

export interface DevicesDeps {
  repo: Pick<DevicesRepo, 'customerAccountIdOf' | 'page' | 'count' | 'byId' | 'keysOf'>;
  guard: AccessGuard;
  clock: Clock;
}

const DEFAULT_LIMIT = 50;

function toDevice(row: DeviceRow): Device {
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
  };
}

function checkDays(query: DeviceFilterQuery): void {
  const problems: FieldProblem[] = [];
  for (const field of ['deliveredFrom', 'deliveredTo'] as const) {
    const value = query[field];
    const problem = value === undefined ? undefined : deliveryDateProblem(value);
    if (problem) problems.push({ field, reason: problem });
  }
  const first = problems[0];
  if (first) throw new AppError('validation_failed', `${first.field}: ${first.reason}.`, { details: problems });
}

/**
 * The devices a principal may see (docs/inventory.md "Devices"): list, count, one with its key
 * versions. Every method checks `devices.read` and narrows to the principal's device scope itself.
 */
export function createDevicesService(deps: DevicesDeps) {
  const { repo, guard } = deps;

  /** The repo's filter, or undefined when it can match nothing (an unknown customer number). */
  async function filterOf(query: DeviceFilterQuery): Promise<DeviceListFilter | undefined> {
    checkDays(query);
    const { serial, customerNo, manufacturer, ...rest } = query;
    const filter: DeviceListFilter = { ...rest };
    if (serial !== undefined) filter.serial = serial.endsWith('*') ? { prefix: serial.slice(0, -1) } : { exact: serial };
    if (manufacturer !== undefined) filter.manufacturer = manufacturer.toUpperCase();
    if (customerNo !== undefined) {
      // Resolved first, so the list filters on the indexed account id, not through the join.
      const id = await repo.customerAccountIdOf(customerNo);
      if (id === undefined) return undefined;
      filter.customerAccountId = id;
    }
    return filter;
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
      const scope = await deviceScopeOf(principal);
      if (filter === undefined) return { items: [], nextCursor: null };
      const rows = await repo.page({ scope, filter, sort: key, desc: sort.startsWith('-'), after, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const nextCursor = rows.length > limit && last ? encodeCursor(sort, sortValuesOf(last, key)) : null;
      return { items: items.map(toDevice), nextCursor };
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
      return {
        ...toDevice(row),
        keys: keys.map(keyVersionView),
      };
    },
  };
}

export type DevicesService = ReturnType<typeof createDevicesService>;
