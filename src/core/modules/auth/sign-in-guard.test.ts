import { describe, expect, it } from 'vitest';
import { accountLock, defaultSignInLimits, lockDurationMs, throttleSubject } from './sign-in-guard.js';

describe('lockDurationMs', () => {
  it('locks every 5th failure: 1, 2, 4, 8 minutes, then 15', () => {
    const minutes = (n: number) => lockDurationMs(n, defaultSignInLimits) / 60_000;
    expect([1, 2, 3, 4, 6, 99].map(minutes)).toEqual([0, 0, 0, 0, 0, 0]);
    expect([5, 10, 15, 20, 25, 30, 95].map(minutes)).toEqual([1, 2, 4, 8, 15, 15, 15]);
  });
});

describe('accountLock', () => {
  const now = new Date('2026-11-28T09:00:00.000Z');
  it('tells hard, temporary and none apart', () => {
    expect(accountLock({ hard_locked: 1, locked_until: null }, now)).toBe('hard');
    expect(accountLock({ hard_locked: 0, locked_until: '2026-11-28T09:00:00.001Z' }, now)).toBe('temporary');
    expect(accountLock({ hard_locked: 0, locked_until: '2026-11-28T09:00:00.000Z' }, now)).toBeNull();
    expect(accountLock({ hard_locked: 0, locked_until: null }, now)).toBeNull();
  });
});

describe('throttleSubject', () => {
  it.each([
    ['198.51.100.7', 'ip:198.51.100.7'],
    ['::ffff:198.51.100.7', 'ip:198.51.100.7'],
    ['2001:db8:1:2::1', 'ip:2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:0:0:1', 'ip:2001:db8:1:2::/64'],
    ['2001:db8::', 'ip:2001:db8:0:0::/64'],
    ['::1', 'ip:0:0:0:0::/64'],
    ['fe80::1%eth0', 'ip:fe80:0:0:0::/64'],
    [null, 'ip:unknown'],
    ['', 'ip:unknown'],
  ])('%s → %s', (ip, subject) => {
    expect(throttleSubject(ip)).toBe(subject);
  });
});
