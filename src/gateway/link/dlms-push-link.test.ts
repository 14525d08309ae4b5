import { afterEach, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../../../test/support/pty-pair.js';
import { vectorsOf } from '../../../test/support/protocol-vectors-of.js';
import { listenDlmsPushes, type DlmsPushLink } from './dlms-push-link.js';
import type { LinkStatus } from './stick-link.js';

// listenDlmsPushes on a real socat pseudo-terminal: the test writes what a HAN port sends (the
// vectors' HDLC UI frame and general-glo APDU), the link must hand each over whole and unchanged.

const plainPush = Buffer.from(vectorsOf('dlms-hdlc-plain-push')[0]?.input_hex ?? '', 'hex');
const gloPush = Buffer.from(vectorsOf('dlms-glo-datanotification')[0]?.input_hex ?? '', 'hex');

let pty: PtyPair | undefined;
let link: DlmsPushLink | undefined;
afterEach(async () => {
  await link?.close();
  await pty?.close();
  link = undefined;
  pty = undefined;
});

async function until(check: () => boolean, ms = 3000): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function start(p: PtyPair, idleFlushMs = 50) {
  const frames: Buffer[] = [];
  const garbage: Buffer[] = [];
  const statuses: LinkStatus[] = [];
  link = listenDlmsPushes({ kind: 'serial', path: p.devicePath }, {
    onFrame: (b) => frames.push(b),
    onGarbage: (b) => garbage.push(b),
    onStatus: (s) => statuses.push(s),
    idleFlushMs,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  return { frames, garbage, statuses };
}

describe('listenDlmsPushes', () => {
  it('hands over an HDLC UI push split across writes, byte for byte, and two frames sharing nothing', async () => {
    expect(plainPush.length).toBe(581); // 579 between the flags, plus both flags
    pty = await openPtyPair();
    const got = start(pty);
    await until(() => got.statuses.some((s) => s.kind === 'connected'));
    pty.meter.write(plainPush.subarray(0, 100));
    await new Promise((r) => setTimeout(r, 20));
    pty.meter.write(Buffer.concat([plainPush.subarray(100), plainPush]));
    await until(() => got.frames.length === 2);
    expect(got.frames[0]?.equals(plainPush)).toBe(true);
    expect(got.frames[1]?.equals(plainPush)).toBe(true);
    expect(got.garbage).toEqual([]);
  });

  it('hands over a bare general-glo APDU at the quiet gap, and noise as garbage', async () => {
    pty = await openPtyPair();
    const got = start(pty);
    await until(() => got.statuses.some((s) => s.kind === 'connected'));
    pty.meter.write(gloPush);
    await until(() => got.frames.length === 1);
    expect(got.frames[0]?.toString('hex')).toBe(gloPush.toString('hex'));
    pty.meter.write(Buffer.from('0102030405', 'hex'));
    await until(() => got.garbage.length === 1);
    expect(got.garbage[0]?.toString('hex')).toBe('0102030405');
    expect(got.frames).toHaveLength(1);
  });

  it('reports a device that is not there as disconnected and retries with backoff', async () => {
    const statuses: LinkStatus[] = [];
    link = listenDlmsPushes({ kind: 'serial', path: '/nonexistent/dlms-han' }, { onFrame: () => undefined, onStatus: (s) => statuses.push(s), backoff: { initialMs: 20, maxMs: 40 } });
    await until(() => statuses.length >= 3);
    expect(statuses.slice(0, 3).map((s) => (s.kind === 'disconnected' ? s.retryInMs : -1))).toEqual([20, 40, 40]);
    expect(statuses[0]).toMatchObject({ kind: 'disconnected', link: '/nonexistent/dlms-han' });
  });
});
