// Server-side paging with an opaque cursor only goes forward; going back needs the cursors of
// the pages before. The stack holds the cursor of every page visited, the first page's being null.

export type CursorStack = readonly (string | null)[];

export const firstPage: CursorStack = [null];

export function currentCursor(stack: CursorStack): string | null {
  return stack[stack.length - 1] ?? null;
}

export function pushCursor(stack: CursorStack, next: string): CursorStack {
  return [...stack, next];
}

export function popCursor(stack: CursorStack): CursorStack {
  return stack.length > 1 ? stack.slice(0, -1) : firstPage;
}

/** 1 for the first page. */
export function pageNumber(stack: CursorStack): number {
  return Math.max(stack.length, 1);
}
