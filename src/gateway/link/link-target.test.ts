import { describe, expect, it } from 'vitest';
import { until } from '../../../test/support/gateway-bench.js';
import { openPtyPair } from '../../../test/support/pty-pair.js';
import { describeLinkTarget, LinkTargetError, openLinkStream, parseLinkTarget } from './link-target.js';

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

describe('openLinkStream on a serial device', () => {
  it('destroy() closes the device: the next open of it works at once, and bytes flow both ways', async () => {
    const pair = await openPtyPair();
    try {
      const target = parseLinkTarget(pair.devicePath);
      for (const round of [1, 2, 3]) {
        const stream = await openLinkStream(target, 1200, 1000, { dataBits: 8, parity: 'none', stopBits: 2 });
        const heard = new Promise<Buffer>((resolve) => stream.once('data', (c: Buffer) => resolve(c)));
        pair.meter.write(Buffer.from([0x40, round]));
        expect(await heard).toEqual(Buffer.from([0x40, round]));
        stream.write(Buffer.from([0x80, round]));
        await until(() => pair.received().length === round * 2, 'the bytes at the meter');
        await new Promise<void>((resolve) => {
          stream.once('close', () => resolve());
          stream.destroy();
        });
      }
      expect(pair.received()).toEqual(Buffer.from([0x80, 1, 0x80, 2, 0x80, 3]));
    } finally {
      await pair.close();
    }
  });
});
