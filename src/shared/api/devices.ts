import * as Type from '@sinclair/typebox';
import { KeyVersionView } from './keys.js';
import { Nullable } from './schema-helpers.js';

// Devices (docs/inventory.md "Devices"): the answers the web UI reads. The list's query stays
// with the server's routes (src/core/modules/devices/devices-schemas.ts).

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
});

export const DeviceDetailView = Type.Object({ ...DeviceView.properties, keys: Type.Array(KeyVersionView) });
export const DevicePageView = Type.Object({ items: Type.Array(DeviceView), nextCursor: Nullable(Type.String()) });
export const DeviceCountView = Type.Object({ total: Type.Integer() });
