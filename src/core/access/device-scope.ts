import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Principal } from './principal.js';

// Which devices a principal may see (docs/product.md "Who uses it"). Every query that selects
// devices, or keys through their devices, for a principal goes through applyDeviceScope, so the
// rule lives in one place:
// - operators (and the CLI) see every device;
// - superusers see the devices of the customer accounts they are linked to (read with the
//   session on every request, so an unlink takes effect on the next one);
// - readers see the devices granted to them (the read-rights issue adds a `grants` branch);
// - a token sees what its user sees, narrowed to its device set if it has one.
// Everyone else's scope is empty, never "all".

export type DeviceScope =
  | { kind: 'all'; onlyDevices?: readonly string[] }
  | { kind: 'customers'; customerAccountIds: readonly string[]; onlyDevices?: readonly string[] }
  | { kind: 'none' };

function narrowed(scope: DeviceScope, principal: Principal): DeviceScope {
  if (principal.kind !== 'machine' || principal.deviceIds === null || scope.kind === 'none') return scope;
  return { ...scope, onlyDevices: principal.deviceIds };
}

/** The scope of a principal. Async: the grants of the read-rights issue will be read here. */
export async function deviceScopeOf(principal: Principal): Promise<DeviceScope> {
  if (principal.kind === 'system') return { kind: 'all' };
  if (principal.roles.includes('operator')) return narrowed({ kind: 'all' }, principal);
  if (principal.roles.includes('superuser') && principal.customerAccountIds.length > 0) {
    return narrowed({ kind: 'customers', customerAccountIds: principal.customerAccountIds }, principal);
  }
  return { kind: 'none' };
}

// A condition no row meets (better-sqlite3 cannot bind booleans, so no `false` parameter).
const nothing = sql<boolean>`1 = 0`;

/** `column in (values)` as an expression, so that it applies to any query that joins `devices`. */
const oneOf = (column: 'devices.id' | 'devices.customer_account_id', values: readonly string[]) =>
  values.length === 0 ? nothing : sql<boolean>`${sql.ref(column)} in (${sql.join(values)})`;

/** Narrows a query over `devices` to the scope (no-op for operators, nothing for an empty scope). */
export function applyDeviceScope<T extends keyof Database, O>(query: SelectQueryBuilder<Database, T | 'devices', O>, scope: DeviceScope): SelectQueryBuilder<Database, T | 'devices', O> {
  if (scope.kind === 'none') return query.where(nothing);
  let q = query;
  if (scope.onlyDevices !== undefined) q = q.where(oneOf('devices.id', scope.onlyDevices));
  if (scope.kind === 'customers') q = q.where(oneOf('devices.customer_account_id', scope.customerAccountIds));
  return q;
}
