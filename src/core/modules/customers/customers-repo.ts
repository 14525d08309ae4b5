import { type Selectable, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { CustomerAccountsTable } from '../../db/schema.js';

export type CustomerRow = Selectable<CustomerAccountsTable>;
export type CustomerWithCount = CustomerRow & { device_count: number };

/** `%`, `_` and the escape character itself match literally in a LIKE pattern. */
const likeLiteral = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function withDeviceCount(trx: Executor) {
  return trx
    .selectFrom('customer_accounts')
    .selectAll('customer_accounts')
    .select((eb) =>
      eb
        .selectFrom('devices')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('devices.customer_account_id', '=', 'customer_accounts.id')
        .as('device_count'),
    );
}

const counted = (row: CustomerRow & { device_count: number | string | null }): CustomerWithCount => ({ ...row, device_count: Number(row.device_count ?? 0) });

export function createCustomersRepo(db: Executor) {
  return {
    async findById(id: string, trx: Executor = db): Promise<CustomerWithCount | undefined> {
      const row = await withDeviceCount(trx).where('customer_accounts.id', '=', id).executeTakeFirst();
      return row && counted(row);
    },

    /**
     * One page in customer-number order, after `after` (keyset: stable while rows are added).
     * `q` matches the number's prefix or any part of the name, case-insensitive.
     */
    async list(query: { q?: string | undefined; after?: string | undefined; limit: number }, trx: Executor = db): Promise<CustomerWithCount[]> {
      let select = withDeviceCount(trx);
      if (query.q) {
        const q = likeLiteral(query.q.toLowerCase());
        // An explicit ESCAPE: SQLite has no default escape character, PostgreSQL's is the same.
        select = select.where((eb) =>
          eb.or([
            sql<boolean>`lower(${sql.ref('customer_accounts.customer_no')}) like ${`${q}%`} escape '\\'`,
            sql<boolean>`${sql.ref('customer_accounts.name_search')} like ${`%${q}%`} escape '\\'`,
          ]),
        );
      }
      if (query.after !== undefined) select = select.where('customer_accounts.customer_no', '>', query.after);
      const rows = await select.orderBy('customer_accounts.customer_no').limit(query.limit).execute();
      return rows.map(counted);
    },

    async exists(id: string, trx: Executor = db): Promise<boolean> {
      return (await trx.selectFrom('customer_accounts').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },

    /** The customer account with exactly this number (surrounding blanks ignored), or undefined. */
    findByNumber(customerNo: string, trx: Executor = db): Promise<CustomerRow | undefined> {
      return trx.selectFrom('customer_accounts').selectAll().where('customer_no', '=', customerNo.trim()).executeTakeFirst();
    },

    /** The numbers that start with `prefix` (the demo seed's `DEMO-`). */
    async numbersStartingWith(prefix: string, trx: Executor = db): Promise<string[]> {
      const rows = await trx
        .selectFrom('customer_accounts')
        .select('customer_no')
        .where(sql<boolean>`${sql.ref('customer_no')} like ${`${likeLiteral(prefix)}%`} escape '\\'`)
        .execute();
      return rows.map((r) => r.customer_no);
    },

    async insert(row: CustomerRow, trx: Executor = db): Promise<void> {
      await trx.insertInto('customer_accounts').values(row).execute();
    },

    async insertMany(rows: readonly CustomerRow[], trx: Executor = db): Promise<void> {
      if (rows.length > 0) await trx.insertInto('customer_accounts').values([...rows]).execute();
    },

    async update(id: string, changes: Partial<Omit<CustomerRow, 'id' | 'created_at'>>, trx: Executor = db): Promise<void> {
      await trx.updateTable('customer_accounts').set(changes).where('id', '=', id).execute();
    },
  };
}

export type CustomersRepo = ReturnType<typeof createCustomersRepo>;
