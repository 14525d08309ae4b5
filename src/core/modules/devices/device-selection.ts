import type { DeviceFilter } from '../../../shared/api/devices.js';
import type { DeviceSelection } from '../../../shared/api/grants.js';
import { AppError } from '../../../shared/errors.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { DeviceScope } from '../../access/device-scope.js';
import type { Executor } from '../../db/database.js';
import { resolveDeviceFilter } from './device-filter.js';
import type { DeviceListFilter, DevicesRepo } from './devices-repo.js';

// A selection of the EKS page (src/shared/api/grants.ts) → the scoped devices it names. Shared by
// grants and, later, downloads. Ticked ids are checked before any transaction (a refusal is
// audited in a transaction of its own); a filter's count is checked inside the caller's
// transaction, right before the statement that uses it, so the count granted is the count seen.

export type ResolvedSelection =
  | { kind: 'ids'; ids: readonly string[]; count: number }
  | { kind: 'filter'; filter: DeviceListFilter | undefined; count: number; askedFilter: DeviceFilter };

type Repo = Pick<DevicesRepo, 'customerAccountIdOf' | 'countIds' | 'count' | 'selectionIds'>;

export function createDeviceSelections(deps: { repo: Repo; guard: AccessGuard }) {
  const { repo } = deps;

  return {
    /**
     * Step 1, before the transaction: every ticked id must lie in `scope`, else 404 naming no
     * device (audited; which of them is outside is not told). A filter is only parsed here.
     */
    async prepare(scope: DeviceScope, selection: DeviceSelection, actor: Actor): Promise<ResolvedSelection> {
      if ('ids' in selection) {
        const ids = [...new Set(selection.ids)];
        if ((await repo.countIds(scope, ids)) !== ids.length) {
          throw await deps.guard.notFound(actor, { type: 'device-selection', id: `${ids.length} ids` }, 'No such device.');
        }
        return { kind: 'ids', ids, count: ids.length };
      }
      const filter = await resolveDeviceFilter(repo, selection.filter, 'selection.filter.');
      return { kind: 'filter', filter, count: selection.count, askedFilter: selection.filter };
    },

    /**
     * Step 2, inside the transaction: a filter must still match the count the user saw, else 409
     * `selection_changed` with the new count. Returns how many devices the selection holds.
     */
    async confirm(scope: DeviceScope, resolved: ResolvedSelection, trx: Executor): Promise<number> {
      if (resolved.kind === 'ids') return resolved.count;
      const now = resolved.filter === undefined ? 0 : await repo.count(scope, resolved.filter, trx);
      if (now !== resolved.count) {
        throw new AppError('selection_changed', `The filter now matches ${now} devices, not ${resolved.count}.`, {
          details: [{ field: 'selection.count', reason: `is now ${now}`, count: now }],
        });
      }
      return now;
    },

    /** The selected devices' ids as a subquery for a set-based statement. */
    ids(scope: DeviceScope, resolved: ResolvedSelection, trx: Executor) {
      if (resolved.kind === 'ids') return repo.selectionIds(scope, { ids: resolved.ids }, trx);
      // An unknown customer number matches nothing: a scope that is empty.
      if (resolved.filter === undefined) return repo.selectionIds({ kind: 'none' }, { ids: ['-'] }, trx);
      return repo.selectionIds(scope, { filter: resolved.filter }, trx);
    },
  };
}

export type DeviceSelections = ReturnType<typeof createDeviceSelections>;

/** What the audit record keeps of a selection: small, whatever its size (docs/grants.md). */
export function selectionSummary(resolved: ResolvedSelection): Record<string, string | number> {
  if (resolved.kind === 'ids') return { selection: 'ids', devices: resolved.count };
  return { selection: 'filter', filter: JSON.stringify(resolved.askedFilter), devices: resolved.count };
}
