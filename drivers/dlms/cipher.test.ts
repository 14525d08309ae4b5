import { describe, expect, it } from 'vitest';
import { dlmsVector, hex } from '../../test/support/dlms-vectors.js';
import { hlsGmac, InvocationCounters, protect, unprotect, unwrapGeneralGlo, unwrapGlo, wrapGeneralGlo, wrapGlo } from './cipher.js';
import { DlmsError } from './errors.js';
import { thrown as thrownBy } from '../../test/support/thrown.js';

const thrown = (f: () => unknown): DlmsError => thrownBy(DlmsError, f);

const gcm = dlmsVector('dlms-gcm-encrypt');
const greenBook = { ek: hex(gcm.keys.EK as string), ak: hex(gcm.keys.AK as string) };

describe('suite 0 ciphering', () => {
  const st = hex(gcm.keys.system_title as string);
  const plaintext = hex(gcm.input_hex);
  const content = Buffer.concat([hex('3001234567'), hex(gcm.expected.ciphertext_and_tag as string)]);

  it('encrypts the Green Book GET to its ciphertext and tag', () => {
    const out = protect({ sc: 0x30, systemTitle: st, invocationCounter: 0x01234567, keys: greenBook, plaintext });
    expect(out.toString('hex')).toBe(content.toString('hex'));
    // The glo-get-request the vector's description names.
    expect(wrapGlo(0xc8, out).subarray(0, 2).toString('hex')).toBe('c81e');
  });

  it('decrypts it back and checks the tag', () => {
    expect(unprotect({ systemTitle: st, content, keys: greenBook })).toEqual({ sc: 0x30, invocationCounter: 0x01234567, plaintext });
  });

  it('a wrong AK or EK, or one altered bit, is tag-mismatch at the tag', () => {
    const wrongAk = { ek: greenBook.ek, ak: Buffer.alloc(16, 1) };
    const wrongEk = { ek: Buffer.alloc(16, 1), ak: greenBook.ak };
    for (const keys of [wrongAk, wrongEk]) {
      const e = thrown(() => unprotect({ systemTitle: st, content, keys }));
      expect([e.code, e.offset]).toEqual(['tag-mismatch', content.length - 12]);
      expect(e.message).not.toContain(plaintext.toString('hex'));
    }
    const altered = Buffer.from(content);
    altered[7] = (altered[7] as number) ^ 1;
    expect(thrown(() => unprotect({ systemTitle: st, content: altered, keys: greenBook })).code).toBe('tag-mismatch');
    const otherTitle = Buffer.from(st);
    otherTitle[7] = 0;
    expect(thrown(() => unprotect({ systemTitle: otherTitle, content, keys: greenBook })).code).toBe('tag-mismatch');
  });

  it('authentication only: the plaintext in clear, the tag over SC ‖ AK ‖ plaintext', () => {
    const out = protect({ sc: 0x10, systemTitle: st, invocationCounter: 7, keys: greenBook, plaintext });
    expect(out.subarray(5, 5 + plaintext.length).equals(plaintext)).toBe(true);
    expect(out.length).toBe(5 + plaintext.length + 12);
    expect(unprotect({ systemTitle: st, content: out, keys: greenBook }).plaintext.equals(plaintext)).toBe(true);
    const altered = Buffer.from(out);
    altered[6] = (altered[6] as number) ^ 0x80;
    expect(thrown(() => unprotect({ systemTitle: st, content: altered, keys: greenBook })).code).toBe('tag-mismatch');
  });

  it('needs the key it uses', () => {
    expect(thrown(() => unprotect({ systemTitle: st, content, keys: { ek: greenBook.ek } })).code).toBe('no-key');
    expect(thrown(() => unprotect({ systemTitle: st, content, keys: { ak: greenBook.ak } })).code).toBe('no-key');
    expect(thrown(() => unprotect({ systemTitle: st, content, keys: { ek: Buffer.alloc(8), ak: greenBook.ak } })).code).toBe('bad-value');
    expect(thrown(() => unprotect({ systemTitle: st, content: hex('300000'), keys: greenBook })).code).toBe('truncated');
    expect(thrown(() => unprotect({ systemTitle: st, content: hex('b0000000010000'), keys: greenBook })).code).toBe('unsupported');
    expect(thrown(() => unprotect({ systemTitle: st, content: hex('3200000001'), keys: greenBook })).code).toBe('unsupported');
  });
});

describe('HLS-GMAC', () => {
  it('answers the server challenge with the vector tag', () => {
    const v = dlmsVector('dlms-hls-gmac');
    const out = hlsGmac({ systemTitle: hex(v.keys.client_system_title as string), invocationCounter: 1, ak: hex(v.keys.AK as string), ek: hex(v.keys.EK as string), challenge: hex(v.input_hex) });
    expect(out.toString('hex')).toBe(`1000000001${v.expected.tag as string}`);
  });
});

describe('general-glo-ciphering', () => {
  it('unwraps and decrypts the Landis+Gyr DataNotification to the vector plaintext', () => {
    const v = dlmsVector('dlms-glo-datanotification');
    const { systemTitle, content } = unwrapGeneralGlo(hex(v.input_hex));
    expect(systemTitle.toString('hex')).toBe(v.expected.system_title);
    const out = unprotect({ systemTitle, content, keys: { ek: hex(v.keys.EK as string), ak: hex(v.keys.AK as string) } });
    expect(out.invocationCounter).toBe(0x8c);
    expect(out.plaintext.toString('hex')).toBe(v.expected.plaintext_hex);
    // And back: the same IC and keys give the same APDU.
    const again = wrapGeneralGlo(systemTitle, protect({ sc: 0x30, systemTitle, invocationCounter: 0x8c, keys: { ek: hex(v.keys.EK as string), ak: hex(v.keys.AK as string) }, plaintext: out.plaintext }));
    expect(again.toString('hex')).toBe(v.input_hex);
  });

  it('decrypts the Austrian encryption-only APDU (SC 0x21, CTR, no tag) and encrypts it back', () => {
    const v = dlmsVector('dlms-glo-encryption-only');
    const apdu = hex(v.input_hex);
    const { systemTitle, content } = unwrapGeneralGlo(apdu);
    expect(systemTitle.toString('hex')).toBe(v.expected.system_title);
    const ek = hex(v.keys.EK as string);
    const out = unprotect({ systemTitle, content, keys: { ek } });
    expect([out.sc, out.invocationCounter]).toEqual([0x21, 0x00295b9a]);
    expect(out.plaintext.toString('hex')).toBe(v.expected.plaintext_hex);
    expect(wrapGeneralGlo(systemTitle, protect({ sc: 0x21, systemTitle, invocationCounter: 0x00295b9a, keys: { ek }, plaintext: out.plaintext })).equals(apdu)).toBe(true);
    expect(apdu.subarray(10, 13).toString('hex')).toBe('820109'); // the BER length form as written
  });

  it('refuses a wrong tag, a short title, and a length that disagrees', () => {
    expect(thrown(() => unwrapGeneralGlo(hex('dc08')))).toMatchObject({ code: 'bad-tag', offset: 0 });
    expect(thrown(() => unwrapGeneralGlo(hex('db07')))).toMatchObject({ code: 'bad-length', offset: 1 });
    expect(thrown(() => unwrapGeneralGlo(hex('db0800000000000000000503')))).toMatchObject({ code: 'truncated', offset: 11 });
    expect(thrown(() => unwrapGeneralGlo(hex('db080000000000000000010303')))).toMatchObject({ code: 'bad-length', offset: 10 });
    expect(thrown(() => unwrapGlo(hex('c40100')))).toMatchObject({ code: 'bad-tag' });
    expect(unwrapGlo(hex('cc0211aa'))).toEqual({ serviceTag: 0xcc, content: hex('11aa') });
  });
});

describe('InvocationCounters', () => {
  it('accepts rising counters per title and refuses a replay', () => {
    const c = new InvocationCounters();
    c.accept('aa', 5);
    c.accept('bb', 1);
    c.accept('aa', 6);
    expect(thrown(() => c.accept('aa', 6))).toMatchObject({ code: 'counter-replay' });
    expect(thrown(() => c.accept('aa', 2, 11))).toMatchObject({ code: 'counter-replay', offset: 11 });
    expect(c.last('aa')).toBe(6);
  });

  it('stays bounded, forgetting the title heard least recently', () => {
    const c = new InvocationCounters(3);
    c.accept('a', 1);
    c.accept('b', 1);
    c.accept('c', 1);
    c.accept('a', 2); // a heard again: b is now the oldest
    c.accept('d', 1);
    expect(c.size).toBe(3);
    expect(c.last('b')).toBeUndefined();
    expect(c.last('a')).toBe(2);
  });
});
