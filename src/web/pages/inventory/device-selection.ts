// The EKS page's selection (docs/grants.md "In the browser"): ticked rows, which stay ticked while
// the user pages, or "all N matching", which keeps the filter and the count the user saw instead
// of a list of ids, so that a million devices are one request. A selection belongs to the filter
// it was made under: a new filter starts with nothing selected (sorting and paging keep it).
import type { DeviceFilter as ApiFilter } from '../../../shared/api/devices.js';
import { MAX_SELECTED_IDS, type DeviceSelection as ApiSelection } from '../../../shared/api/grants.js';
import type { DeviceFilter } from '../../api/devices-api.js';

export type Selection =
  | { kind: 'ids'; view: string; ids: readonly string[] }
  | { kind: 'all'; view: string; filter: DeviceFilter; count: number };

/** Nothing selected under the view (the filter's query string). */
export function emptySelection(view: string): Selection {
  return { kind: 'ids', view, ids: [] };
}

/** The selection as it applies to the view on screen: one made under another filter is gone. */
export function selectionFor(selection: Selection, view: string): Selection {
  return selection.view === view ? selection : emptySelection(view);
}

export function selectionSize(selection: Selection): number {
  return selection.kind === 'all' ? selection.count : selection.ids.length;
}

export function isSelected(selection: Selection, id: string): boolean {
  return selection.kind === 'all' || selection.ids.includes(id);
}

/** Why ticking did not change the selection: more single rows than one request may name. */
export type TickResult = { selection: Selection; tooMany: boolean };

function withIds(selection: Selection & { kind: 'ids' }, ids: readonly string[]): TickResult {
  if (ids.length > MAX_SELECTED_IDS) return { selection, tooMany: true };
  return { selection: { kind: 'ids', view: selection.view, ids }, tooMany: false };
}

/** Ticks or unticks one row. Under "all matching" every row is selected and stays so. */
export function toggleRow(selection: Selection, id: string): TickResult {
  if (selection.kind === 'all') return { selection, tooMany: false };
  if (selection.ids.includes(id)) return withIds(selection, selection.ids.filter((x) => x !== id));
  return withIds(selection, [...selection.ids, id]);
}

/** How much of the page on screen is ticked: the header box shows it (checked, mixed, empty). */
export function pageState(selection: Selection, pageIds: readonly string[]): 'all' | 'some' | 'none' {
  if (pageIds.length === 0) return 'none';
  const ticked = pageIds.filter((id) => isSelected(selection, id)).length;
  if (ticked === pageIds.length) return 'all';
  return ticked === 0 ? 'none' : 'some';
}

/** The header box: a fully ticked page is unticked, otherwise every row of the page is ticked. */
export function togglePage(selection: Selection, pageIds: readonly string[]): TickResult {
  if (selection.kind === 'all') return { selection, tooMany: false };
  if (pageState(selection, pageIds) === 'all') return withIds(selection, selection.ids.filter((id) => !pageIds.includes(id)));
  return withIds(selection, [...selection.ids, ...pageIds.filter((id) => !selection.ids.includes(id))]);
}

/**
 * "Select all N matching" is offered once the whole page is ticked and the total is known, and
 * only when it would select more than is ticked already.
 */
export function canSelectAll(selection: Selection, pageIds: readonly string[], total: number | null): boolean {
  return selection.kind === 'ids' && total !== null && pageState(selection, pageIds) === 'all' && total > selection.ids.length;
}

export function selectAll(view: string, filter: DeviceFilter, count: number): Selection {
  return { kind: 'all', view, filter, count };
}

/** After a 409 `selection_changed`: the same filter with the server's new count. */
export function withCount(selection: Selection, count: number): Selection {
  return selection.kind === 'all' ? { ...selection, count } : selection;
}

/** The body's `selection`, or null when nothing is selected. */
export function toApiSelection(selection: Selection): ApiSelection | null {
  // The filter goes back as the list was asked for it (the URL's values); the server checks it
  // against the same schema as the list's query, so a value the list refused is refused here too.
  if (selection.kind === 'all') return { filter: { ...selection.filter } as ApiFilter, count: selection.count };
  return selection.ids.length === 0 ? null : { ids: [...selection.ids] };
}
