import * as Type from '@sinclair/typebox';
import { KeyVersionView } from './keys.js';
import { deviceKinds, MAX_TEXT, media } from '../inventory/device-fields.js';
import { literals, Nullable } from './schema-helpers.js';

// Devices (docs/inventory.md "Devices"): the answers the web UI reads, and the list's filter,
// which the EKS page's "select all N matching" sends back as it is (src/shared/api/grants.ts).
// The list's paging and sorting stay with the server's routes (src/core/modules/devices/devices-schemas.ts).

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

/** The device list's filter: the query of `GET /api/devices/count`, and a selection's "all matching". */
export const DeviceFilter = Type.Object(deviceFilterProperties, { additionalProperties: false });
export type DeviceFilter = Type.Static<typeof DeviceFilter>;

export const DeviceView = Type.Object({
  id: Type.String(),
  manufacturer: Type.String(),
  serial: Type.String(),
  kind: Type.String(),
  medium: Nullable(Type.String()),
  model: Nullable(Type.String()),
  typeNo: Nullable(Type.String()),
  configNo: Nullable(Type.String()),
  orderNo: Nullable(Type.String()),
  deliveryNote: Nullable(Type.String()),
  customerNo: Nullable(Type.String()),
  customerName: Nullable(Type.String()),
  deliveryDate: Nullable(Type.String()),
  driverHint: Nullable(Type.String()),
  createdAt: Type.String(),
  /** Readers with an active or pending grant of the device; null for whoever may not manage grants. */
  readerCount: Nullable(Type.Integer()),
});

export const DeviceDetailView = Type.Object({ ...DeviceView.properties, keys: Type.Array(KeyVersionView) });
export const DevicePageView = Type.Object({ items: Type.Array(DeviceView), nextCursor: Nullable(Type.String()) });
export const DeviceCountView = Type.Object({ total: Type.Integer() });
