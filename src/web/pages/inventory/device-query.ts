// The EKS table's view as a URL query, so a filtered, sorted view can be bookmarked and shared:
// the filters under their API names, `sort` and `limit` (left out when they are the default).
import { deviceFilterNames, sortableColumns, type DeviceFilter, type DeviceSort, type SortColumn } from '../../api/devices-api.js';

export const pageSizes = [25, 50, 100, 200] as const;
export const defaultPageSize = 50;
export const defaultSort: DeviceSort = 'serial';

export interface DeviceQuery {
  filter: DeviceFilter;
  sort: DeviceSort;
  limit: number;
}

function isSort(value: string): value is DeviceSort {
  const column = value.startsWith('-') ? value.slice(1) : value;
  return sortableColumns.some((c) => c === column);
}

/** Reads the view from `location.search`; unknown or malformed parameters fall back to the defaults. */
export function readDeviceQuery(search: string): DeviceQuery {
  const params = new URLSearchParams(search);
  const filter: DeviceFilter = {};
  for (const name of deviceFilterNames) {
    const value = params.get(name)?.trim();
    if (value) filter[name] = value;
  }
  const sort = params.get('sort') ?? '';
  const limit = Number(params.get('limit'));
  return {
    filter,
    sort: isSort(sort) ? sort : defaultSort,
    limit: pageSizes.some((size) => size === limit) ? limit : defaultPageSize,
  };
}

/** The query string for a view (with `?`, or empty for the default view). */
export function writeDeviceQuery(query: DeviceQuery): string {
  const params = new URLSearchParams();
  for (const name of deviceFilterNames) {
    const value = query.filter[name]?.trim();
    if (value) params.set(name, value);
  }
  if (query.sort !== defaultSort) params.set('sort', query.sort);
  if (query.limit !== defaultPageSize) params.set('limit', String(query.limit));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function hasFilter(filter: DeviceFilter): boolean {
  return deviceFilterNames.some((name) => (filter[name] ?? '') !== '');
}

/** The link to the EKS page showing exactly these filters. */
export function eksLink(filter: DeviceFilter): string {
  return `/eks${writeDeviceQuery({ filter, sort: defaultSort, limit: defaultPageSize })}`;
}

/** Clicking a column header: a new column sorts ascending, the current one flips. */
export function nextSort(current: DeviceSort, column: SortColumn): DeviceSort {
  if (current === column) return `-${column}`;
  return column;
}

export function ariaSort(current: DeviceSort, column: SortColumn): 'ascending' | 'descending' | 'none' {
  if (current === column) return 'ascending';
  if (current === `-${column}`) return 'descending';
  return 'none';
}
