// Customer accounts (operators; docs/inventory.md "Customer accounts").
import type { Static } from '@sinclair/typebox';
import { CustomerPageView, CustomerView, type CustomerCreateBody, type CustomerUpdateBody } from '../../shared/api/customers.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

export type Customer = Static<typeof CustomerView>;
export type CustomerPage = Static<typeof CustomerPageView>;
/** The form's values: every field, null for an empty optional one. */
export type CustomerInput = Required<Static<typeof CustomerCreateBody>>;

export const customerPageSize = 50;

export async function listCustomers(client: ApiClient, input: { q: string; cursor: string | null }, options?: RequestOptions): Promise<CustomerPage> {
  const query = new URLSearchParams({ limit: String(customerPageSize) });
  if (input.q !== '') query.set('q', input.q);
  if (input.cursor !== null) query.set('cursor', input.cursor);
  return checkResponse(CustomerPageView, await client.get(`/api/customers?${query.toString()}`, options), 'customers');
}

/** Empty optional fields are left out when creating (the server stores null). */
export async function createCustomer(client: ApiClient, input: CustomerInput): Promise<Customer> {
  const body: Static<typeof CustomerCreateBody> = { customerNo: input.customerNo, name: input.name };
  if (input.contactEmail !== null) body.contactEmail = input.contactEmail;
  if (input.notes !== null) body.notes = input.notes;
  return checkResponse(CustomerView, await client.post('/api/customers', body), 'customer');
}

export async function getCustomer(client: ApiClient, id: string, options?: RequestOptions): Promise<Customer> {
  return checkResponse(CustomerView, await client.get(`/api/customers/${encodeURIComponent(id)}`, options), 'customer');
}

/** Sends the changed fields only; null clears an optional one. */
export async function updateCustomer(client: ApiClient, id: string, changes: Static<typeof CustomerUpdateBody>): Promise<Customer> {
  return checkResponse(CustomerView, await client.patch(`/api/customers/${encodeURIComponent(id)}`, changes), 'customer');
}
