import { describe, expect, it } from 'vitest';
import { createLru } from './lru.js';

describe('lru', () => {
  it('evicts the least recently used entry and hands it to onEvict', () => {
    const evicted: string[] = [];
    const lru = createLru<string, string>(2, (v) => evicted.push(v));
    lru.set('a', 'A');
    lru.set('b', 'B');
    expect(lru.get('a')).toBe('A');
    lru.set('c', 'C');
    expect(evicted).toEqual(['B']);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.size).toBe(2);
    lru.delete('a');
    lru.clear();
    expect(evicted).toEqual(['B', 'A', 'C']);
    expect(lru.size).toBe(0);
  });

  it('wipes a replaced value', () => {
    const evicted: string[] = [];
    const lru = createLru<string, string>(3, (v) => evicted.push(v));
    lru.set('a', 'old');
    lru.set('a', 'new');
    expect(evicted).toEqual(['old']);
    expect(lru.get('a')).toBe('new');
  });

  it('refuses a capacity below one', () => {
    expect(() => createLru(0)).toThrow(RangeError);
  });
});
