import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDlmsSession } from '../../src/gateway/link/dlms-session.js';
import { readIecMeter } from '../../src/gateway/link/iec-session.js';
import { startDlmsMeter, type DlmsMeterEvent, type DlmsMeterHandle } from './omnipower.js';
import { createOpticalPort, type OpticalAction } from './optical-port.js';

// Sessions back to back on the simulated OMNIPOWER's optical port, over real socat pseudo-terminals
// with the gateway's own sessions (src/gateway/link): a DLMS mode-E read, then an IEC 62056-21 mode
// C readout, three times. Every sign-on must be answered the first time, at once: the port goes back
// to waiting after DISC and after the readout, and a sign-on is never swallowed by the identified
// state (a lost option select used to leave the port deaf until 5 s of silence, and every sign-on
// sent in between restarted those 5 s).

const GUEK = Buffer.from('8409DBE84DC8B9C5DB18978723F64CF6', 'hex');
const GAK = Buffer.from('F440F8A6202FB144E57FB3F11D42D0CB', 'hex');
const ROUNDS = 3;

const written = (actions: OpticalAction[]): string =>
  Buffer.concat(actions.filter((a): a is Buffer => Buffer.isBuffer(a))).toString('latin1');

describe('the optical port state machine', () => {
  const port = () =>
    createOpticalPort({
      identification: { manufacturer: 'KAM', baudChar: '5', modeE: true, ident: 'OMNIPOWER' },
      serial: '57012345',
      signOn: true,
      readout: () => [{ id: '0.0.0', value: '57012345' }],
      hdlc: () => [],
    });

  it('answers a sign-on that comes while it is identified (the host missed the identification or its option select was lost)', () => {
    const p = port();
    expect(written(p.push(Buffer.from('/?!\r\n')))).toBe('/KAM5\\2OMNIPOWER\r\n');
    expect(p.state).toBe('identified');
    expect(written(p.push(Buffer.from('/?!\r\n')))).toBe('/KAM5\\2OMNIPOWER\r\n');
    expect(p.state).toBe('identified');
  });

  it('goes back to waiting on a line that is no option select, and then answers the next sign-on', () => {
    const p = port();
    p.push(Buffer.from('/?!\r\n'));
    expect(p.push(Buffer.from('garbage\r\n'))).toEqual([]);
    expect(p.state).toBe('idle');
    expect(written(p.push(Buffer.from('/?57012345!\r\n')))).toBe('/KAM5\\2OMNIPOWER\r\n');
  });
});

describe('DLMS mode E and IEC readouts back to back on the simulated meter', () => {
  let meter: DlmsMeterHandle;
  const events: DlmsMeterEvent[] = [];
  beforeAll(async () => {
    meter = await startDlmsMeter({ serial: '57012345', keys: { ek: GUEK, ak: GAK }, authentication: 'hls-gmac', seed: 11, transport: 'pty', onEvent: (e) => events.push(e) });
  });
  afterAll(async () => {
    await meter.close();
  });

  it(`answers each of ${2 * ROUNDS} sign-ons the first time, with no pause between the sessions`, async () => {
    const target = { kind: 'serial' as const, path: meter.devicePath };
    const took: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const session = await openDlmsSession(target, {
        modeE: true,
        baudRate: 9600,
        timeoutMs: 3000,
        switchDelayMs: 300,
        client: 1,
        serverUpper: 1,
        serverLower: 17,
        authentication: 'hls-gmac',
        security: 'authenticated-encrypted',
        keys: { ek: GUEK, ak: GAK },
        clientSystemTitle: Buffer.from('4F454B5300000001', 'hex'),
        invocationCounter: 100 + round * 10,
      });
      expect(session.identification).toBe('KAM OMNIPOWER');
      await session.connect();
      const { fields } = await session.readRegisters(['0-0:96.1.0.255']);
      expect(fields.meter_id).toBe('57012345');
      await session.close();
      const started = Date.now();
      const readout = await readIecMeter(target, { baud: 9600, timeoutMs: 3000 });
      took.push(Date.now() - started);
      expect(readout.sets[0]).toMatchObject({ id: '0.0.0', value: '57012345' });
      expect(readout.baud).toBe(9600);
    }
    const signOns = events.filter((e) => e.kind === 'sign-on');
    expect(signOns).toEqual(Array.from({ length: 2 * ROUNDS }, () => ({ kind: 'sign-on', answered: true })));
    // Sign-on, identification, option select and the readout take about 0.8 s; a sign-on sent again
    // after the 3 s timeout would show here.
    for (const ms of took) expect(ms).toBeLessThan(2500);
  }, 60_000);
});
