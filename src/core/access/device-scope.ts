import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Principal } from './principal.js';
import { type Bytewise, type DeviceListFilter, listFilterOf, whereDeviceMatches } from './device-filter-where.js';

// Which devices a principal may see (docs/product.md "Who uses it"). Every query that selects
// devices, or keys through their devices, for a principal goes through applyDeviceScope, so the
// rule lives in one place:
// - operators (and the CLI) see every device;
// - superusers see the devices of the customer accounts they are linked to (read with the
//   session on every request, so an unlink takes effect on the next one);
// - readers see the devices granted to them: an active row of `grants` (docs/grants.md), read by
//   the query itself, so a revocation takes effect on the reader's next request; a superuser who
//   is also a reader sees both;
// - a token sees what its user sees, narrowed by its device filter if it has one (scope = the
//   user's scope ∩ the token's filter, docs/api-tokens.md).
// Everyone else's scope is empty, never "all".

/** A token's device filter, as the scope narrows by it. */
export interface ScopeFilter {
  filter: DeviceListFilter;
  bytewise: Bytewise;
}

export type DeviceScope =
  | { kind: 'all'; onlyDevices?: readonly string[]; matching?: ScopeFilter }
  /**
   * The customer accounts' devices, and those granted to `readerId` (null: nothing granted counts).
   * `grants`: how a query reaches the grants — `probe` (the default) asks the (reader_id,
   * device_id) index once per device row the query walks; `drive` walks the reader's grants first
   * and sorts them, which the device list chooses for a reader with few grants (docs/grants.md).
   */
  | { kind: 'some'; customerAccountIds: readonly string[]; readerId: string | null; grants?: 'probe' | 'drive'; onlyDevices?: readonly string[]; matching?: ScopeFilter }
  | { kind: 'none' };

function narrowed(scope: DeviceScope, principal: Principal): DeviceScope {
  if (principal.kind !== 'machine' || principal.deviceFilter === null || scope.kind === 'none') return scope;
  return { ...scope, matching: { filter: listFilterOf(principal.deviceFilter), bytewise: principal.bytewise } };
}

/**
 * The scope of a principal. Every signed-in user may hold grants, so a user's scope is his
 * customer accounts' devices (if superuser) and his granted ones; which devices are granted is
 * not read here but by each query (applyDeviceScope), so that a million grants cost nothing here.
 */
export async function deviceScopeOf(principal: Principal): Promise<DeviceScope> {
  if (principal.kind === 'system') return { kind: 'all' };
  if (principal.roles.includes('operator')) return narrowed({ kind: 'all' }, principal);
  const customerAccountIds = principal.roles.includes('superuser') ? principal.customerAccountIds : [];
  return narrowed({ kind: 'some', customerAccountIds, readerId: principal.userId }, principal);
}

/** The customer accounts whose devices a principal may hand on (grants.manage); 'all' for operators. */
export function grantableScopeOf(principal: Principal): DeviceScope {
  if (principal.kind === 'system' || principal.roles.includes('operator')) return { kind: 'all' };
  if (!principal.roles.includes('superuser') || principal.customerAccountIds.length === 0) return { kind: 'none' };
  // A reader never re-shares: what was granted to a superuser is not his to grant.
  return { kind: 'some', customerAccountIds: principal.customerAccountIds, readerId: null };
}

// A condition no row meets (better-sqlite3 cannot bind booleans, so no `false` parameter).
const nothing = sql<boolean>`1 = 0`;

/** `column in (values)` as an expression, so that it applies to any query that joins `devices`. */
const oneOf = (column: 'devices.id' | 'devices.customer_account_id', values: readonly string[]) =>
  values.length === 0 ? nothing : sql<boolean>`${sql.ref(column)} in (${sql.join(values)})`;

/**
 * The customer accounts' devices or the granted ones; never a join, so a device counts once
 * however it is reached. Measured on SQLite with 1,000,000 devices (docs/grants.md): `exists`
 * probes the grants index per device row, so a page of a reader with a million grants, or one
 * device by id, costs a few probes (0.2 ms), while a reader with 1,000 grants needs ~50,000 probes
 * for a page (60 ms); `in (subquery)` walks the reader's grants and sorts them (1,000: 14 ms), but
 * materialises a million (1.7 s). So `probe` is the default and the list asks for `drive` when
 * the reader has few grants.
 */
function withinSome(scope: Extract<DeviceScope, { kind: 'some' }>) {
  const reader = scope.readerId;
  const granted =
    reader === null
      ? nothing
      : scope.grants === 'drive'
        ? sql<boolean>`${sql.ref('devices.id')} in (select g.device_id from grants g where g.reader_id = ${reader} and g.revoked_at is null)`
        : sql<boolean>`exists (select 1 from grants g where g.reader_id = ${reader} and g.device_id = ${sql.ref('devices.id')} and g.revoked_at is null)`;
  if (scope.customerAccountIds.length === 0) return granted;
  if (scope.readerId === null) return oneOf('devices.customer_account_id', scope.customerAccountIds);
  return sql<boolean>`(${oneOf('devices.customer_account_id', scope.customerAccountIds)} or ${granted})`;
}

/** Narrows a query over `devices` to the scope (no-op for operators, nothing for an empty scope). */
export function applyDeviceScope<T extends keyof Database, O>(query: SelectQueryBuilder<Database, T | 'devices', O>, scope: DeviceScope): SelectQueryBuilder<Database, T | 'devices', O> {
  if (scope.kind === 'none') return query.where(nothing);
  let q = query;
  if (scope.onlyDevices !== undefined) q = q.where(oneOf('devices.id', scope.onlyDevices));
  if (scope.matching !== undefined) q = whereDeviceMatches(q, scope.matching.filter, scope.matching.bytewise);
  if (scope.kind === 'some') q = q.where(withinSome(scope));
  return q;
}
