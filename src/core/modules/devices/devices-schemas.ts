import { type Static, Type } from '@sinclair/typebox';
import type { DeviceView } from '../../../shared/api/devices.js';
import { literals } from '../../../shared/api/schema-helpers.js';
import { deviceKinds, MAX_TEXT, media } from '../../../shared/inventory/device-fields.js';

// The device list's query (docs/inventory.md "Devices"); the answers the web UI reads are in
// src/shared/api/devices.ts. Every input is bounded here; the service checks only what a schema
// cannot (the cursor's content, real calendar days).
export { DeviceCountView, DeviceDetailView, DevicePageView, DeviceView } from '../../../shared/api/devices.js';

export const deviceSorts = ['serial', '-serial', 'deliveryDate', '-deliveryDate', 'model', '-model', 'customerNo', '-customerNo'] as const;
export type DeviceSort = (typeof deviceSorts)[number];

const serialChars = '[A-Za-z0-9][A-Za-z0-9._/-]{0,31}';
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const FreeText = Type.String({ minLength: 1, maxLength: MAX_TEXT });

export const deviceFilterProperties = {
  serial: Type.Optional(Type.String({ pattern: `^${serialChars}\\*?$`, description: 'Exact serial, or a prefix with a trailing `*`' })),
  serialFrom: Type.Optional(Type.String({ pattern: `^${serialChars}$`, description: 'Serials from this one on (inclusive, text order)' })),
  serialTo: Type.Optional(Type.String({ pattern: `^${serialChars}$`, description: 'Serials up to this one (inclusive, text order)' })),
  manufacturer: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$', description: '3-letter M-Bus manufacturer code' })),
  kind: Type.Optional(literals(deviceKinds, 'Device kind')),
  medium: Type.Optional(literals(media, 'Medium')),
  model: Type.Optional(FreeText),
  orderNo: Type.Optional(FreeText),
  deliveryNote: Type.Optional(FreeText),
  customerNo: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._/-]{1,32}$' })),
  deliveredFrom: Type.Optional(Day),
  deliveredTo: Type.Optional(Day),
};

export const DeviceCountQuery = Type.Object(deviceFilterProperties, { additionalProperties: false });
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
