import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { DeviceFilter } from '../../shared/api/devices.js';
import type { DeviceKind } from '../../shared/inventory/device-fields.js';
import type { Database } from '../db/schema.js';

// The device list's filter as conditions on `devices`: one builder for the device list, its count,
// a selection's "all N matching" (devices-repo.ts) and an API token's device filter
// (device-scope.ts), so that they all agree on what a filter matches.

export interface DeviceListFilter {
  serial?: { exact: string } | { prefix: string };
  serialFrom?: string;
  serialTo?: string;
  manufacturer?: string;
  kind?: DeviceKind;
  medium?: string;
  model?: string;
  orderNo?: string;
  deliveryNote?: string;
  customerAccountId?: string;
  /** A customer number not resolved to its account (a token's stored filter): matched by a subquery. */
  customerNo?: string;
  deliveredFrom?: string;
  deliveredTo?: string;
}

/** A text expression compared byte by byte (src/core/db/dialect.ts `bytewise`). */
export type Bytewise = (expression: RawBuilder<string>) => RawBuilder<string>;

/** The API's filter as the builder takes it, without a database look-up (customerNo stays a number). */
export function listFilterOf(query: DeviceFilter): DeviceListFilter {
  const { serial, manufacturer, ...rest } = query;
  const filter: DeviceListFilter = { ...rest };
  if (serial !== undefined) filter.serial = serial.endsWith('*') ? { prefix: serial.slice(0, -1) } : { exact: serial };
  if (manufacturer !== undefined) filter.manufacturer = manufacturer.toUpperCase();
  return filter;
}

/**
 * Narrows a query over `devices` to the filter. The expressions are written exactly as the
 * DEVICE-LIST INDEXES of migration 0003 (COALESCE(col, '') for nullable columns, bytewise), so
 * each filter is an index range, not a scan.
 */
export function whereDeviceMatches<T extends keyof Database, O>(
  query: SelectQueryBuilder<Database, T | 'devices', O>,
  f: DeviceListFilter,
  bytewise: Bytewise,
): SelectQueryBuilder<Database, T | 'devices', O> {
  const text = (column: string): RawBuilder<string> => bytewise(sql<string>`${sql.ref(column)}`);
  const orEmpty = (column: string): RawBuilder<string> => bytewise(sql<string>`coalesce(${sql.ref(column)}, '')`);
  const is = (expr: RawBuilder<string>, op: '=' | '>=' | '<=' | '<', value: string) => sql<boolean>`${expr} ${sql.raw(op)} ${value}`;
  let q = query;
  if (f.serial && 'exact' in f.serial) q = q.where(is(text('devices.serial'), '=', f.serial.exact));
  if (f.serial && 'prefix' in f.serial) {
    // Serials are ASCII, so every serial with the prefix sorts below prefix + U+10FFFF.
    q = q.where(is(text('devices.serial'), '>=', f.serial.prefix)).where(is(text('devices.serial'), '<', `${f.serial.prefix}\u{10FFFF}`));
  }
  if (f.serialFrom !== undefined) q = q.where(is(text('devices.serial'), '>=', f.serialFrom));
  if (f.serialTo !== undefined) q = q.where(is(text('devices.serial'), '<=', f.serialTo));
  // Manufacturer and medium match up to half the devices. Beside a narrow filter (an account's,
  // an order's, a delivery note's devices, an exact serial) they are compared so that no index
  // fits: PostgreSQL would otherwise AND the narrow index with hundreds of thousands of theirs.
  const narrow =
    f.customerAccountId !== undefined || f.customerNo !== undefined || f.orderNo !== undefined || f.deliveryNote !== undefined || (f.serial !== undefined && 'exact' in f.serial);
  const broad = (column: 'devices.manufacturer' | 'devices.medium', value: string) =>
    narrow ? sql<boolean>`${sql.ref(column)} || '' = ${value}` : sql<boolean>`${sql.ref(column)} = ${value}`;
  if (f.manufacturer !== undefined) q = q.where(broad('devices.manufacturer', f.manufacturer));
  // A literal, not a parameter: SQLite uses the partial index of concentrators only for `kind = 'concentrator'`.
  if (f.kind !== undefined) q = q.where(sql<boolean>`${sql.ref('devices.kind')} = ${sql.lit(f.kind)}`);
  if (f.medium !== undefined) q = q.where(broad('devices.medium', f.medium));
  if (f.model !== undefined) q = q.where(is(orEmpty('devices.model'), '=', f.model));
  if (f.orderNo !== undefined) q = q.where(is(text('devices.order_no'), '=', f.orderNo));
  if (f.deliveryNote !== undefined) q = q.where(is(text('devices.delivery_note'), '=', f.deliveryNote));
  if (f.customerAccountId !== undefined) q = q.where(sql<boolean>`${sql.ref('devices.customer_account_id')} = ${f.customerAccountId}`);
  if (f.customerNo !== undefined) {
    q = q.where(sql<boolean>`${sql.ref('devices.customer_account_id')} in (select ca.id from customer_accounts ca where ca.customer_no = ${f.customerNo})`);
  }
  if (f.deliveredFrom !== undefined || f.deliveredTo !== undefined) {
    // The lower bound is always there: an absent date is '' in the index and must not match "up to".
    q = q.where(is(orEmpty('devices.delivery_date'), '>=', f.deliveredFrom ?? '0000-01-01'));
    if (f.deliveredTo !== undefined) q = q.where(is(orEmpty('devices.delivery_date'), '<=', f.deliveredTo));
  }
  return q;
}
