import { describe, expect, it } from 'vitest';
import { MAX_SELECTED_IDS } from '../../../shared/api/grants.js';
import {
  canSelectAll, emptySelection, isSelected, pageState, selectAll, selectionFor, selectionSize, toApiSelection, toggleRow, togglePage, withCount,
} from './device-selection.js';

const view = '?customerNo=4711';
const page1 = ['d1', 'd2', 'd3'];
const page2 = ['d4', 'd5'];

describe('the EKS selection', () => {
  it('starts empty and sends nothing', () => {
    const none = emptySelection(view);
    expect(selectionSize(none)).toBe(0);
    expect(toApiSelection(none)).toBeNull();
    expect(pageState(none, page1)).toBe('none');
  });

  it('ticks and unticks single rows, keeping their order', () => {
    const one = toggleRow(emptySelection(view), 'd2');
    expect(one.tooMany).toBe(false);
    const two = toggleRow(one.selection, 'd1').selection;
    expect(toApiSelection(two)).toEqual({ ids: ['d2', 'd1'] });
    expect(pageState(two, page1)).toBe('some');
    const back = toggleRow(two, 'd2').selection;
    expect(toApiSelection(back)).toEqual({ ids: ['d1'] });
    expect(isSelected(back, 'd2')).toBe(false);
  });

  it('ticks a whole page, keeps it while paging, and adds the next page to it', () => {
    const first = togglePage(emptySelection(view), page1).selection;
    expect(pageState(first, page1)).toBe('all');
    expect(pageState(first, page2)).toBe('none');
    const both = togglePage(toggleRow(first, 'd4').selection, page2).selection;
    expect(toApiSelection(both)).toEqual({ ids: ['d1', 'd2', 'd3', 'd4', 'd5'] });
    expect(selectionSize(both)).toBe(5);
    // Unticking the full page removes only that page's rows.
    expect(toApiSelection(togglePage(both, page2).selection)).toEqual({ ids: ['d1', 'd2', 'd3'] });
  });

  it('refuses more single rows than one request may name, and keeps the selection as it was', () => {
    const ids = Array.from({ length: MAX_SELECTED_IDS }, (_, i) => `d${i}`);
    const full = togglePage(emptySelection(view), ids);
    expect(full.tooMany).toBe(false);
    expect(selectionSize(full.selection)).toBe(MAX_SELECTED_IDS);
    const over = toggleRow(full.selection, 'one-more');
    expect(over).toEqual({ selection: full.selection, tooMany: true });
    expect(togglePage(full.selection, ['x1', 'x2'])).toEqual({ selection: full.selection, tooMany: true });
  });

  it('offers "select all matching" only for a fully ticked page with a known, larger total', () => {
    const some = toggleRow(emptySelection(view), 'd1').selection;
    expect(canSelectAll(some, page1, 183_402)).toBe(false);
    const page = togglePage(emptySelection(view), page1).selection;
    expect(canSelectAll(page, page1, null)).toBe(false);
    expect(canSelectAll(page, page1, 3)).toBe(false);
    expect(canSelectAll(page, page1, 183_402)).toBe(true);
  });

  it('turns "select all" into the filter and the count, not a list of ids', () => {
    const all = selectAll(view, { customerNo: '4711' }, 183_402);
    expect(selectionSize(all)).toBe(183_402);
    expect(toApiSelection(all)).toEqual({ filter: { customerNo: '4711' }, count: 183_402 });
    expect(pageState(all, page2)).toBe('all');
    expect(isSelected(all, 'anything')).toBe(true);
    // Rows cannot be unticked out of "all matching"; the selection stays the filter.
    expect(toggleRow(all, 'd1')).toEqual({ selection: all, tooMany: false });
    expect(togglePage(all, page1)).toEqual({ selection: all, tooMany: false });
    expect(canSelectAll(all, page1, 183_402)).toBe(false);
  });

  it('takes the server’s new count after selection_changed', () => {
    const all = selectAll(view, {}, 12);
    expect(toApiSelection(withCount(all, 11))).toEqual({ filter: {}, count: 11 });
    const ids = toggleRow(emptySelection(view), 'd1').selection;
    expect(withCount(ids, 5)).toBe(ids);
  });

  it('is cleared when the filter changes, and kept under the same filter', () => {
    const ticked = togglePage(emptySelection(view), page1).selection;
    expect(selectionFor(ticked, view)).toBe(ticked);
    expect(selectionFor(ticked, '?customerNo=4712')).toEqual(emptySelection('?customerNo=4712'));
    expect(selectionFor(selectAll(view, { customerNo: '4711' }, 9), '')).toEqual(emptySelection(''));
  });
});
