import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, onStreamEnd, retryDelayMs } from './reconnect.js';

describe('retryDelayMs', () => {
  it('starts at initialMs, doubles on every failure and stops at maxMs', () => {
    expect([0, 1, 2, 3, 7, 8, 9, 1000].map((n) => retryDelayMs(DEFAULT_BACKOFF, n))).toEqual([200, 400, 800, 1600, 25_600, 30_000, 30_000, 30_000]);
    expect(retryDelayMs({ initialMs: 5, maxMs: 12 }, 1)).toBe(10);
  });
});

describe('onStreamEnd', () => {
  it('reports the first reason only: an error, then the close that follows it', async () => {
    const s = new PassThrough();
    const reasons: string[] = [];
    onStreamEnd(s, (r) => reasons.push(r));
    s.destroy(new Error('EIO: the stick was pulled'));
    await new Promise((r) => s.once('close', r));
    expect(reasons).toEqual(['EIO: the stick was pulled']);
  });
});
