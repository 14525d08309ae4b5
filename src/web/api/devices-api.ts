// Devices and their key versions (docs/inventory.md "Devices", "Key versions"): metadata only,
// never key material.
import type { Static } from '@sinclair/typebox';
import { DeviceCountView, DeviceDetailView, DevicePageView, type DeviceView } from '../../shared/api/devices.js';
import { KeyVersionView, type KeyStateBody } from '../../shared/api/keys.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

export const deviceFilterNames = [
  'serial',
  'serialFrom',
  'serialTo',
  'manufacturer',
  'kind',
  'medium',
  'model',
  'orderNo',
  'deliveryNote',
  'customerNo',
  'deliveredFrom',
  'deliveredTo',
] as const;
export type DeviceFilterName = (typeof deviceFilterNames)[number];
/** Only the filters that are set; values as typed (trimmed). */
export type DeviceFilter = Partial<Record<DeviceFilterName, string>>;

export const sortableColumns = ['serial', 'deliveryDate', 'model', 'customerNo'] as const;
export type SortColumn = (typeof sortableColumns)[number];
export type DeviceSort = SortColumn | `-${SortColumn}`;

export type Device = Static<typeof DeviceView>;
export type KeyVersion = Static<typeof KeyVersionView>;
export type DeviceDetail = Static<typeof DeviceDetailView>;
export type DevicePage = Static<typeof DevicePageView>;

function filterQuery(filter: DeviceFilter): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of deviceFilterNames) {
    const value = filter[name];
    if (value !== undefined && value !== '') query.set(name, value);
  }
  return query;
}

export async function listDevices(
  client: ApiClient,
  input: { filter: DeviceFilter; sort: DeviceSort; cursor: string | null; limit: number },
  options?: RequestOptions,
): Promise<DevicePage> {
  const query = filterQuery(input.filter);
  query.set('sort', input.sort);
  query.set('limit', String(input.limit));
  if (input.cursor !== null) query.set('cursor', input.cursor);
  return checkResponse(DevicePageView, await client.get(`/api/devices?${query.toString()}`, options), 'devices');
}

export async function countDevices(client: ApiClient, filter: DeviceFilter, options?: RequestOptions): Promise<number> {
  const query = filterQuery(filter).toString();
  return checkResponse(DeviceCountView, await client.get(`/api/devices/count${query ? `?${query}` : ''}`, options), 'device count').total;
}

export async function getDevice(client: ApiClient, id: string, options?: RequestOptions): Promise<DeviceDetail> {
  return checkResponse(DeviceDetailView, await client.get(`/api/devices/${encodeURIComponent(id)}`, options), 'device');
}

export async function changeKeyState(client: ApiClient, input: { deviceId: string; keyId: string } & Static<typeof KeyStateBody>): Promise<KeyVersion> {
  const path = `/api/devices/${encodeURIComponent(input.deviceId)}/keys/${encodeURIComponent(input.keyId)}/state`;
  const body: Static<typeof KeyStateBody> = input.reason ? { state: input.state, reason: input.reason } : { state: input.state };
  return checkResponse(KeyVersionView, await client.post(path, body), 'key version');
}
