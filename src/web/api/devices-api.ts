// Devices and their key versions (docs/inventory.md "Devices", "Key versions"): metadata only,
// never key material.
import { keyStates, type KeyState } from '../../shared/inventory/device-fields.js';
import { ApiError, type ApiClient, type RequestOptions } from './client.js';
import { arrayOf, nullableStringOf, numberOf, objectOf, stringOf } from './parse.js';

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

export interface Device {
  id: string;
  manufacturer: string;
  serial: string;
  kind: string;
  medium: string | null;
  model: string | null;
  typeNo: string | null;
  configNo: string | null;
  orderNo: string | null;
  deliveryNote: string | null;
  customerNo: string | null;
  customerName: string | null;
  deliveryDate: string | null;
  driverHint: string | null;
  createdAt: string;
}

export interface KeyVersion {
  id: string;
  keyType: string;
  version: number;
  state: KeyState;
  /** Bytes (16 or 32); null for a version stored before lengths were kept. */
  length: number | null;
  createdAt: string;
  stateChangedAt: string | null;
  stateReason: string | null;
}

export interface DeviceDetail extends Device {
  keys: KeyVersion[];
}

export interface DevicePage {
  items: Device[];
  nextCursor: string | null;
}

function parseDevice(value: unknown): Device {
  const d = objectOf(value, 'device');
  return {
    id: stringOf(d['id'], 'device id'),
    manufacturer: stringOf(d['manufacturer'], 'manufacturer'),
    serial: stringOf(d['serial'], 'serial'),
    kind: stringOf(d['kind'], 'kind'),
    medium: nullableStringOf(d['medium'], 'medium'),
    model: nullableStringOf(d['model'], 'model'),
    typeNo: nullableStringOf(d['typeNo'], 'type number'),
    configNo: nullableStringOf(d['configNo'], 'config number'),
    orderNo: nullableStringOf(d['orderNo'], 'order number'),
    deliveryNote: nullableStringOf(d['deliveryNote'], 'delivery note'),
    customerNo: nullableStringOf(d['customerNo'], 'customer number'),
    customerName: nullableStringOf(d['customerName'], 'customer name'),
    deliveryDate: nullableStringOf(d['deliveryDate'], 'delivery date'),
    driverHint: nullableStringOf(d['driverHint'], 'driver hint'),
    createdAt: stringOf(d['createdAt'], 'created at'),
  };
}

function keyStateOf(value: unknown): KeyState {
  const state = stringOf(value, 'key state');
  const known = keyStates.find((s) => s === state);
  if (known === undefined) throw new ApiError({ status: 200, code: 'bad_response', message: 'The server sent an unexpected answer (key state).' });
  return known;
}

export function parseKeyVersion(value: unknown): KeyVersion {
  const k = objectOf(value, 'key version');
  return {
    id: stringOf(k['id'], 'key id'),
    keyType: stringOf(k['keyType'], 'key type'),
    version: numberOf(k['version'], 'key version number'),
    state: keyStateOf(k['state']),
    length: k['length'] === null || k['length'] === undefined ? null : numberOf(k['length'], 'key length'),
    createdAt: stringOf(k['createdAt'], 'key created at'),
    stateChangedAt: nullableStringOf(k['stateChangedAt'], 'state changed at'),
    stateReason: nullableStringOf(k['stateReason'], 'state reason'),
  };
}

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
  const body = objectOf(await client.get(`/api/devices?${query.toString()}`, options), 'devices');
  return { items: arrayOf(body['items'], 'devices', parseDevice), nextCursor: nullableStringOf(body['nextCursor'], 'next cursor') };
}

export async function countDevices(client: ApiClient, filter: DeviceFilter, options?: RequestOptions): Promise<number> {
  const query = filterQuery(filter).toString();
  const body = objectOf(await client.get(`/api/devices/count${query ? `?${query}` : ''}`, options), 'device count');
  return numberOf(body['total'], 'device total');
}

export async function getDevice(client: ApiClient, id: string, options?: RequestOptions): Promise<DeviceDetail> {
  const body = objectOf(await client.get(`/api/devices/${encodeURIComponent(id)}`, options), 'device');
  return { ...parseDevice(body), keys: arrayOf(body['keys'], 'key versions', parseKeyVersion) };
}

export async function changeKeyState(client: ApiClient, input: { deviceId: string; keyId: string; state: KeyState; reason?: string }): Promise<KeyVersion> {
  const path = `/api/devices/${encodeURIComponent(input.deviceId)}/keys/${encodeURIComponent(input.keyId)}/state`;
  return parseKeyVersion(await client.post(path, input.reason ? { state: input.state, reason: input.reason } : { state: input.state }));
}
