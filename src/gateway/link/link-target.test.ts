import { describe, expect, it } from 'vitest';
import { describeLinkTarget, LinkTargetError, parseLinkTarget } from './link-target.js';

describe('parseLinkTarget', () => {
  it('reads device paths and tcp://HOST:PORT', () => {
    expect(parseLinkTarget('/dev/ttyUSB0')).toEqual({ kind: 'serial', path: '/dev/ttyUSB0' });
    expect(parseLinkTarget('tcp://127.0.0.1:2000')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2000 });
    expect(parseLinkTarget('tcp://[::1]:7')).toEqual({ kind: 'tcp', host: '::1', port: 7 });
    expect(describeLinkTarget(parseLinkTarget('tcp://gw.local:2000'))).toBe('tcp://gw.local:2000');
  });

  it.each(['', 'ttyUSB0', 'tcp://host', 'tcp://host:0', 'tcp://host:65536', 'tcp://a b:1', `/${'x'.repeat(600)}`])('refuses "%s"', (text) => {
    expect(() => parseLinkTarget(text)).toThrow(LinkTargetError);
  });
});
