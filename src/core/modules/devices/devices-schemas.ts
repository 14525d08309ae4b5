import { type Static, Type } from '@sinclair/typebox';
import { DeviceFilter, deviceFilterProperties, type DeviceView } from '../../../shared/api/devices.js';
import { literals } from '../../../shared/api/schema-helpers.js';

// The device list's query (docs/inventory.md "Devices"); the answers the web UI reads are in
// src/shared/api/devices.ts. Every input is bounded here; the service checks only what a schema
// cannot (the cursor's content, real calendar days).
export { DeviceFilter, DeviceCountView, DeviceDetailView, DevicePageView, DeviceView } from '../../../shared/api/devices.js';

export const deviceSorts = ['serial', '-serial', 'deliveryDate', '-deliveryDate', 'model', '-model', 'customerNo', '-customerNo'] as const;
export type DeviceSort = (typeof deviceSorts)[number];

export const DeviceCountQuery = DeviceFilter;
export type DeviceFilterQuery = Static<typeof DeviceCountQuery>;

export const DeviceListQuery = Type.Object(
  {
    ...deviceFilterProperties,
    sort: Type.Optional(literals(deviceSorts, 'Sort order; `-` for descending. Absent values sort first ascending.')),
    cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,1024}$', description: 'nextCursor of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type DeviceListQueryInput = Static<typeof DeviceListQuery>;

export const DeviceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export type Device = Static<typeof DeviceView>;
