import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/lib/prng.js';
import { dlmsVector, hex, plainPushApdu } from '../../test/support/dlms-vectors.js';
import { encodeDataNotification } from './apdu.js';
import { encodeData, type DlmsData } from './axdr.js';
import { protect, wrapGeneralGlo } from './cipher.js';
import { createPushReader } from './notification.js';
import { dataNotificationHead, decodeDataNotification } from './notification-apdu.js';
import { pushObjects } from './push-objects.js';
import { tapePushObjects } from './push-tape.js';

// The push reader's fast path (push-tape.ts) must read every body it takes exactly as the generic
// path (decodeData + pushObjects) does: the same objects, the same fields, in the same order.

function bothPaths(plaintext: Buffer): { fast: ReturnType<typeof tapePushObjects>; generic: ReturnType<typeof pushObjects> } {
  const { bodyAt } = dataNotificationHead(plaintext, 'plaintext');
  return { fast: tapePushObjects(plaintext, bodyAt), generic: pushObjects(decodeDataNotification(plaintext, 'plaintext').body) };
}

const obis = (...g: number[]): DlmsData => ({ type: 'octet-string', value: Buffer.from(g) });
const OBIS_CODES: ReadonlyArray<readonly number[]> = [
  [1, 1, 0, 0, 5, 255], [1, 1, 1, 7, 0, 255], [1, 1, 2, 7, 0, 255], [1, 1, 3, 7, 0, 255], [1, 1, 4, 7, 0, 255],
  [1, 1, 31, 7, 0, 255], [1, 1, 51, 7, 0, 255], [1, 1, 71, 7, 0, 255], [1, 0, 31, 7, 0, 255],
  [1, 1, 32, 7, 0, 255], [1, 1, 52, 7, 0, 255], [1, 1, 72, 7, 0, 255], [1, 1, 1, 8, 0, 255], [1, 1, 2, 8, 0, 255],
  [1, 0, 1, 8, 0, 255], [1, 0, 3, 8, 0, 255], [1, 0, 14, 7, 0, 255], [1, 0, 13, 7, 0, 255], [0, 0, 1, 0, 0, 255],
  [0, 0, 96, 1, 0, 255], [1, 1, 0, 2, 129, 255], [0, 0, 96, 14, 0, 255], [1, 0, 99, 99, 9, 255], [7, 3, 0, 0, 0, 1],
];

function dateTimeBytes(rng: Rng): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(rng.int(3) === 0 ? 0xffff : 2020 + rng.int(10), 0);
  b[2] = rng.int(6) === 0 ? 0xff : 1 + rng.int(12);
  b[3] = 1 + rng.int(28);
  b[4] = 0xff;
  b[5] = rng.int(24);
  b[6] = rng.int(60);
  b[7] = rng.int(60);
  b[8] = rng.pick([0, 0xff, 33]);
  b.writeInt16BE(rng.pick([-60, -120, 0, -0x8000]), 9);
  b[11] = rng.pick([0, 0x80, 0xff]);
  return b;
}

/** A value as meters push them, now and then an odd one (64-bit, float, date-time, null, boolean). */
function value(rng: Rng): DlmsData {
  switch (rng.int(16)) {
    case 0: return { type: 'uint16', value: rng.int(65_536) };
    case 1: return { type: 'int16', value: rng.int(65_536) - 32_768 };
    case 2: return { type: 'int32', value: rng.int(2 ** 31) - 2 ** 30 };
    case 3: return { type: 'uint8', value: rng.int(256) };
    case 4: return { type: 'int8', value: rng.int(256) - 128 };
    case 5: return { type: 'enum', value: rng.int(256) };
    case 6: return { type: 'visible-string', value: rng.pick(['5706567000000000', 'Kamstrup_V0001', 'AIDON_V0001', '']) };
    case 7: return { type: 'octet-string', value: rng.int(2) === 0 ? dateTimeBytes(rng) : Buffer.from(rng.pick(['4b464d5f303031', '00ff10', ''])) };
    case 8: return { type: 'float32', value: Math.fround(rng.between(-1e4, 1e4)) };
    case 9: return { type: 'float64', value: rng.between(-1e9, 1e9) };
    case 10: return { type: rng.int(2) === 0 ? 'uint64' : 'int64', value: BigInt(rng.int(2 ** 31)) * 1_000n };
    case 11: return rng.pick<DlmsData>([{ type: 'null' }, { type: 'boolean', value: rng.int(2) === 1 }, { type: 'date-time', value: dateTimeBytes(rng) }, { type: 'utf8-string', value: 'Zähler' }]);
    default: return { type: 'uint32', value: rng.int(2 ** 32) };
  }
}

const scalerUnit = (rng: Rng): DlmsData => ({ type: 'structure', value: [{ type: 'int8', value: rng.int(7) - 4 }, { type: 'enum', value: rng.pick([27, 30, 33, 35, 32, 44, 255, 1, 200]) }] });

/** A Kamstrup-like push body: a flat list (list 1), a list of structures with scalers (lists 2/3), or a mix. */
function body(rng: Rng): DlmsData {
  const layout = rng.int(4);
  const items: DlmsData[] = [];
  if (layout !== 1 && rng.int(3) > 0) items.push({ type: 'visible-string', value: rng.pick(['Kamstrup_V0001', 'Kamstrup_V0002', 'KFM_001']) });
  const count = rng.int(20);
  for (let i = 0; i < count; i++) {
    const code = obis(...rng.pick(OBIS_CODES));
    const shape = layout === 0 ? 0 : layout === 1 ? 1 : rng.int(5);
    if (shape === 0) items.push(code, value(rng));
    else if (shape === 1) items.push({ type: 'structure', value: rng.int(3) === 0 ? [code, value(rng)] : [code, value(rng), scalerUnit(rng)] });
    else if (shape === 2) items.push(code, value(rng), scalerUnit(rng));
    else if (shape === 3) items.push({ type: rng.int(2) === 0 ? 'array' : 'structure', value: [code, value(rng), code, scalerUnit(rng)] });
    else items.push(rng.pick<DlmsData>([code, value(rng), scalerUnit(rng), { type: 'structure', value: [] }]));
  }
  return { type: rng.int(5) === 0 ? 'array' : 'structure', value: items };
}

describe('push tape: the fast path reads as the generic path', () => {
  it('the vectors: the plain Nordic push and the Landis+Gyr plaintext', () => {
    const nordic = bothPaths(plainPushApdu());
    expect(nordic.fast).toBeDefined();
    expect(nordic.fast).toEqual(nordic.generic);
    expect(nordic.fast?.objects).toHaveLength(27);
    const lgz = bothPaths(hex(dlmsVector('dlms-glo-datanotification').expected.plaintext_hex as string));
    expect(lgz.fast).toBeDefined();
    expect(lgz.fast).toEqual(lgz.generic);
  });

  it('2,000 random Kamstrup-like bodies (seeded): the same objects and fields, and the reader gives them with the generic body', () => {
    const rng = createRng(20261204);
    const keys = { ek: Buffer.alloc(16, 1), ak: Buffer.alloc(16, 2) };
    const title = Buffer.from('4b414d0003660b97', 'hex');
    const reader = createPushReader();
    let objects = 0;
    for (let i = 0; i < 2_000; i++) {
      const b = body(rng);
      const dateTime = rng.int(2) === 0 ? null : new Date(Date.UTC(2026, 11, 4, 12) + i * 10_000);
      const plaintext = encodeDataNotification({ longInvokeIdAndPriority: i, dateTime, deviationMinutes: -60, body: b });
      const { fast, generic } = bothPaths(plaintext);
      expect(fast, `body ${i}: ${encodeData(b).toString('hex')}`).toBeDefined();
      expect(fast, `body ${i}: ${encodeData(b).toString('hex')}`).toEqual(generic);
      objects += generic.objects.length;
      const apdu = wrapGeneralGlo(title, protect({ sc: 0x30, systemTitle: title, invocationCounter: i + 1, keys, plaintext }));
      const r = reader.read(apdu, () => keys);
      if (r.kind !== 'reading') throw new Error(`push ${i}: ${r.kind}`);
      expect([r.objects, r.fields]).toEqual([generic.objects, generic.fields]);
      const decoded = decodeDataNotification(plaintext);
      expect([r.notification.longInvokeIdAndPriority, r.notification.dateTime, r.notification.body]).toEqual([i, decoded.dateTime, decoded.body]);
    }
    expect(objects).toBeGreaterThan(10_000); // the lists were not empty
  });

  it('a body the tape does not take goes the generic way: a bit-string, a long-form count, a truncated body', () => {
    const bits = encodeDataNotification({ longInvokeIdAndPriority: 1, dateTime: null, body: { type: 'structure', value: [obis(1, 0, 1, 8, 0, 255), { type: 'bit-string', value: '1010' }] } });
    const { fast, generic } = bothPaths(bits);
    expect(fast).toBeUndefined();
    expect(generic.objects).toEqual([{ obis: '1-0:1.8.0.255', name: 'Active energy import (+A)', value: '1010' }]);
    const many: DlmsData = { type: 'array', value: Array.from({ length: 130 }, (_, i) => ({ type: 'uint8', value: i }) as DlmsData) };
    const long = encodeDataNotification({ longInvokeIdAndPriority: 1, dateTime: null, body: many });
    expect(long[6]).toBe(0x01);
    expect(long[7]).toBe(0x81); // the count in the long form
    expect(tapePushObjects(long, 6)).toBeUndefined();
    const cut = plainPushApdu().subarray(0, 100);
    expect(tapePushObjects(Buffer.from(cut), 6)).toBeUndefined();
    expect(() => decodeDataNotification(cut)).toThrow(expect.objectContaining({ code: 'truncated' }));
  });
});
