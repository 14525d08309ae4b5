import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

// The customer accounts a superuser request touches, read for the request's views and the
// operator's decision. The accounts an operator is offered for a request: the one whose number the user gave
// (case-insensitive), and accounts with a similar name. "Similar" is deliberately simple and
// explainable: the name's words of three letters or more, less legal forms and filler, each
// matched as a part of the account's name; accounts matching more words come first.

export interface MatchedCustomer {
  id: string;
  customerNo: string;
  name: string;
  deviceCount: number;
}

export interface Matches {
  byNumber: MatchedCustomer | null;
  byName: MatchedCustomer[];
}

const MAX_BY_NAME = 10;
const MAX_WORDS = 6;
// Words that say nothing about which customer is meant.
const filler = new Set(['gmbh', 'mbh', 'und', 'and', 'the', 'der', 'die', 'das', 'ltd', 'inc', 'co.', 'kg', 'ag', 'se', 'e.v.', 'llc', 'plc', 'gbr', 'ohg', 'ug']);

const likeLiteral = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The distinctive words of a customer name, lower case, longest first. */
export function nameWords(name: string): string[] {
  const words = name
    .toLowerCase()
    .split(/[\s,;:()&+/"'-]+/)
    .map((w) => w.replace(/^[.]+|[.]+$/g, ''))
    .filter((w) => [...w].length >= 3 && !filler.has(w) && !filler.has(`${w}.`));
  return [...new Set(words)].sort((a, b) => b.length - a.length).slice(0, MAX_WORDS);
}

function withDeviceCount(trx: Executor) {
  return trx
    .selectFrom('customer_accounts')
    .select(['customer_accounts.id', 'customer_accounts.customer_no', 'customer_accounts.name'])
    .select((eb) =>
      eb
        .selectFrom('devices')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('devices.customer_account_id', '=', 'customer_accounts.id')
        .as('device_count'),
    );
}

const toMatch = (row: { id: string; customer_no: string; name: string; device_count: number | string | null }): MatchedCustomer => ({
  id: row.id,
  customerNo: row.customer_no,
  name: row.name,
  deviceCount: Number(row.device_count ?? 0),
});

/** Case-insensitive: users type "k-100" for K-100 (served by the index on lower(customer_no)). */
const numberIs = (customerNo: string) => sql<boolean>`lower(${sql.ref('customer_accounts.customer_no')}) = ${customerNo.toLowerCase()}`;

export interface NamedCustomer {
  id: string;
  customerNo: string;
  name: string;
}

export function createCustomerMatchesRepo(db: Executor) {
  return {
    /** The id of the account with this number, ignoring case, if any. */
    async accountIdByNumber(customerNo: string, trx: Executor = db): Promise<string | undefined> {
      const row = await trx.selectFrom('customer_accounts').select('id').where(numberIs(customerNo)).orderBy('customer_no').executeTakeFirst();
      return row?.id;
    },

    matchesFor: (request: { customerNo: string | null; customerName: string | null }, trx: Executor = db) => matchesFor(request, trx),

    /** Number and name of the accounts with these ids (unknown ids are left out). */
    async namedByIds(ids: readonly string[], trx: Executor = db): Promise<NamedCustomer[]> {
      if (ids.length === 0) return [];
      const rows = await trx.selectFrom('customer_accounts').select(['id', 'customer_no', 'name']).where('id', 'in', ids).execute();
      return rows.map((c) => ({ id: c.id, customerNo: c.customer_no, name: c.name }));
    },
  };
}

export type CustomerMatchesRepo = ReturnType<typeof createCustomerMatchesRepo>;

async function matchesFor(request: { customerNo: string | null; customerName: string | null }, trx: Executor): Promise<Matches> {
  let byNumber: MatchedCustomer | null = null;
  if (request.customerNo !== null) {
    const row = await withDeviceCount(trx)
      .where(numberIs(request.customerNo))
      .orderBy('customer_accounts.customer_no')
      .executeTakeFirst();
    byNumber = row ? toMatch(row) : null;
  }
  const words = request.customerName === null ? [] : nameWords(request.customerName);
  if (words.length === 0) return { byNumber, byName: [] };

  const hits = words.map((w) => sql<number>`case when ${sql.ref('customer_accounts.name_search')} like ${`%${likeLiteral(w)}%`} escape '\\' then 1 else 0 end`);
  const score = sql<number>`(${sql.join(hits, sql` + `)})`;
  const rows = await withDeviceCount(trx)
    .select(score.as('score'))
    .where(sql<boolean>`${score} > 0`)
    .orderBy(sql`${score}`, 'desc')
    .orderBy('customer_accounts.customer_no')
    .limit(MAX_BY_NAME + 1)
    .execute();
  const byName = rows
    .filter((r) => r.id !== byNumber?.id)
    .slice(0, MAX_BY_NAME)
    .map(toMatch);
  return { byNumber, byName };
}
