// Customer accounts (operators; docs/inventory.md "Customer accounts").
import type { ApiClient, RequestOptions } from './client.js';
import { arrayOf, nullableStringOf, numberOf, objectOf, stringOf } from './parse.js';

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

export interface CustomerInput {
  customerNo: string;
  name: string;
  contactEmail: string | null;
  notes: string | null;
}

export interface CustomerPage {
  items: Customer[];
  nextCursor: string | null;
}

export const customerPageSize = 50;

function parseCustomer(value: unknown): Customer {
  const c = objectOf(value, 'customer');
  return {
    id: stringOf(c['id'], 'customer id'),
    customerNo: stringOf(c['customerNo'], 'customer number'),
    name: stringOf(c['name'], 'customer name'),
    contactEmail: nullableStringOf(c['contactEmail'], 'contact e-mail'),
    notes: nullableStringOf(c['notes'], 'notes'),
    deviceCount: numberOf(c['deviceCount'], 'device count'),
    createdAt: stringOf(c['createdAt'], 'created at'),
    updatedAt: stringOf(c['updatedAt'], 'updated at'),
  };
}

export async function listCustomers(client: ApiClient, input: { q: string; cursor: string | null }, options?: RequestOptions): Promise<CustomerPage> {
  const query = new URLSearchParams({ limit: String(customerPageSize) });
  if (input.q !== '') query.set('q', input.q);
  if (input.cursor !== null) query.set('cursor', input.cursor);
  const body = objectOf(await client.get(`/api/customers?${query.toString()}`, options), 'customers');
  return { items: arrayOf(body['items'], 'customers', parseCustomer), nextCursor: nullableStringOf(body['nextCursor'], 'next cursor') };
}

/** Empty optional fields are left out when creating (the server stores null). */
export async function createCustomer(client: ApiClient, input: CustomerInput): Promise<Customer> {
  const body: Record<string, string> = { customerNo: input.customerNo, name: input.name };
  if (input.contactEmail !== null) body['contactEmail'] = input.contactEmail;
  if (input.notes !== null) body['notes'] = input.notes;
  return parseCustomer(await client.post('/api/customers', body));
}

export async function getCustomer(client: ApiClient, id: string, options?: RequestOptions): Promise<Customer> {
  return parseCustomer(await client.get(`/api/customers/${encodeURIComponent(id)}`, options));
}

/** Sends the changed fields only; null clears an optional one. */
export async function updateCustomer(client: ApiClient, id: string, changes: Partial<CustomerInput>): Promise<Customer> {
  return parseCustomer(await client.patch(`/api/customers/${encodeURIComponent(id)}`, changes));
}
