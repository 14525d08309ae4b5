import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeData } from '../../drivers/dlms/axdr.js';
import { readLength } from '../../drivers/dlms/ber.js';
import { unprotect, unwrapGeneralGlo } from '../../drivers/dlms/cipher.js';
import { decodeHdlcFrame, LLC_RESPONSE } from '../../drivers/dlms/hdlc.js';
import { createHdlcClient } from '../../drivers/dlms/hdlc-link.js';
import { formatObis } from '../../drivers/dlms/obis.js';
import { createPushReader, meterOfSystemTitle } from '../../drivers/dlms/notification.js';
import { IecReader, readoutFields } from '../../drivers/iec62056-21/index.js';
import { openTestHost, type TestHost } from '../../test/support/pty-host.js';
import { startDlmsMeter, systemTitleOf, type DlmsMeterEvent, type DlmsMeterHandle } from './omnipower.js';

// The simulated OMNIPOWER over real pseudo-terminals, spoken to with raw bytes: the sign-on and
// readout, plain HDLC with the AARQ of the vectors, a GET answered in blocks, and a HAN push that
// decrypts under the meter's keys. (The DLMS client against it: test/dlms/…)

const ek = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');
const ak = Buffer.from('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF', 'hex');
/** The AARQ of the vectors (docs/protocols/dlms.md): LN, no security, conformance 00 1E 1D, max PDU FFFF. */
const AARQ = Buffer.from('601DA109060760857405080101BE10040E01000000065F1F0400001E1DFFFF', 'hex');

let meter: DlmsMeterHandle;
const events: DlmsMeterEvent[] = [];
let host: TestHost;
/** The HAN port's host end, open before the first push: a pty keeps what was written before it was opened. */
let han: TestHost;

beforeAll(async () => {
  meter = await startDlmsMeter({ serial: '12345678', keys: { ek, ak }, authentication: 'none', pushSeconds: 3600, seed: 5, transport: 'pty', onEvent: (e) => events.push(e) });
  host = await openTestHost(meter.devicePath);
  han = await openTestHost(meter.pushDevicePath ?? '', 2400);
});
afterAll(async () => {
  await han?.close();
  await host.close();
  await meter?.close();
});

describe('the simulated OMNIPOWER', () => {
  it('has the system title KAM + the serial in 5 bytes', () => {
    expect(systemTitleOf('12345678').toString('hex').toUpperCase()).toBe('4B414D0000BC614E');
    expect(meter.systemTitle.toString('hex').toUpperCase()).toBe('4B414D0000BC614E');
  });

  it('signs on at 300 baud, identifies as /KAM5\\2 and sends the mode C readout with its BCC', async () => {
    await host.write(Buffer.from('/?12345678!\r\n', 'latin1'));
    expect((await host.until(0x0a)).toString('latin1')).toBe('/KAM5\\2OMNIPOWER\r\n');
    await host.write(Buffer.from([0x06, 0x30, 0x35, 0x30, 0x0d, 0x0a]));
    const block = Buffer.concat([await host.until(0x03), await host.bytes(1)]);
    expect(block[0]).toBe(0x02);
    let bcc = 0;
    for (const b of block.subarray(1, -1)) bcc ^= b;
    expect(block.at(-1)).toBe(bcc);
    const text = block.subarray(1, -2).toString('latin1');
    expect(text).toMatch(/^0\.0\.0\(12345678\)\r\n1\.8\.0\(\d{7}\.\d{3}\*kWh\)\r\n/);
    expect(text).toMatch(/32\.7\.0\(\d{7}\.\d\*V\)\r\n/);
    expect(text.endsWith('!\r\n')).toBe(true);
    const r18 = meter.registers().find((r) => r.short === '1.8.0');
    expect(text).toContain(`1.8.0(${String(((r18?.raw ?? 0) / 1000).toFixed(3)).padStart(11, '0')}*kWh)`);
  });

  it('does not answer a sign-on for another address', async () => {
    await host.write(Buffer.from('/?99999999!\r\n', 'latin1'));
    await expect(host.bytes(1, 300)).rejects.toThrow(/no 1 bytes within 300 ms/);
  });

  it('speaks plain HDLC without a sign-on: SNRM/UA, the AARQ of the vectors, GET of 1.8.0 and a profile in blocks, DISC', async () => {
    const h = host;
    const link = createHdlcClient({ client: 16, serverUpper: 1, serverLower: 17, maxInfo: 128 });
    link.acceptUa(await h.exchange(link.snrm()));
    const ask = async (apdu: Buffer): Promise<Buffer> => {
      for (const f of link.send(apdu)) {
        let r = link.receive(await h.exchange(f));
        for (let i = 0; i < 100 && r.apdu === undefined && r.reply; i++) r = link.receive(await h.exchange(r.reply));
        if (r.apdu) return r.apdu;
      }
      throw new Error('no answer');
    };
    const aare = await ask(AARQ);
    expect(aare.toString('hex').toUpperCase()).toBe('6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F0400001E1D01F40007');
    const get = await ask(Buffer.from('C001C100030100010800FF0200', 'hex'));
    expect(get.subarray(0, 4).toString('hex')).toBe('c401c100');
    expect(decodeData(get, 4).data).toEqual({ type: 'uint32', value: meter.registers().find((r) => r.short === '1.8.0')?.raw });
    const unit = await ask(Buffer.from('C001C200030100200700FF0300', 'hex'));
    expect(decodeData(unit, 4).data).toEqual({ type: 'structure', value: [{ type: 'int8', value: -1 }, { type: 'enum', value: 35 }] });
    // The profile: GET-Response-With-Datablock, then GET-Request-Next until the last block.
    let block = await ask(Buffer.from('C001C300070100630100FF0200', 'hex'));
    const raw: Buffer[] = [];
    for (let n = 1; n < 20; n++) {
      expect(block.subarray(0, 3).toString('hex')).toBe('c402c3');
      expect(block.readUInt32BE(4)).toBe(n);
      const { length, end } = readLength(block, 9);
      expect(end + length).toBe(block.length);
      raw.push(block.subarray(end));
      if (block[3] === 1) break;
      const next = Buffer.from('C002C300000000', 'hex');
      next.writeUInt32BE(n, 3);
      block = await ask(next);
    }
    expect(raw.length).toBeGreaterThan(3);
    const profile = decodeData(Buffer.concat(raw)).data;
    expect(profile.type === 'array' && profile.value.length).toBe(96);
    expect(events).toContainEqual({ kind: 'get', obis: '1-0:99.1.0.255', attribute: 2, blocks: raw.length });
    const ua = await h.exchange(link.disc());
    expect(ua.control.kind).toBe('UA');
  });

  it('pushes a general-glo-ciphered DataNotification in an HDLC UI frame that decrypts under its keys', async () => {
    const before = meter.invocationCounter();
    const pushed = meter.pushNow();
    expect((await han.bytes(pushed.length)).equals(pushed)).toBe(true);
    const frame = decodeHdlcFrame(pushed);
    expect(frame.control.kind).toBe('UI');
    expect(frame.info.subarray(0, 3).equals(LLC_RESPONSE)).toBe(true);
    const { systemTitle, content } = unwrapGeneralGlo(frame.info.subarray(3));
    expect(systemTitle.equals(meter.systemTitle)).toBe(true);
    const { sc, invocationCounter, plaintext } = unprotect({ systemTitle, content, keys: { ek, ak } });
    expect([sc, invocationCounter]).toEqual([0x30, before + 1]);
    expect(plaintext[0]).toBe(0x0f);
    const body = decodeData(plaintext, 18).data; // 0F, invoke id (4), 0C + date-time (12)
    if (body.type !== 'array') throw new Error('not an array');
    const second = body.value[1];
    if (second?.type !== 'structure' || second.value[0]?.type !== 'octet-string') throw new Error('not {OBIS, value, {scaler, unit}}');
    expect(formatObis(second.value[0].value)).toBe('1-0:1.8.0.255');
    expect(() => unprotect({ systemTitle, content, keys: { ek, ak: Buffer.alloc(16) } })).toThrow(/authentication tag does not verify/);
  });

  it('its pushes, as the HAN port sends them, are read by the push reader: verified, named, scaled; a replay refused', async () => {
    const sent = meter.pushNow();
    const frame = await han.bytes(sent.length);
    expect(frame.equals(sent)).toBe(true);
    const reader = createPushReader();
    const keysFor = (st: Buffer) => (st.equals(meter.systemTitle) ? { ek, ak } : undefined);
    const outcome = reader.read(frame, keysFor);
    if (outcome.kind !== 'reading') throw new Error(`not a reading: ${JSON.stringify(outcome)}`);
    expect(outcome.verified).toBe('gcm-tag');
    expect(outcome.invocationCounter).toBe(meter.invocationCounter());
    expect(meterOfSystemTitle(outcome.systemTitle ?? Buffer.alloc(8))).toEqual({ manufacturer: 'KAM', serial: '12345678' });
    const raw = (short: string) => meter.registers().find((r) => r.short === short)?.raw ?? NaN;
    expect(outcome.fields).toMatchObject({ total_energy_consumption_kwh: raw('1.8.0') / 1000, voltage_at_phase_1_v: raw('32.7.0') / 10, current_at_phase_3_a: raw('71.7.0') / 100 });
    expect(reader.read(frame, keysFor)).toMatchObject({ kind: 'error', error: { code: 'counter-replay' } });
    expect(createPushReader().read(frame, () => ({ ek, ak: Buffer.alloc(16, 7) }))).toMatchObject({ kind: 'error', error: { code: 'tag-mismatch' } });
  });

  it('its mode C readout is read by the IEC 62056-21 driver: BCC checked, fields named as the DLMS path names them', async () => {
    await host.write(Buffer.from('/?!\r\n', 'latin1'));
    const reader = new IecReader();
    const ident = reader.push(await host.until(0x0a));
    expect(ident).toMatchObject([{ identification: { manufacturer: 'KAM', baud: 9600, modeE: true } }]);
    await host.write(Buffer.from([0x06, 0x30, 0x35, 0x30, 0x0d, 0x0a]));
    const items = reader.push(Buffer.concat([await host.until(0x03), await host.bytes(1)]));
    const readout = items.find((i) => 'readout' in i);
    if (readout === undefined || !('readout' in readout)) throw new Error(`no readout: ${JSON.stringify(items)}`);
    const raw = (short: string) => meter.registers().find((r) => r.short === short)?.raw ?? NaN;
    expect(readoutFields(readout.readout)).toMatchObject({ total_energy_consumption_kwh: raw('1.8.0') / 1000, voltage_at_phase_2_v: raw('52.7.0') / 10 });
  });
});
