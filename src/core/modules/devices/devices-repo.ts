import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { applyDeviceScope, type DeviceScope } from '../../access/device-scope.js';
import { type DeviceListFilter, whereDeviceMatches } from '../../access/device-filter-where.js';

// The device list's queries. Keyset paging: every sort is a tuple of expressions ending in
// (serial, id), compared as a row value with the cursor's values, so a page starts exactly after
// the last row of the one before, whatever was inserted meanwhile. The expressions are written
// exactly as the DEVICE-LIST INDEXES of migration 0003 (COALESCE(col, '') for nullable columns,
// collate "C" on PostgreSQL), so each filter + sort is an index range, not a sort of the table.

export type { DeviceListFilter };

export type SortKey = 'serial' | 'deliveryDate' | 'model' | 'customerNo';

export interface DevicePageRequest {
  scope: DeviceScope;
  filter: DeviceListFilter;
  sort: SortKey;
  desc: boolean;
  /** The cursor's values: the last row's sort values, its id last. */
  after: readonly string[] | undefined;
  /** Rows to return (the caller asks for one more than a page to learn whether another follows). */
  limit: number;
}

export interface DeviceRow {
  id: string;
  manufacturer: string;
  serial: string;
  kind: string;
  medium: string;
  model: string | null;
  type_no: string | null;
  config_no: string | null;
  order_no: string | null;
  delivery_note: string | null;
  customer_no: string | null;
  customer_name: string | null;
  delivery_date: string | null;
  driver_hint: string | null;
  created_at: string;
  /** Which account holds it: decides whether the principal may hand it on (reader counts). */
  customer_account_id: string | null;
}

/** The values a row has in the tuple of its sort (what a cursor after it holds). */
export function sortValuesOf(row: DeviceRow, sort: SortKey): string[] {
  switch (sort) {
    case 'serial':
      return [row.serial, row.id];
    case 'deliveryDate':
      return [row.delivery_date ?? '', row.serial, row.id];
    case 'model':
      return [row.model ?? '', row.serial, row.id];
    case 'customerNo':
      return [row.customer_no ?? '', row.serial, row.id];
  }
}

export const sortWidth = (sort: SortKey): number => (sort === 'serial' ? 2 : 3);

type Scoped = SelectQueryBuilder<Database, 'devices', object>;
type Selected = SelectQueryBuilder<Database, 'devices' | 'customer_accounts', DeviceRow>;

export function createDevicesRepo(db: Db) {
  const kysely = db.kysely;
  // Byte order on both databases, whatever the locale.
  const text = (column: string): RawBuilder<string> => db.dialect.bytewise(sql<string>`${sql.ref(column)}`);
  const orEmpty = (column: string): RawBuilder<string> => db.dialect.bytewise(sql<string>`coalesce(${sql.ref(column)}, '')`);
  const serialAndId = [text('devices.serial'), text('devices.id')] as const;

  function filtered(scope: DeviceScope, f: DeviceListFilter, from: Executor = kysely): Scoped {
    return whereDeviceMatches(applyDeviceScope(from.selectFrom('devices'), scope), f, db.dialect.bytewise);
  }

  const dirOf = (desc: boolean) => sql.raw(desc ? 'desc' : 'asc');
  const after2 = (desc: boolean, serial: string, id: string) => sql<boolean>`(${sql.join(serialAndId)}) ${sql.raw(desc ? '<' : '>')} (${serial}, ${id})`;
  const bySerial = <Q extends Selected>(q: Q, desc: boolean): Q => q.orderBy(sql`${serialAndId[0]} ${dirOf(desc)}`).orderBy(sql`${serialAndId[1]} ${dirOf(desc)}`) as Q;

  /**
   * A page of a sort (lead, serial, id). After a cursor it is two index ranges, not one row-value
   * comparison (SQLite compares row values through an index only on plain columns): the rest of
   * the cursor's lead value by (serial, id), then the lead values beyond it. `pinned`: an equality
   * filter fixes the lead, so (serial, id) alone orders (SQLite would otherwise sort the matches).
   */
  async function leadPage(base: () => Selected, lead: RawBuilder<string>, r: { desc: boolean; after: readonly string[] | undefined; limit: number; pinned: boolean }): Promise<DeviceRow[]> {
    const { desc, after, limit } = r;
    const ordered = (q: Selected) => bySerial(r.pinned ? q : q.orderBy(sql`${lead} ${dirOf(desc)}`), desc);
    if (after === undefined) return ordered(base()).limit(limit).execute();
    const [value = '', serial = '', id = ''] = after;
    const first = await bySerial(base().where(sql<boolean>`${lead} = ${value}`).where(after2(desc, serial, id)), desc)
      .limit(limit)
      .execute();
    if (first.length >= limit || r.pinned) return first;
    const rest = await ordered(base().where(sql<boolean>`${lead} ${sql.raw(desc ? '<' : '>')} ${value}`))
      .limit(limit - first.length)
      .execute();
    return [...first, ...rest];
  }

  async function serialPage(base: Selected, r: { desc: boolean; after: readonly string[] | undefined; limit: number }): Promise<DeviceRow[]> {
    const [serial = '', id = ''] = r.after ?? [];
    return bySerial(r.after === undefined ? base : base.where(after2(r.desc, serial, id)), r.desc)
      .limit(r.limit)
      .execute();
  }

  const columns = [
    'devices.id',
    'devices.manufacturer',
    'devices.serial',
    'devices.kind',
    'devices.medium',
    'devices.model',
    'devices.type_no',
    'devices.config_no',
    'devices.order_no',
    'devices.delivery_note',
    'customer_accounts.customer_no',
    'customer_accounts.name as customer_name',
    'devices.delivery_date',
    'devices.driver_hint',
    'devices.created_at',
    'devices.customer_account_id',
  ] as const;

  const withCustomer = (q: Scoped) => q.leftJoin('customer_accounts', 'customer_accounts.id', 'devices.customer_account_id').select(columns);

  /**
   * By customer number: the devices without an account form a segment of their own (first
   * ascending, last descending, as '' would), and the rest is an inner join walked in the order of
   * the accounts' numbers, each account's devices by (serial, id) from the customer index.
   */
  async function customerPage(r: DevicePageRequest): Promise<DeviceRow[]> {
    const { desc } = r;
    const accounts = () => filtered(r.scope, r.filter).innerJoin('customer_accounts', 'customer_accounts.id', 'devices.customer_account_id').select(columns);
    const customerNo = text('customer_accounts.customer_no');
    if (r.filter.customerAccountId !== undefined) return leadPage(accounts, customerNo, { desc, after: r.after, limit: r.limit, pinned: true });
    const segments: Array<'none' | 'accounts'> = desc ? ['accounts', 'none'] : ['none', 'accounts'];
    const at = r.after === undefined ? 0 : segments.indexOf(r.after[0] === '' ? 'none' : 'accounts');
    const rows: DeviceRow[] = [];
    for (let i = at; i < segments.length && rows.length < r.limit; i++) {
      const after = i === at ? r.after : undefined;
      const limit = r.limit - rows.length;
      if (segments[i] === 'none') {
        rows.push(...(await serialPage(withCustomer(filtered(r.scope, r.filter).where('devices.customer_account_id', 'is', null)), { desc, after: after?.slice(1), limit })));
      } else {
        rows.push(...(await leadPage(accounts, customerNo, { desc, after, limit, pinned: false })));
      }
    }
    return rows;
  }

  return {
    async page(r: DevicePageRequest): Promise<DeviceRow[]> {
      const base = () => withCustomer(filtered(r.scope, r.filter));
      switch (r.sort) {
        case 'serial':
          return serialPage(base(), r);
        case 'model':
          return leadPage(base, orEmpty('devices.model'), { ...r, pinned: r.filter.model !== undefined });
        case 'deliveryDate':
          return leadPage(base, orEmpty('devices.delivery_date'), { ...r, pinned: false });
        case 'customerNo':
          return customerPage(r);
      }
    },

    async count(scope: DeviceScope, filter: DeviceListFilter, trx: Executor = kysely): Promise<number> {
      const row = await filtered(scope, filter, trx)
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      return Number(row.total);
    },

    /**
     * The ids of the devices in `scope` matching `filter`, or being one of `ids`, as a subquery
     * (never executed here): a selection of a million devices is resolved by the statement that
     * uses it (docs/grants.md).
     */
    selectionIds(scope: DeviceScope, selection: { filter: DeviceListFilter } | { ids: readonly string[] }, trx: Executor = kysely) {
      if ('filter' in selection) return filtered(scope, selection.filter, trx).select('devices.id');
      return applyDeviceScope(trx.selectFrom('devices'), scope).where('devices.id', 'in', [...selection.ids]).select('devices.id');
    },

    /** How many of `ids` lie in `scope` (unknown ids count as outside). */
    async countIds(scope: DeviceScope, ids: readonly string[], trx: Executor = kysely): Promise<number> {
      const row = await applyDeviceScope(trx.selectFrom('devices'), scope)
        .where('devices.id', 'in', [...ids])
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      return Number(row.total);
    },

    /**
     * Whether the reader holds at least `n` active grants: the n-th entry in device order, which
     * the (reader_id, device_id) index yields after reading n entries. (A bounded count was
     * planned as a scan of the whole table once a third of the grants were one reader's.)
     */
    async grantsAtLeast(readerId: string, n: number): Promise<boolean> {
      const row = await kysely
        .selectFrom('grants')
        .select('device_id')
        .where('reader_id', '=', readerId)
        .where('revoked_at', 'is', null)
        .orderBy('device_id')
        .limit(1)
        .offset(n - 1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Readers with an active (or pending) grant, per device of a page; devices without any are absent. */
    async readerCounts(ids: readonly string[]): Promise<Map<string, number>> {
      if (ids.length === 0) return new Map();
      const rows = await kysely
        .selectFrom('grants')
        .select(['device_id', (eb) => eb.fn.countAll<number>().as('readers')])
        .where('device_id', 'in', [...ids])
        .where('revoked_at', 'is', null)
        .groupBy('device_id')
        .execute();
      return new Map(rows.map((r) => [r.device_id, Number(r.readers)]));
    },

    async byId(scope: DeviceScope, id: string): Promise<DeviceRow | undefined> {
      return withCustomer(applyDeviceScope(kysely.selectFrom('devices'), scope).where('devices.id', '=', id)).executeTakeFirst();
    },

    /** Key version metadata (never the ciphertext): by key type, newest version first. */
    async keysOf(deviceId: string) {
      return kysely
        .selectFrom('device_keys')
        .select(['id', 'key_type', 'version', 'state', 'key_length', 'created_at', 'state_changed_at', 'state_reason'])
        .where('device_id', '=', deviceId)
        .orderBy('key_type')
        .orderBy('version', 'desc')
        .execute();
    },

    /** The meter a wireless M-Bus address names (manufacturer and ID), within the scope. */
    meterByAddress(scope: DeviceScope, address: { manufacturer: string; serial: string }) {
      const query = kysely
        .selectFrom('devices')
        .select(['devices.id', 'devices.manufacturer', 'devices.serial', 'devices.model', 'devices.driver_hint'])
        .where('devices.manufacturer', '=', address.manufacturer)
        .where('devices.serial', '=', address.serial)
        .where('devices.kind', '=', 'meter');
      return applyDeviceScope(query, scope).executeTakeFirst();
    },

    async customerAccountIdOf(customerNo: string): Promise<string | undefined> {
      const row = await kysely.selectFrom('customer_accounts').select('id').where('customer_no', '=', customerNo).executeTakeFirst();
      return row?.id;
    },
  };
}

export type DevicesRepo = ReturnType<typeof createDevicesRepo>;
