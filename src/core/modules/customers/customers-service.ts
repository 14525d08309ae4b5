import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Principal } from '../../access/principal.js';
import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import { customerFieldProblems, normalizeCustomerInput, type CustomerFields, type CustomerInput } from '../../../shared/inventory/customer-fields.js';
import type { CustomersRepo, CustomerWithCount } from './customers-repo.js';

export interface CustomersDeps {
  db: Db;
  repo: CustomersRepo;
  guard: AccessGuard;
  audit: AuditWriter;
  clock: Clock;
}

/** The API's `Customer` (docs/inventory.md). */
export interface Customer {
  id: string;
  customerNo: string;
  name: string;
  contactEmail: string | null;
  notes: string | null;
  deviceCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface CustomerPage {
  items: Customer[];
  nextCursor: string | null;
}

const maxLimit = 200;
const fieldNames = ['customerNo', 'name', 'contactEmail', 'notes'] as const;

const view = (row: CustomerWithCount): Customer => ({
  id: row.id,
  customerNo: row.customer_no,
  name: row.name,
  contactEmail: row.contact_email,
  notes: row.notes,
  deviceCount: row.device_count,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const encodeCursor = (customerNo: string) => Buffer.from(JSON.stringify({ after: customerNo })).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && 'after' in value && typeof value.after === 'string') return value.after;
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_failed', 'The cursor is not valid; start again from the first page.', { details: [{ field: 'cursor', reason: 'malformed' }] });
}

function validated(input: CustomerInput): Partial<CustomerFields> {
  const fields = normalizeCustomerInput(input);
  const problems = customerFieldProblems(fields);
  const first = problems[0];
  if (first) throw new AppError('validation_failed', `${first.field}: ${first.reason}.`, { details: problems });
  return fields;
}

const taken = (customerNo: string) => new AppError('customer_no_taken', `A customer account with the number "${customerNo}" already exists.`);
const notFound = (id: string) => new AppError('not_found', `Customer account ${id} was not found.`);

/**
 * Customer accounts (operators, `customers.manage`): the accounts devices belong to and
 * superusers are bound to. Every method checks the caller's permission itself.
 */
export function createCustomersService(deps: CustomersDeps) {
  const { repo, guard } = deps;

  return {
    /** In customer-number order; `cursor` is the `nextCursor` of the previous page. */
    async list({ principal, actor, q, cursor, limit = 50 }: { principal: Principal; actor: Actor; q?: string | undefined; cursor?: string | undefined; limit?: number }): Promise<CustomerPage> {
      await guard.require(principal, actor, 'customers.manage');
      if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
        throw new AppError('validation_failed', `The limit must be a whole number from 1 to ${maxLimit}.`, { details: [{ field: 'limit', reason: `1 to ${maxLimit}` }] });
      }
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const rows = await repo.list({ q: q?.trim(), after, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor(last.customer_no) : null };
    },

    async get({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<Customer> {
      await guard.require(principal, actor, 'customers.manage');
      const row = await repo.findById(id);
      if (!row) throw notFound(id);
      return view(row);
    },

    async create({ principal, actor, ...input }: CustomerInput & { customerNo: string; name: string; principal: Principal; actor: Actor }): Promise<Customer> {
      await guard.require(principal, actor, 'customers.manage');
      const fields = validated(input);
      const now = deps.clock.now().toISOString();
      const row = {
        id: newId('cus'),
        customer_no: fields.customerNo ?? '',
        name: fields.name ?? '',
        name_search: (fields.name ?? '').toLowerCase(),
        contact_email: fields.contactEmail ?? null,
        notes: fields.notes ?? null,
        created_at: now,
        updated_at: now,
      };
      try {
        await deps.db.kysely.transaction().execute(async (trx) => {
          // The unique index decides, also between two operators creating the same number at once.
          await repo.insert(row, trx);
          await deps.audit.write({
            actor,
            action: 'customer.create',
            target: { type: 'customer', id: row.id },
            result: 'allowed',
            details: { customerNo: row.customer_no, name: row.name, fields: fieldNames.filter((f) => fields[f] != null).join(',') },
          }, trx);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw taken(row.customer_no);
        throw err;
      }
      return view({ ...row, device_count: 0 });
    },

    /** Changes the fields given; unchanged values are no change (no audit record). */
    async update({ id, principal, actor, ...input }: CustomerInput & { id: string; principal: Principal; actor: Actor }): Promise<Customer> {
      await guard.require(principal, actor, 'customers.manage');
      const fields = validated(input);
      try {
        return await deps.db.kysely.transaction().execute(async (trx) => {
          const before = await repo.findById(id, trx);
          if (!before) throw notFound(id);
          const current: CustomerFields = { customerNo: before.customer_no, name: before.name, contactEmail: before.contact_email, notes: before.notes };
          const changed = fieldNames.filter((f) => fields[f] !== undefined && fields[f] !== current[f]);
          if (changed.length === 0) return view(before);

          const next: CustomerFields = { ...current, ...fields };
          const updatedAt = deps.clock.now().toISOString();
          await repo.update(
            id,
            { customer_no: next.customerNo, name: next.name, name_search: next.name.toLowerCase(), contact_email: next.contactEmail, notes: next.notes, updated_at: updatedAt },
            trx,
          );
          await deps.audit.write({
            actor,
            action: 'customer.update',
            target: { type: 'customer', id },
            result: 'allowed',
            // Number and name identify the account; contact and notes are named, not copied.
            details: {
              fields: changed.join(','),
              customerNo: next.customerNo,
              name: next.name,
              ...(changed.includes('customerNo') ? { previousCustomerNo: current.customerNo } : {}),
              ...(changed.includes('name') ? { previousName: current.name } : {}),
            },
          }, trx);
          return view({
            ...before,
            customer_no: next.customerNo,
            name: next.name,
            name_search: next.name.toLowerCase(),
            contact_email: next.contactEmail,
            notes: next.notes,
            updated_at: updatedAt,
          });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw taken(fields.customerNo ?? '');
        throw err;
      }
    },
  };
}

export type CustomersService = ReturnType<typeof createCustomersService>;
