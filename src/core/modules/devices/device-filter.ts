import { AppError, type FieldProblem } from '../../../shared/errors.js';
import { deliveryDateProblem } from '../../../shared/inventory/device-fields.js';
import type { DeviceFilter } from '../../../shared/api/devices.js';
import type { DeviceListFilter, DevicesRepo } from './devices-repo.js';

// The device list's filter as the API takes it → the repo's filter. Shared by the list, the count
// and a selection "all N matching" (device-selection.ts), so that the three agree on what a filter
// matches.

function checkDays(query: DeviceFilter, prefix: string): void {
  const problems: FieldProblem[] = [];
  for (const field of ['deliveredFrom', 'deliveredTo'] as const) {
    const value = query[field];
    const problem = value === undefined ? undefined : deliveryDateProblem(value);
    if (problem) problems.push({ field: `${prefix}${field}`, reason: problem });
  }
  const first = problems[0];
  if (first) throw new AppError('validation_failed', `${first.field}: ${first.reason}.`, { details: problems });
}

/**
 * The repo's filter, or undefined when it can match nothing (an unknown customer number).
 * `prefix` names where the filter sits in the request (`selection.filter.`), for the error.
 */
export async function resolveDeviceFilter(repo: Pick<DevicesRepo, 'customerAccountIdOf'>, query: DeviceFilter, prefix = ''): Promise<DeviceListFilter | undefined> {
  checkDays(query, prefix);
  const { serial, customerNo, manufacturer, ...rest } = query;
  const filter: DeviceListFilter = { ...rest };
  if (serial !== undefined) filter.serial = serial.endsWith('*') ? { prefix: serial.slice(0, -1) } : { exact: serial };
  if (manufacturer !== undefined) filter.manufacturer = manufacturer.toUpperCase();
  if (customerNo !== undefined) {
    // Resolved first, so the list filters on the indexed account id, not through the join.
    const id = await repo.customerAccountIdOf(customerNo);
    if (id === undefined) return undefined;
    filter.customerAccountId = id;
  }
  return filter;
}
