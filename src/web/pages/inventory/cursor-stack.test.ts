import { describe, expect, it } from 'vitest';
import { currentCursor, firstPage, pageNumber, popCursor, pushCursor } from './cursor-stack.js';

describe('cursor stack', () => {
  it('starts on the first page, without a cursor', () => {
    expect(currentCursor(firstPage)).toBeNull();
    expect(pageNumber(firstPage)).toBe(1);
  });

  it('goes forward with the next cursor and back to the exact page before', () => {
    const second = pushCursor(firstPage, 'c2');
    const third = pushCursor(second, 'c3');
    expect(currentCursor(third)).toBe('c3');
    expect(pageNumber(third)).toBe(3);
    expect(popCursor(third)).toEqual(second);
    expect(currentCursor(popCursor(second))).toBeNull();
  });

  it('stays on the first page when going back from it', () => {
    expect(popCursor(firstPage)).toEqual(firstPage);
  });
});
