import { describe, expect, it } from 'vitest';
import { dlmsVector, fromExpected, hex, plainPushApdu, type ExpectedData } from '../../test/support/dlms-vectors.js';
import { encodeDataNotification } from './apdu.js';
import { InvocationCounters, protect, wrapGeneralGlo, type SecurityKeys } from './cipher.js';
import { encodeHdlcFrame, encodeHdlcPush, LLC_RESPONSE } from './hdlc-frame.js';
import { createPushReader, meterOfSystemTitle, type PushOutcome } from './notification.js';
import type { DlmsData } from './axdr.js';

const lgz = dlmsVector('dlms-glo-datanotification');
const greenBook: SecurityKeys = { ek: hex(lgz.keys.EK as string), ak: hex(lgz.keys.AK as string) };
const LGZ_TITLE = '4c475a0000bc614e';

function reading(o: PushOutcome): Extract<PushOutcome, { kind: 'reading' }> {
  if (o.kind !== 'reading') throw new Error(`expected a reading, got ${JSON.stringify(o.kind === 'error' ? o.error : o)}`);
  return o;
}

function failure(o: PushOutcome): Extract<PushOutcome, { kind: 'error' }> {
  if (o.kind !== 'error') throw new Error(`expected an error, got ${o.kind}`);
  return o;
}

const NORDIC_FIELDS = {
  meter_datetime: '2019-12-16T07:59:40',
  power_consumption_kw: 1.122, power_production_kw: 0, reactive_power_consumption_kvar: 1.507, reactive_power_production_kvar: 0,
  current_at_phase_1_a: 0, current_at_phase_2_a: 7.5, current_at_phase_3_a: 0,
  voltage_at_phase_1_v: 230.7, voltage_at_phase_2_v: 249.9, voltage_at_phase_3_v: 230.8,
  power_consumption_at_phase_1_kw: 0, power_production_at_phase_1_kw: 0, reactive_power_consumption_at_phase_1_kvar: 0, reactive_power_production_at_phase_1_kvar: 0,
  power_consumption_at_phase_2_kw: 1.122, power_production_at_phase_2_kw: 0, reactive_power_consumption_at_phase_2_kvar: 1.506, reactive_power_production_at_phase_2_kvar: 0,
  power_consumption_at_phase_3_kw: 0, power_production_at_phase_3_kw: 0, reactive_power_consumption_at_phase_3_kvar: 0, reactive_power_production_at_phase_3_kvar: 0,
  total_energy_consumption_kwh: 10049.926, total_energy_production_kwh: 0.008,
  total_reactive_energy_consumption_kvarh: 6614.347, total_reactive_energy_production_kvarh: 0.005,
};

describe('push reader: the vectors', () => {
  it('the plain Nordic HDLC push: every object named and scaled, the fields of the vector', () => {
    const r = reading(createPushReader().read(hex(dlmsVector('dlms-hdlc-plain-push').input_hex), () => undefined));
    expect([r.verified, r.systemTitle, r.invocationCounter, r.notification.longInvokeIdAndPriority]).toEqual(['none', null, null, 0x40000000]);
    expect(r.objects).toHaveLength(27);
    expect(r.objects[1]).toEqual({ obis: '1-0:1.7.0.255', name: 'Active power import (+P)', value: 1122, unit: 'W' });
    expect(r.objects.find((o) => o.obis === '1-0:32.7.0.255')).toEqual({ obis: '1-0:32.7.0.255', name: 'Voltage L1', value: 230.7, unit: 'V' });
    expect(r.fields).toEqual(NORDIC_FIELDS);
    const v = dlmsVector('dlms-hdlc-plain-push');
    expect(r.notification.body).toEqual(fromExpected((v.expected.data_notification as { body: ExpectedData }).body));
    // And back: the notification in a UI frame from server 4/65 to client 32 is the vector's frame.
    const again = encodeHdlcPush(encodeDataNotification(r.notification), { dest: { upper: 32, size: 1 }, src: { upper: 4, lower: 65, size: 2 } });
    expect(again.toString('hex')).toBe(v.input_hex);
    // The bare APDU gives the same.
    expect(reading(createPushReader().read(plainPushApdu(), () => undefined)).fields).toEqual(NORDIC_FIELDS);
  });

  it('the Landis+Gyr general-glo push: tag verified, decrypted, counter kept', () => {
    const counters = new InvocationCounters();
    const reader = createPushReader({ counters });
    const asked: string[] = [];
    const r = reading(reader.read(hex(lgz.input_hex), (st) => (asked.push(st.toString('hex')), greenBook)));
    expect(asked).toEqual([LGZ_TITLE]);
    expect([r.verified, r.systemTitle?.toString('hex'), r.invocationCounter]).toEqual(['gcm-tag', LGZ_TITLE, 0x8c]);
    expect(r.notification.dateTime?.iso).toBe('2016-02-29T08:27:36.33+01:00');
    expect(r.notification.body).toEqual({ type: 'structure', value: [{ type: 'octet-string', value: hex((lgz.expected.plaintext_hex as string).slice(44)) }] });
    expect([r.objects, r.fields]).toEqual([[], {}]); // an opaque body: nothing to name
    expect(counters.last(LGZ_TITLE)).toBe(0x8c);
  });

  it('the Austrian encryption-only push: decrypted, marked encryption-only, the flat clock pair and the structures read', () => {
    const v = dlmsVector('dlms-glo-encryption-only');
    const r = reading(createPushReader().read(hex(v.input_hex), () => ({ ek: hex(v.keys.EK as string) })));
    expect([r.verified, r.invocationCounter]).toEqual(['encryption-only', 0x00295b9a]);
    expect(r.fields).toEqual({
      meter_datetime: '2021-07-19T15:46:35+02:00', meter_id: '1KFM0100000035', logical_device_name: 'KFM1100100000035',
      voltage_at_phase_1_v: 230.8, current_at_phase_1_a: 0, power_consumption_kw: 0, power_production_kw: 0,
      total_energy_consumption_kwh: 9.108, total_energy_production_kwh: 0,
      total_reactive_energy_consumption_kvarh: 0.096, total_reactive_energy_production_kvarh: 0.009,
    });
  });
});

describe('push reader: refusals', () => {
  const apdu = hex(lgz.input_hex);
  const plaintext = hex(lgz.expected.plaintext_hex as string);

  it('a wrong AK or EK is tag-mismatch, with no plaintext anywhere in the outcome', () => {
    for (const keys of [{ ek: greenBook.ek, ak: Buffer.alloc(16, 9) }, { ek: Buffer.alloc(16, 9), ak: greenBook.ak }]) {
      const o = failure(createPushReader().read(apdu, () => keys));
      expect([o.error.code, o.error.where, o.systemTitle?.toString('hex')]).toEqual(['tag-mismatch', 'apdu', LGZ_TITLE]);
      expect(o.error.offset).toBe(apdu.length - 12);
      const shown = JSON.stringify(o, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)) + o.error.message + String(o.error.stack);
      for (let i = 0; i + 8 <= plaintext.length; i += 4) expect(shown).not.toContain(plaintext.subarray(i, i + 8).toString('hex'));
      expect(Object.keys(o).sort()).toEqual(['error', 'kind', 'systemTitle']);
    }
  });

  it('a replayed or older counter is counter-replay at the counter', () => {
    const reader = createPushReader();
    reading(reader.read(apdu, () => greenBook));
    const again = failure(reader.read(apdu, () => greenBook));
    expect([again.error.code, again.error.offset]).toEqual(['counter-replay', 12]); // DB 08 title (8) 57 | SC at 11 | IC at 12
    const st = hex(LGZ_TITLE);
    const older = wrapGeneralGlo(st, protect({ sc: 0x30, systemTitle: st, invocationCounter: 0x8b, keys: greenBook, plaintext }));
    expect(failure(reader.read(older, () => greenBook)).error.code).toBe('counter-replay');
    const newer = wrapGeneralGlo(st, protect({ sc: 0x30, systemTitle: st, invocationCounter: 0x8d, keys: greenBook, plaintext }));
    expect(reading(reader.read(newer, () => greenBook)).invocationCounter).toBe(0x8d);
  });

  it('no keys for the title is no-key; a forged counter does not move the guard', () => {
    const counters = new InvocationCounters();
    const reader = createPushReader({ counters });
    expect(failure(reader.read(apdu, () => undefined)).error.code).toBe('no-key');
    const forged = Buffer.from(apdu);
    forged[14] = 0x7f; // IC high byte: the tag no longer verifies
    expect(failure(reader.read(forged, () => greenBook)).error.code).toBe('tag-mismatch');
    expect(counters.last(LGZ_TITLE)).toBeUndefined();
  });

  it('errors in a frame count in the frame; errors after decryption in the plaintext', () => {
    const reader = createPushReader();
    const frame = hex(dlmsVector('dlms-hdlc-plain-push').input_hex);
    const broken = Buffer.from(frame);
    broken[100] = (broken[100] as number) ^ 0xff;
    expect(failure(reader.read(broken, () => undefined)).error).toMatchObject({ code: 'bad-fcs', where: 'frame' });
    // A body that ends early, framed with valid checks: the offset is in the frame (12 bytes before the APDU).
    const addrs = { dest: { upper: 0x20, size: 1 as const }, src: { upper: 1, lower: 1, size: 2 as const } };
    const cut = encodeHdlcPush(hex('0f400000000001020906'), addrs);
    const e = failure(reader.read(cut, () => undefined)).error;
    expect([e.code, e.where, e.offset]).toEqual(['truncated', 'frame', 12 + 10]);
    expect(cut.subarray(12, 15).toString('hex')).toBe('0f4000');
    // After decryption: a plaintext that is no DataNotification.
    const st = hex(LGZ_TITLE);
    const notDn = wrapGeneralGlo(st, protect({ sc: 0x30, systemTitle: st, invocationCounter: 1, keys: greenBook, plaintext: hex('c401c1000600001391') }));
    expect(failure(createPushReader().read(notDn, () => greenBook)).error).toMatchObject({ code: 'bad-tag', where: 'plaintext', offset: 0 });
    expect(failure(reader.read(hex('c401c1000600001391'), () => undefined)).error).toMatchObject({ code: 'bad-tag', offset: 0 });
    expect(failure(reader.read(hex('dd00'), () => undefined)).error.code).toBe('unsupported');
    expect(failure(reader.read(Buffer.alloc(0), () => undefined)).error.code).toBe('truncated');
  });
});

describe('push reader: layouts and frames', () => {
  it('a push over two segmented HDLC frames is read when the last arrives', () => {
    const st = hex(LGZ_TITLE);
    const whole = Buffer.concat([LLC_RESPONSE, wrapGeneralGlo(st, protect({ sc: 0x30, systemTitle: st, invocationCounter: 9, keys: greenBook, plaintext: hex(lgz.expected.plaintext_hex as string) }))]);
    const dest = { upper: 0x10, size: 1 as const };
    const src = { upper: 1, lower: 0x11, size: 2 as const };
    const first = encodeHdlcFrame({ segmented: true, dest, src, control: { kind: 'UI', pf: false }, info: whole.subarray(0, 40) });
    const last = encodeHdlcFrame({ segmented: false, dest, src, control: { kind: 'UI', pf: false }, info: whole.subarray(40) });
    const reader = createPushReader();
    expect(reader.read(first, () => greenBook)).toEqual({ kind: 'segment', received: 37 });
    expect(reading(reader.read(last, () => greenBook)).invocationCounter).toBe(9);
  });

  it('Kamstrup list 1: flat OBIS/value pairs after the list id, currents in 0.01 A', () => {
    const obis = (t: string): DlmsData => ({ type: 'octet-string', value: hex(t) });
    const body: DlmsData = {
      type: 'structure',
      value: [
        { type: 'visible-string', value: 'Kamstrup_V0001' },
        obis('0101000005ff'), { type: 'visible-string', value: '5706567000000000' },
        obis('0101010700ff'), { type: 'uint32', value: 1500 },
        obis('01011f0700ff'), { type: 'uint32', value: 652 },
        obis('0101200700ff'), { type: 'uint16', value: 231 },
        obis('0101010800ff'), { type: 'uint32', value: 123456 },
      ],
    };
    const st = hex('4b414d0102e7cb6f');
    const apdu = wrapGeneralGlo(st, protect({ sc: 0x30, systemTitle: st, invocationCounter: 1, keys: greenBook, plaintext: encodeDataNotification({ longInvokeIdAndPriority: 1, dateTime: null, body }) }));
    const r = reading(createPushReader().read(apdu, () => greenBook));
    // Kamstrup writes B = 1 (channel 1); the table's B = 0 entries name them.
    expect(r.objects.map((o) => o.obis)).toEqual(['1-1:0.0.5.255', '1-1:1.7.0.255', '1-1:31.7.0.255', '1-1:32.7.0.255', '1-1:1.8.0.255']);
    expect(r.objects[2]).toEqual({ obis: '1-1:31.7.0.255', name: 'Current L1', value: 6.52, unit: 'A' });
    expect(r.fields).toEqual({ power_consumption_kw: 1.5, current_at_phase_1_a: 6.52, voltage_at_phase_1_v: 231, total_energy_consumption_kwh: 123.456 });
  });

  it('meterOfSystemTitle: the three letters and the decimal of the last five bytes', () => {
    expect(meterOfSystemTitle(hex(LGZ_TITLE))).toEqual({ manufacturer: 'LGZ', serial: '12345678' });
    expect(meterOfSystemTitle(hex('4b414d0102e7cb6f'))).toEqual({ manufacturer: 'KAM', serial: String(0x0102e7cb6f) });
    expect(meterOfSystemTitle(hex('0000000000000001'))).toEqual({ manufacturer: '000000', serial: '1' });
    expect(() => meterOfSystemTitle(hex('4b414d'))).toThrow(/8 bytes/);
  });
});
