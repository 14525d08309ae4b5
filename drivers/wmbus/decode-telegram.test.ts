import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VECTORS, hex } from '../../test/support/wmbus-vectors.js';
import { aesCmac } from './cmac.js';
import { decodeTelegram, tryReversedKey } from './decode-telegram.js';
import { WmbusError } from './errors.js';
import { buildFrame } from './link-layer.js';
import { recordsOf } from './records-of.js';
import { deriveMode7Key } from './tpl.js';
import { catchWmbus } from '../../test/support/wmbus-errors.js';


/** The key with one hex digit changed (digit i, +1 mod 16). */
function oneDigitOff(key: string, i: number): Buffer {
  const d = (parseInt(key[i] ?? '0', 16) + 1) % 16;
  return hex(key.slice(0, i) + d.toString(16) + key.slice(i + 1));
}

const STRIPPED = { crc: 'stripped' } as const;

describe('the shared real telegrams', () => {
  it.each(VECTORS.map((v) => [v.meter, v] as const))('%s decrypts with its key and is verified', (_name, v) => {
    const t = decodeTelegram(hex(v.telegram), { ...STRIPPED, key: hex(v.key) });
    expect([t.encrypted, t.decrypted, t.meterAddress.id]).toEqual([true, true, v.meter_id]);
  });

  it.each(VECTORS.map((v) => [v.meter, v] as const))('%s refuses the key with any one hex digit changed', (_name, v) => {
    for (let i = 0; i < 32; i++) {
      const e = catchWmbus(() => decodeTelegram(hex(v.telegram), { ...STRIPPED, key: oneDigitOff(v.key, i) }));
      expect(e.code).toBe('does-not-decrypt');
    }
  });

  it.each(VECTORS.map((v) => [v.meter, v] as const))('%s: the byte-reversed key is recognised as such', (_name, v) => {
    const reversed = hex(v.key).reverse();
    expect(catchWmbus(() => decodeTelegram(hex(v.telegram), { ...STRIPPED, key: reversed })).code).toBe('does-not-decrypt');
    expect(tryReversedKey(hex(v.telegram), { ...STRIPPED, key: reversed })).toEqual({ status: 'reversed-key' });
    expect(tryReversedKey(hex(v.telegram), { ...STRIPPED, key: hex(v.key) })).toEqual({ status: 'key-ok' });
    expect(tryReversedKey(hex(v.telegram), { ...STRIPPED, key: oneDigitOff(v.key, 5) })).toEqual({ status: 'does-not-decrypt' });
  });

  it('without a key, gives the header and "encrypted", no data', () => {
    for (const v of VECTORS) {
      const t = decodeTelegram(hex(v.telegram), STRIPPED);
      expect([t.encrypted, t.decrypted, t.applicationData]).toEqual([true, false, null]);
      expect(catchWmbus(() => recordsOf(t)).code).toBe('no-key');
    }
  });

  it('MULTICAL 21: ELL AES-CTR, then plausible records (total volume 6.408 m³)', () => {
    const v = VECTORS[0];
    if (!v) throw new Error('no vector');
    const t = decodeTelegram(buildFrame(hex(v.telegram), 'A'), { crc: 'present', format: 'A', key: hex(v.key) });
    expect(t.ell?.sessionNumber?.encryption).toBe(1);
    expect(t.tpl?.ci).toBe(0x78);
    const r = recordsOf(t);
    expect(r.find((x) => x.quantity === 'volume' && x.storage === 0)).toMatchObject({ unit: 'm3', value: 6.408 });
    expect(r.find((x) => x.quantity === 'volume' && x.storage === 1)).toMatchObject({ value: 6.408 });
    expect(r.find((x) => x.quantity === 'flow-temperature')).toMatchObject({ unit: '°C', function: 'minimum', value: 127 });
    expect(r.find((x) => x.quantity === 'external-temperature')).toMatchObject({ value: 19 });
  });

  it('Aventies: mode 5, 15 monthly volumes decreasing into the past, error flags 0', () => {
    const v = VECTORS[1];
    if (!v) throw new Error('no vector');
    const t = decodeTelegram(hex(v.telegram), { ...STRIPPED, key: hex(v.key) });
    expect([t.tpl?.securityMode, t.tpl?.encryptedBlocks, t.tpl?.header]).toEqual([5, 6, 'long']);
    const r = recordsOf(t);
    const volumes = r.filter((x) => x.quantity === 'volume').map((x) => x.value as number);
    expect(volumes[0]).toBe(466.472);
    expect(volumes.length).toBe(15);
    for (let i = 1; i < volumes.length; i++) expect(volumes[i]).toBeLessThan(volumes[i - 1] ?? 0);
    expect(r.at(-1)).toMatchObject({ quantity: 'error-flags', value: 0 });
  });

  it('Engelmann FAW: the key belongs to the TPL long-header address, not the radio one', () => {
    const v = VECTORS[2];
    if (!v) throw new Error('no vector');
    const t = decodeTelegram(hex(v.telegram), { ...STRIPPED, key: hex(v.key) });
    expect([t.radioAddress.id, t.meterAddress.id, t.meterAddress.manufacturer]).toEqual(['22502855', '22862420', 'EFE']);
    expect(t.tpl).toMatchObject({ ci: 0x73, header: 'long', frame: 'compact' });
    expect(t.applicationData?.subarray(0, 2).toString('hex')).toBe('2f2f');
    expect(catchWmbus(() => recordsOf(t)).code).toBe('unsupported-ci');
  });

  it('truncation at every length, with and without a key, is a WmbusError', () => {
    for (const v of VECTORS) {
      const bytes = hex(v.telegram);
      for (let n = 0; n < bytes.length; n++) {
        for (const key of [undefined, hex(v.key)]) {
          // A prefix with its L-field fixed up reaches the inner layers instead of stopping at the length check.
          const prefix = Buffer.from(bytes.subarray(0, n));
          expect(catchWmbus(() => decodeTelegram(prefix, { ...STRIPPED, key }))).toBeInstanceOf(WmbusError);
          if (n > 0) {
            prefix[0] = n - 1;
            try {
              decodeTelegram(prefix, { ...STRIPPED, key });
            } catch (e) {
              expect(e).toBeInstanceOf(WmbusError);
            }
          }
        }
      }
    }
  });

  it('refuses a key that is not 16 bytes', () => {
    const v = VECTORS[1];
    expect(catchWmbus(() => decodeTelegram(hex(v?.telegram ?? ''), { ...STRIPPED, key: Buffer.alloc(15) })).code).toBe('bad-key');
  });
});

describe('security mode 7 (synthetic telegram, self-built)', () => {
  const key = hex('000102030405060708090a0b0c0d0e0f');
  const counter = hex('01000000');

  function mode7Telegram(macKey: Buffer = key): Buffer {
    const link = hex('44' + '2d2c' + '78563412' + '01' + '07'); // C, M=KAM, ID 12345678, version, type
    const plain = Buffer.alloc(16, 0x2f);
    hex('0413e8030000').copy(plain, 2); // volume 1.000 m³
    const id = link.subarray(3, 7);
    const c = createCipheriv('aes-128-cbc', deriveMode7Key(key, 0x00, counter, id), Buffer.alloc(16));
    c.setAutoPadding(false);
    const enc = Buffer.concat([c.update(plain), c.final()]);
    const tpl = Buffer.concat([hex('7a' + '2a' + '00'), Buffer.from([0x10, 0x07]), hex('10'), enc]); // CW: mode 7, 1 block; KDF 1
    const mcl = 0x25; // MAC type 5: 8 bytes
    const mac = aesCmac(deriveMode7Key(macKey, 0x01, counter, id), Buffer.concat([Buffer.from([mcl]), counter, tpl])).subarray(0, 8);
    const afl = Buffer.concat([hex('90' + '0f' + '002c'), Buffer.from([mcl]), counter, mac]);
    const body = Buffer.concat([link, afl, tpl]);
    return Buffer.concat([Buffer.from([body.length]), body]);
  }

  it('derives the keys with CMAC, checks the MAC, decrypts with IV 0 and finds 2F2F', () => {
    const t = decodeTelegram(mode7Telegram(), { ...STRIPPED, key });
    expect([t.tpl?.securityMode, t.decrypted, t.afl?.counter?.toString('hex')]).toEqual([7, true, '01000000']);
    expect(recordsOf(t)[0]).toMatchObject({ quantity: 'volume', value: 1 });
  });

  it('refuses a wrong key (the MAC does not match)', () => {
    expect(catchWmbus(() => decodeTelegram(mode7Telegram(), { ...STRIPPED, key: oneDigitOff(key.toString('hex'), 3) })).code).toBe('does-not-decrypt');
  });
});
