import type { Clock } from '../../../lib/clock.js';
import type { Db } from '../../db/database.js';

export interface DevicesDeps {
  db: Db;
  clock: Clock;
}

export function createDevicesService(deps: DevicesDeps) {
  void deps;
  return {};
}

export type DevicesService = ReturnType<typeof createDevicesService>;
