import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DlmsData } from '../../../drivers/dlms/axdr.js';
import { encodeDateTime } from '../../../drivers/dlms/axdr.js';
import { HdlcFrameReader } from '../../../drivers/dlms/hdlc.js';
import { createMemoryMeter } from '../../../test/support/dlms-memory-meter.js';
import { playMeter as playMeterOn, type PtyMeterOptions } from '../../../test/support/dlms-pty-meter.js';
import { openPtyPair, type PtyPair } from '../../../test/support/pty-pair.js';
import { openDlmsSession } from './dlms-session.js';

// openDlmsSession on a real socat pseudo-terminal. The test plays the meter: the IEC 62056-21
// mode-E sign-on byte for byte (with the parity bits a 7E1 line carries), then HDLC and DLMS
// through the in-memory meter of test/support. Checked: the bytes on the wire, the speed change,
// the retry of SNRM, the timeout.

const KEYS = { ek: Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex'), ak: Buffer.from('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF', 'hex') };
const SERVER_TITLE = Buffer.from('4B414D0000BC614E', 'hex');
const CLIENT_TITLE = Buffer.from('4F454B0000000001', 'hex');

const u32 = (value: number): DlmsData => ({ type: 'uint32', value });
const scalerUnit = (scaler: number, unit: number): DlmsData => ({ type: 'structure', value: [{ type: 'int8', value: scaler }, { type: 'enum', value: unit }] });
const objects = new Map([
  ['1-0:1.8.0.255', { classId: 3, attributes: new Map<number, DlmsData>([[2, u32(12_345_678)], [3, scalerUnit(0, 30)]]) }],
  ['0-0:1.0.0.255', { classId: 8, attributes: new Map<number, DlmsData>([[2, { type: 'octet-string', value: encodeDateTime(new Date('2026-12-04T19:00:00Z'), 0) }]]) }],
]);

let pty: PtyPair | undefined;
afterEach(async () => {
  await pty?.close();
  pty = undefined;
});

function playMeter(p: PtyPair, o: PtyMeterOptions) {
  return playMeterOn(p, { systemTitle: SERVER_TITLE, keys: KEYS, authentication: 'hls-gmac', security: 'authenticated-encrypted', objects, ...o });
}

const options = { client: 1, serverUpper: 1, serverLower: 17, authentication: 'hls-gmac', security: 'authenticated-encrypted', keys: KEYS, clientSystemTitle: CLIENT_TITLE } as const;

describe('openDlmsSession', () => {
  it('signs on through the optical eye in mode E (7E1 in software), switches speed, then reads over HDLC', async () => {
    pty = await openPtyPair();
    const played = playMeter(pty, { identification: '/KAM5\\2OMNIPOWER' });
    const session = await openDlmsSession({ kind: 'serial', path: pty.devicePath }, { ...options, modeE: true, switchDelayMs: 50, timeoutMs: 2000 });
    try {
      expect(session.identification).toBe('KAM OMNIPOWER');
      const { serverSystemTitle } = await session.connect();
      expect(serverSystemTitle?.toString('hex')).toBe(SERVER_TITLE.toString('hex'));
      const { objects: read, fields } = await session.readRegisters(['1.8.0']);
      expect(read).toEqual([{ obis: '1-0:1.8.0.255', name: expect.any(String), value: 12_345_678, unit: 'Wh', scaler: 0 }]);
      expect(fields).toEqual({ total_energy_consumption_kwh: 12_345.678 });
      expect((await session.readClock()).iso).toBe('2026-12-04T19:00:00Z');
    } finally {
      await session.close();
    }
    // The wire: sign-on and ACK with their parity bits, then HDLC (SNRM first).
    const wire = pty.received();
    expect(wire.subarray(0, 5).toString('hex')).toBe('af3f218d0a'); // "/?!\r\n" in 7E1
    expect(wire.subarray(5, 11).toString('hex')).toBe('06b235b28d0a'); // ACK "2" "5" "2" CR LF
    expect(wire[11]).toBe(0x7e);
    expect(played.baudChanges).toEqual([9600]);
  });

  it('refuses an optical identification without \\2 (no HDLC there): unsupported, the port closed', async () => {
    pty = await openPtyPair();
    playMeter(pty, { identification: '/KAM5OMNIPOWER' });
    await expect(openDlmsSession({ kind: 'serial', path: pty.devicePath }, { ...options, modeE: true, timeoutMs: 1000 })).rejects.toMatchObject({ name: 'DlmsError', code: 'unsupported' });
  });

  it('sends SNRM again when the meter misses it, and gives no-answer when it stays silent', async () => {
    pty = await openPtyPair();
    playMeter(pty, { dropSnrms: 2 });
    const session = await openDlmsSession({ kind: 'serial', path: pty.devicePath }, { ...options, timeoutMs: 300, retries: 2 });
    await session.connect();
    await session.close();
    expect(snrmsIn(pty.received())).toBe(3);
    await pty.close();

    pty = await openPtyPair();
    playMeter(pty, { silent: true });
    const silent = await openDlmsSession({ kind: 'serial', path: pty.devicePath }, { ...options, timeoutMs: 150, retries: 1 });
    await expect(silent.connect()).rejects.toMatchObject({ name: 'DlmsError', code: 'no-answer' });
    await silent.close();
    expect(snrmsIn(pty.received())).toBe(2);
  });

  it('a broken frame start (a length of 2047 that never comes) does not swallow the answer to the next SNRM', async () => {
    pty = await openPtyPair();
    playMeter(pty, { dropSnrms: 1, junkOnDrop: Buffer.from('7ea7ff0223', 'hex') });
    const session = await openDlmsSession({ kind: 'serial', path: pty.devicePath }, { ...options, timeoutMs: 300, retries: 1 });
    try {
      await session.connect();
      expect((await session.readRegisters(['1.8.0'])).fields).toEqual({ total_energy_consumption_kwh: 12_345.678 });
    } finally {
      await session.close();
    }
    expect(snrmsIn(pty.received())).toBe(2);
  });

  it('reads a meter behind a TCP socket (ser2net, a gateway port) the same way', async () => {
    const meter = createMemoryMeter({ systemTitle: SERVER_TITLE, keys: KEYS, authentication: 'hls-gmac', security: 'authenticated-encrypted', objects });
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      const reader = new HdlcFrameReader();
      socket.on('data', (chunk) => {
        for (const item of reader.push(chunk)) if ('frame' in item) socket.write(meter.answer(item.frame) ?? Buffer.alloc(0));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const session = await openDlmsSession({ kind: 'tcp', host: '127.0.0.1', port }, { ...options, timeoutMs: 2000 });
      await session.connect();
      expect((await session.readRegisters(['1.8.0'])).fields).toEqual({ total_energy_consumption_kwh: 12_345.678 });
      await session.close();
      expect(meter.apdus.at(-1)?.[0]).toBe(0x62); // released before the socket closed
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** How many SNRM frames the bytes on the wire hold. */
function snrmsIn(bytes: Buffer): number {
  return new HdlcFrameReader().push(bytes).filter((i) => 'frame' in i && i.frame.control.kind === 'SNRM').length;
}
