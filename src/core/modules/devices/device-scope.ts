import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Principal } from '../auth/session-service.js';

// Which devices a user may see (docs/product.md "Who uses it"). Every query that selects devices for
// a user goes through applyDeviceScope, so the rule lives in one place:
// - operators see every device;
// - superusers see the devices of the customer accounts they are linked to (the session service
//   reads the links on every request, so an unlink takes effect on the next one);
// - readers see the devices granted to them (issue 7 adds a `grants` branch).
// Everyone else's scope is empty, never "all".

export type DeviceScope = { kind: 'all' } | { kind: 'customers'; customerAccountIds: readonly string[] } | { kind: 'none' };

export const allDevices: DeviceScope = { kind: 'all' };

/** The scope of a signed-in user. Async: the grants of issue 7 will be read here. */
export async function deviceScopeOf(principal: Pick<Principal, 'roles' | 'userId' | 'customerAccountIds'> | null): Promise<DeviceScope> {
  if (principal?.roles.includes('operator')) return allDevices;
  if (principal?.roles.includes('superuser') && principal.customerAccountIds.length > 0) return { kind: 'customers', customerAccountIds: principal.customerAccountIds };
  return { kind: 'none' };
}

// A condition no row meets (better-sqlite3 cannot bind booleans, so no `false` parameter).
const nothing = sql<boolean>`1 = 0`;

/** Narrows a query over `devices` to the scope (no-op for operators, nothing for an empty scope). */
export function applyDeviceScope<O>(query: SelectQueryBuilder<Database, 'devices', O>, scope: DeviceScope): SelectQueryBuilder<Database, 'devices', O> {
  switch (scope.kind) {
    case 'all':
      return query;
    case 'customers':
      if (scope.customerAccountIds.length === 0) return query.where(nothing);
      return query.where('devices.customer_account_id', 'in', scope.customerAccountIds);
    case 'none':
      return query.where(nothing);
  }
}
