import { describe, expect, it } from 'vitest';
import { ariaSort, eksLink, hasFilter, nextSort, readDeviceQuery, writeDeviceQuery } from './device-query.js';

describe('device query ⇄ URL', () => {
  it('reads filters, sort and page size from the query', () => {
    expect(readDeviceQuery('?serial=6394*&kind=meter&customerNo=K-1&deliveredFrom=2026-01-01&sort=-deliveryDate&limit=100')).toEqual({
      filter: { serial: '6394*', kind: 'meter', customerNo: 'K-1', deliveredFrom: '2026-01-01' },
      sort: '-deliveryDate',
      limit: 100,
    });
  });

  it('falls back to the defaults for unknown or malformed values and ignores other parameters', () => {
    expect(readDeviceQuery('?sort=password&limit=7&serial=%20%20&foo=bar')).toEqual({ filter: {}, sort: 'serial', limit: 50 });
  });

  it('writes only what differs from the default view, trimmed', () => {
    expect(writeDeviceQuery({ filter: {}, sort: 'serial', limit: 50 })).toBe('');
    expect(writeDeviceQuery({ filter: { model: ' MULTICAL 21 ', orderNo: '' }, sort: '-serial', limit: 25 })).toBe('?model=MULTICAL+21&sort=-serial&limit=25');
  });

  it('round-trips', () => {
    const query = { filter: { serialFrom: '63941800', serialTo: '63941899', medium: 'water-cold' }, sort: 'customerNo' as const, limit: 200 };
    expect(readDeviceQuery(writeDeviceQuery(query))).toEqual(query);
  });

  it('links to the EKS page filtered', () => {
    expect(eksLink({ customerNo: 'K 1/2' })).toBe('/eks?customerNo=K+1%2F2');
    expect(hasFilter({})).toBe(false);
    expect(hasFilter({ serial: '1' })).toBe(true);
  });

  it('sorts a new column ascending, flips the current one, and says so to assistive technology', () => {
    expect(nextSort('serial', 'model')).toBe('model');
    expect(nextSort('model', 'model')).toBe('-model');
    expect(nextSort('-model', 'model')).toBe('model');
    expect(ariaSort('-model', 'model')).toBe('descending');
    expect(ariaSort('model', 'model')).toBe('ascending');
    expect(ariaSort('model', 'serial')).toBe('none');
  });
});
