import { describe, expect, it } from 'vitest';
import { decodeTelegram, isWmbusError, recordsOf } from '../../drivers/wmbus/index.js';
import { encodeRecords, VIF } from './record-encoder.js';
import { encodeKamstrupEll, encodeOmsMode5, type RadioAddress } from './telegram-encoders.js';

const key = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const otherKey = Buffer.from('0123456789abcdef0123456789abcdee', 'hex');
const mc21: RadioAddress = { manufacturer: 'KAM', id: '63941885', version: 0x1b, deviceType: 0x16 };
const oms: RadioAddress = { manufacturer: 'ABC', id: '12345678', version: 0x01, deviceType: 0x07 };

const records = encodeRecords([
  { bytes: 2, vif: VIF.kamstrupInfo, value: 0 },
  { bytes: 4, vif: VIF.volumeLitre, value: 123456 },
  { bytes: 4, vif: VIF.volumeLitre, value: 120000, storage: 1 },
  { bytes: 1, vif: VIF.flowTempC, value: 11 },
  { bytes: 1, vif: VIF.externalTempC, value: -3 },
]);

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isWmbusError(err)) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('Kamstrup ELL AES-CTR encoder', () => {
  const t = encodeKamstrupEll({ address: mc21, key, cc: 0x20, acc: 0x42, session: 0x1234, application: Buffer.concat([Buffer.from([0x78]), records]) });

  it('decodes under its key to the records it carries', () => {
    const d = decodeTelegram(t, { crc: 'stripped', key });
    expect(d.decrypted).toBe(true);
    expect(d.meterAddress.id).toBe('63941885');
    expect(d.meterAddress.manufacturer).toBe('KAM');
    const values = recordsOf(d).map((r) => [r.storage, r.value]);
    expect(values).toEqual([[0, expect.anything()], [0, 123.456], [1, 120], [0, 11], [0, -3]]);
  });

  it('is refused under another key', () => {
    expect(refusal(() => decodeTelegram(t, { crc: 'stripped', key: otherKey }))).toBe('does-not-decrypt');
  });
});

describe('OMS mode 5 encoder', () => {
  const body = encodeRecords([{ bytes: 4, vif: VIF.volumeLitre, value: 4711 }]);
  const t = encodeOmsMode5({ address: oms, key, acc: 0x5a, status: 0, records: body });

  it('decodes under its key', () => {
    const d = decodeTelegram(t, { crc: 'stripped', key });
    expect(d.tpl?.securityMode).toBe(5);
    expect(recordsOf(d).map((r) => r.value)).toEqual([4.711]);
  });

  it('is refused under another key', () => {
    expect(refusal(() => decodeTelegram(t, { crc: 'stripped', key: otherKey }))).toBe('does-not-decrypt');
  });

  it('shows only the header without a key', () => {
    const d = decodeTelegram(t, { crc: 'stripped' });
    expect(d).toMatchObject({ encrypted: true, decrypted: false, applicationData: null });
  });
});
