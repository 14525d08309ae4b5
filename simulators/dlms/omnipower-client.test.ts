import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDlmsClient, type DlmsClientOptions } from '../../drivers/dlms/client.js';
import { isDlmsError } from '../../drivers/dlms/errors.js';
import { parseObis } from '../../drivers/dlms/obis.js';
import { openTestHost, type TestHost } from '../../test/support/pty-host.js';
import { startDlmsMeter, type DlmsMeterEvent, type DlmsMeterHandle } from './omnipower.js';

// The simulated OMNIPOWER read by the DLMS client (drivers/dlms/client.ts) over real
// pseudo-terminals: each authentication, suite 0 ciphering, mode E sign-on before HDLC, a GET
// answered in blocks, and a wrong GAK refused without a value.

const guek = Buffer.from('8409DBE84DC8B9C5DB18978723F64CF6', 'hex');
const gak = Buffer.from('F440F8A6202FB144E57FB3F11D42D0CB', 'hex');
const clientSystemTitle = Buffer.from('4F454B5300000001', 'hex');
const password = Buffer.from('12345678', 'latin1');

interface Rig {
  meter: DlmsMeterHandle;
  host: TestHost;
  events: DlmsMeterEvent[];
}
const rigs: Rig[] = [];

async function rig(authentication: 'none' | 'lls' | 'hls-gmac'): Promise<Rig> {
  const events: DlmsMeterEvent[] = [];
  const meter = await startDlmsMeter({ serial: '57012345', keys: { ek: guek, ak: gak }, authentication, ...(authentication === 'lls' ? { password } : {}), seed: 3, transport: 'pty', onEvent: (e) => events.push(e) });
  const host = await openTestHost(meter.devicePath);
  const r = { meter, host, events };
  rigs.push(r);
  return r;
}

const options = (over: Partial<DlmsClientOptions>): DlmsClientOptions => ({ client: 1, serverUpper: 1, serverLower: 17, authentication: 'none', security: 'none', ...over });

afterAll(async () => {
  for (const r of rigs) {
    await r.host.close();
    await r.meter.close();
  }
});

describe('the DLMS client reads the simulated OMNIPOWER', () => {
  let hls: Rig;
  beforeAll(async () => {
    hls = await rig('hls-gmac');
  });

  it('HLS-GMAC, authenticated and encrypted: registers with scaler and unit, the clock, the serial', async () => {
    const client = createDlmsClient(options({ authentication: 'hls-gmac', security: 'authenticated-encrypted', keys: { ek: guek, ak: gak }, clientSystemTitle }), (f) => hls.host.exchange(f));
    const { serverSystemTitle } = await client.connect();
    expect(serverSystemTitle?.toString('hex').toUpperCase()).toBe('4B414D000365F079'); // KAM + 57012345
    const { objects, fields } = await client.readRegisters(['1-0:1.8.0.255', '1-0:32.7.0.255', '0-0:96.1.0.255']);
    const reg = (short: string) => hls.meter.registers().find((r) => r.short === short)?.raw ?? NaN;
    expect(objects.map((o) => [o.obis, o.value])).toEqual([
      ['1-0:1.8.0.255', reg('1.8.0')],
      ['1-0:32.7.0.255', reg('32.7.0') / 10],
      ['0-0:96.1.0.255', '57012345'],
    ]);
    expect(fields.total_energy_consumption_kwh).toBe(reg('1.8.0') / 1000);
    const clock = await client.readClock();
    expect(Math.abs(new Date(clock.iso ?? 0).getTime() - Date.now())).toBeLessThan(5000);
    await client.release();
    expect(hls.events).toContainEqual({ kind: 'associated', mechanism: 'hls-gmac', ciphered: true });
  });

  it('GET with blocks: the load profile, ciphered block by block', async () => {
    const client = createDlmsClient(options({ authentication: 'hls-gmac', security: 'authenticated-encrypted', keys: { ek: guek, ak: gak }, clientSystemTitle, invocationCounter: 1000 }), (f) => hls.host.exchange(f));
    await client.connect();
    const profile = await client.get({ classId: 7, obis: parseObis('1-0:99.1.0.255'), attribute: 2 });
    expect(profile.type === 'array' && profile.value.length).toBe(96);
    await client.release();
    const get = hls.events.find((e) => e.kind === 'get' && e.obis === '1-0:99.1.0.255');
    expect(get?.kind === 'get' && get.blocks).toBeGreaterThan(3);
  });

  it('refuses a client whose counter goes back (a replayed association)', async () => {
    const client = createDlmsClient(options({ authentication: 'hls-gmac', security: 'authenticated-encrypted', keys: { ek: guek, ak: gak }, clientSystemTitle, invocationCounter: 5 }), (f) => hls.host.exchange(f));
    await expect(client.connect()).rejects.toMatchObject({ code: 'refused', message: 'the meter refused the association (result 1, diagnostic 1)' });
    expect(hls.events.at(-1)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/invocation counter 5 is not above/) });
  });

  it('a wrong GAK: the association is refused and no value is read', async () => {
    const wrong = Buffer.from(gak);
    wrong.writeUInt8((wrong.readUInt8(0) ^ 1) & 0xff, 0);
    const ciphered = createDlmsClient(options({ authentication: 'hls-gmac', security: 'authenticated-encrypted', keys: { ek: guek, ak: wrong }, clientSystemTitle, invocationCounter: 5000 }), (f) => hls.host.exchange(f));
    const err = await ciphered.connect().catch((e: unknown) => e);
    expect(isDlmsError(err) && err.code).toBe('tag-mismatch');
    expect(ciphered.associated).toBe(false);
    // Unciphered but HLS: the meter finds our f(StoC) wrong and says so in the ACTION answer.
    const plain = createDlmsClient(options({ authentication: 'hls-gmac', security: 'none', keys: { ek: guek, ak: wrong }, clientSystemTitle }), (f) => hls.host.exchange(f));
    const err2 = await plain.connect().catch((e: unknown) => e);
    expect(isDlmsError(err2) && err2.code).toBe('tag-mismatch');
    expect(hls.events.at(-1)).toEqual({ kind: 'refused', reason: 'HLS: f(StoC) does not verify (wrong GAK or GUEK)' });
    await expect(plain.get({ classId: 3, obis: parseObis('1-0:1.8.0.255'), attribute: 2 })).rejects.toThrow();
  });

  it('LLS with the password; a wrong password is refused (authentication-failure)', async () => {
    const lls = await rig('lls');
    const client = createDlmsClient(options({ authentication: 'lls', password }), (f) => lls.host.exchange(f));
    await client.connect();
    const { objects } = await client.readRegisters(['1-0:1.7.0.255']);
    expect(objects[0]).toMatchObject({ obis: '1-0:1.7.0.255', value: lls.meter.registers().find((r) => r.short === '1.7.0')?.raw, unit: 'W' });
    await client.release();
    const wrong = createDlmsClient(options({ authentication: 'lls', password: Buffer.from('87654321') }), (f) => lls.host.exchange(f));
    await expect(wrong.connect()).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/diagnostic 13/) });
  });

  it('no security after a mode E sign-on: 300 baud identification, option select 06 32 35 32, then HDLC', async () => {
    const none = await rig('none');
    await none.host.write(Buffer.from('/?!\r\n', 'latin1'));
    const ident = (await none.host.until(0x0a)).toString('latin1');
    expect(ident).toBe('/KAM5\\2OMNIPOWER\r\n');
    await none.host.write(Buffer.from([0x06, 0x32, 0x35, 0x32, 0x0d, 0x0a]));
    await new Promise((r) => setTimeout(r, 350)); // the meter switches after the identification's time on the line
    const client = createDlmsClient(options({ client: 16 }), (f) => none.host.exchange(f));
    await client.connect();
    const { fields } = await client.readRegisters(['1-0:2.8.0.255']);
    expect(fields.total_energy_production_kwh).toBe((none.meter.registers().find((r) => r.short === '2.8.0')?.raw ?? NaN) / 1000);
    await client.release();
    // After DISC the optical port waits for a sign-on again.
    await none.host.write(Buffer.from('/?!\r\n', 'latin1'));
    expect((await none.host.until(0x0a)).toString('latin1')).toBe(ident);
  });
});
