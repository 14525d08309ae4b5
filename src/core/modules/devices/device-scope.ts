import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Principal } from '../auth/session-service.js';

// Which devices a user may see (PRODUCT.md "Who uses it"). Every query that selects devices for
// a user goes through applyDeviceScope, so the rule lives in one place:
// - operators see every device;
// - superusers see the devices of the customer accounts they are linked to (issue 6 fills
//   `customerAccountIds` from the links);
// - readers see the devices granted to them (issue 7 adds a `grants` branch).
// Today only operators see devices; everyone else's scope is empty, never "all".

export type DeviceScope = { kind: 'all' } | { kind: 'customers'; customerAccountIds: readonly string[] } | { kind: 'none' };

export const allDevices: DeviceScope = { kind: 'all' };

/** The scope of a signed-in user. Async: later scopes read the user's links and grants. */
export async function deviceScopeOf(principal: Pick<Principal, 'roles' | 'userId'> | null): Promise<DeviceScope> {
  if (principal?.roles.includes('operator')) return allDevices;
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
