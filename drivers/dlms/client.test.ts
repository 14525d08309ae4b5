import { describe, expect, it } from 'vitest';
import { createMemoryMeter, type MemoryMeterOptions } from '../../test/support/dlms-memory-meter.js';
import { encodeDateTime, type DlmsData } from './axdr.js';
import { InvocationCounters } from './cipher.js';
import { createDlmsClient, type DlmsClientOptions } from './client.js';
import { DlmsError } from './errors.js';
import { parseObis } from './obis.js';
import { rejected } from '../../test/support/thrown.js';

// The client against an in-memory meter made of the drivers' server side (HDLC server state, APDU
// encoders, cipher): every authentication, ciphered and plain, block transfer, HDLC segmentation,
// and the ways it must fail — wrong keys, a forged f(CtoS), a replayed counter — never with a value.

const KEYS = { ek: Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex'), ak: Buffer.from('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF', 'hex') };
const SERVER_TITLE = Buffer.from('4B414D0000BC614E', 'hex');
const CLIENT_TITLE = Buffer.from('4F454B0000000001', 'hex');

const u32 = (value: number): DlmsData => ({ type: 'uint32', value });
const u16 = (value: number): DlmsData => ({ type: 'uint16', value });
const scalerUnit = (scaler: number, unit: number): DlmsData => ({ type: 'structure', value: [{ type: 'int8', value: scaler }, { type: 'enum', value: unit }] });
const register = (value: DlmsData, scaler: number, unit: number) => ({ classId: 3, attributes: new Map<number, DlmsData>([[2, value], [3, scalerUnit(scaler, unit)]]) });
const profile: DlmsData = {
  type: 'array',
  value: Array.from({ length: 40 }, (_, i) => ({ type: 'structure', value: [{ type: 'octet-string', value: encodeDateTime(new Date(Date.UTC(2026, 11, 4, i % 24)), 0) }, u32(1_000_000 + i * 250)] }) as DlmsData),
};
const OBJECTS = new Map([
  ['1-0:1.8.0.255', register(u32(12_345_678), 0, 30)],
  ['1-0:2.8.0.255', register(u32(4_321), 0, 30)],
  ['1-0:32.7.0.255', register(u16(2_305), -1, 35)],
  ['0-0:96.1.0.255', { classId: 1, attributes: new Map<number, DlmsData>([[2, { type: 'octet-string', value: Buffer.from('12345678', 'latin1') }]]) }],
  ['0-0:1.0.0.255', { classId: 8, attributes: new Map<number, DlmsData>([[2, { type: 'octet-string', value: encodeDateTime(new Date('2026-12-04T19:00:00Z'), 0) }]]) }],
  ['1-0:99.1.0.255', { classId: 7, attributes: new Map<number, DlmsData>([[2, profile]]) }],
]);

type Setup = { meter?: Partial<MemoryMeterOptions>; client?: Partial<DlmsClientOptions> };

function pair(auth: 'none' | 'lls' | 'hls-gmac', security: 'none' | 'authenticated-encrypted', s: Setup = {}) {
  const meter = createMemoryMeter({ systemTitle: SERVER_TITLE, keys: KEYS, authentication: auth, security, objects: OBJECTS, password: Buffer.from('12345678'), ...s.meter });
  const sent: Buffer[] = [];
  const client = createDlmsClient(
    { client: auth === 'none' ? 16 : 1, serverUpper: 1, serverLower: 17, authentication: auth, security, keys: KEYS, clientSystemTitle: CLIENT_TITLE, password: Buffer.from('12345678'), ...s.client },
    (frame) => {
      sent.push(frame);
      return meter.exchange(frame);
    },
  );
  return { client, meter, sent };
}

const rejection = (p: Promise<unknown>): Promise<DlmsError> => rejected(DlmsError, p);

describe('DLMS client', () => {
  it('no security, public client: registers scaled and named, a Data object, the clock, release and DISC', async () => {
    const { client, meter, sent } = pair('none', 'none');
    expect(await client.connect()).toEqual({ serverSystemTitle: SERVER_TITLE });
    const { objects, fields } = await client.readRegisters(['1.8.0', '1-0:32.7.0.255', '0.0.96.1.0']);
    expect(objects.map((o) => [o.obis, o.value, o.unit])).toEqual([
      ['1-0:1.8.0.255', 12_345_678, 'Wh'],
      ['1-0:32.7.0.255', 230.5, 'V'],
      ['0-0:96.1.0.255', '12345678', undefined],
    ]);
    expect(fields).toMatchObject({ total_energy_consumption_kwh: 12_345.678, voltage_at_phase_1_v: 230.5, meter_id: '12345678' });
    expect((await client.readClock()).iso).toBe('2026-12-04T19:00:00Z');
    await client.release();
    expect(client.associated).toBe(false);
    expect(meter.apdus.at(-1)?.[0]).toBe(0x62); // RLRQ
    expect(sent.at(-1)?.toString('hex')).toMatch(/^7ea00802232153/); // DISC (53) from client 16 (21) to 1/17 (02 23)
  });

  it('LLS: the right password associates; a wrong one is refused by the meter', async () => {
    const ok = pair('lls', 'none');
    await ok.client.connect();
    expect((await ok.client.readRegisters(['2.8.0'])).fields).toEqual({ total_energy_production_kwh: 4.321 });
    const wrong = pair('lls', 'none', { client: { password: Buffer.from('00000000') } });
    const e = await rejection(wrong.client.connect());
    expect(e.code).toBe('refused');
    expect(e.message).toContain('diagnostic 13');
  });

  it('HLS-GMAC with authenticated+encrypted APDUs: associated after f(CtoS) verifies; no OBIS code in clear on the wire', async () => {
    const { client, meter } = pair('hls-gmac', 'authenticated-encrypted');
    expect((await client.connect()).serverSystemTitle?.toString('hex')).toBe(SERVER_TITLE.toString('hex'));
    expect((await client.readRegisters(['1.8.0'])).fields).toEqual({ total_energy_consumption_kwh: 12_345.678 });
    const services = meter.apdus.filter((a) => a[0] !== 0x60 && a[0] !== 0x62);
    expect(services.map((a) => a[0])).toEqual([0xcb, 0xc8, 0xc8]); // glo-ACTION (f(StoC)), glo-GET ×2
    const obis = parseObis('1.8.0');
    for (const a of services) expect(a.includes(obis)).toBe(false);
  });

  it('general-glo-ciphering (DB) for the services when asked, answered in kind', async () => {
    const { client, meter } = pair('hls-gmac', 'authenticated-encrypted', { client: { protection: 'general-glo' } });
    await client.connect();
    expect((await client.readRegisters(['1.8.0'])).fields).toEqual({ total_energy_consumption_kwh: 12_345.678 });
    const services = meter.apdus.filter((a) => a[0] !== 0x60 && a[0] !== 0x62);
    expect(services.map((a) => a[0])).toEqual([0xdb, 0xdb, 0xdb]);
    expect(services.every((a) => a.subarray(2, 10).equals(CLIENT_TITLE))).toBe(true); // DB 08 <our system title>
  });

  it('HLS-GMAC without ciphering also works (plain ACTION and GET)', async () => {
    const { client, meter } = pair('hls-gmac', 'none');
    await client.connect();
    expect((await client.readRegisters(['1.8.0'])).objects[0]?.value).toBe(12_345_678);
    expect(meter.apdus.filter((a) => a[0] === 0xc3)).toHaveLength(1);
  });

  it('a wrong GAK fails the association with tag-mismatch, whichever side finds it; no GET is possible', async () => {
    const wrongAk = { ek: KEYS.ek, ak: Buffer.alloc(16, 0x42) };
    for (const security of ['authenticated-encrypted', 'none'] as const) {
      const { client, meter, sent } = pair('hls-gmac', security, { client: { keys: wrongAk } });
      const e = await rejection(client.connect());
      expect(e.code).toBe('tag-mismatch');
      expect(client.associated).toBe(false);
      expect((await rejection(client.get({ classId: 3, obis: parseObis('1.8.0'), attribute: 2 }))).code).toBe('protocol');
      expect(meter.apdus.some((a) => a[0] === 0xc0 || a[0] === 0xc8)).toBe(false);
      const before = meter.apdus.length;
      await client.release(); // no RLRQ without an association, but DISC: the link is up
      expect(meter.apdus.length).toBe(before);
      expect(sent.at(-1)?.toString('hex')).toMatch(/^7ea00802230353/); // DISC (53) from client 1 (03)
    }
  });

  it("a meter that cannot prove it holds the GAK (forged f(CtoS)) is not trusted: tag-mismatch", async () => {
    const { client } = pair('hls-gmac', 'authenticated-encrypted', { meter: { forgeFCtoS: true } });
    const e = await rejection(client.connect());
    expect(e).toMatchObject({ code: 'tag-mismatch', offset: 5 });
    expect(client.associated).toBe(false);
  });

  it('a replayed server invocation counter is refused before the answer is read', async () => {
    const { client } = pair('none', 'authenticated-encrypted', { meter: { replayCounter: true } });
    await client.connect(); // the AARE's counter is the first one seen
    const e = await rejection(client.readRegisters(['1.8.0']));
    expect(e.code).toBe('counter-replay');
    // Shared counters refuse a counter seen in an earlier session.
    const counters = new InvocationCounters();
    const first = pair('none', 'authenticated-encrypted', { client: { counters } });
    await first.client.connect();
    await first.client.readRegisters(['1.8.0']);
    const again = pair('none', 'authenticated-encrypted', { client: { counters } }); // a fresh meter starts its counter over
    expect((await rejection(again.client.connect())).code).toBe('counter-replay');
  });

  it('GET with blocks (GET-Request-Next until the last) over small HDLC frames, ciphered', async () => {
    const { client, meter } = pair('hls-gmac', 'authenticated-encrypted', { meter: { blockSize: 96, maxInfo: 48 }, client: { maxInfo: 48 } });
    await client.connect();
    const data = await client.get({ classId: 7, obis: parseObis('1-0:99.1.0.255'), attribute: 2 });
    expect(data).toEqual(profile);
    const gets = meter.apdus.filter((a) => a[0] === 0xc8);
    expect(gets.length).toBeGreaterThan(5); // the normal request and one Next per further block
  });

  it('a block transfer the meter aborts half-way is refused with its data-access-result, no partial value', async () => {
    const { client } = pair('none', 'none', { meter: { blockSize: 96, abortBlockAt: 3 } });
    await client.connect();
    const e = await rejection(client.get({ classId: 7, obis: parseObis('1-0:99.1.0.255'), attribute: 2 }));
    expect(e).toMatchObject({ code: 'refused', accessError: 15 });
    expect(e.message).toContain('long-get-aborted');
  });

  it('a data-access-result is refused with its number; an undefined object too', async () => {
    const { client } = pair('none', 'none');
    await client.connect();
    const e = await rejection(client.get({ classId: 3, obis: parseObis('1-0:9.9.9.255'), attribute: 2 }));
    expect(e).toMatchObject({ code: 'refused', accessError: 4 });
    expect(e.message).toContain('object-undefined');
  });

  it('refuses to start without what the chosen security needs', () => {
    const exchange = () => Promise.reject(new Error('not used'));
    expect(() => createDlmsClient({ client: 1, serverUpper: 1, authentication: 'lls', security: 'none' }, exchange)).toThrow(expect.objectContaining({ code: 'bad-value' }));
    expect(() => createDlmsClient({ client: 1, serverUpper: 1, authentication: 'hls-gmac', security: 'none', clientSystemTitle: CLIENT_TITLE }, exchange)).toThrow(expect.objectContaining({ code: 'no-key' }));
    expect(() => createDlmsClient({ client: 1, serverUpper: 1, authentication: 'none', security: 'authenticated-encrypted', keys: KEYS }, exchange)).toThrow(expect.objectContaining({ code: 'bad-value' }));
  });
});
