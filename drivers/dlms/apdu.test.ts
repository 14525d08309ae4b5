import { describe, expect, it } from 'vitest';
import { dlmsVector, dlmsVectors, fromExpected, hex, plainPushApdu, type ExpectedData } from '../../test/support/dlms-vectors.js';
import {
  decodeAare, decodeAarq, decodeActionRequest, decodeActionResponse, decodeDataNotification, decodeExceptionResponse, decodeGetRequest,
  decodeGetResponse, decodeInitiateRequest, decodeInitiateResponse, decodeRlre, decodeRlrq, encodeAare, encodeAarq, encodeActionRequestNormal,
  encodeActionResponseNormal, encodeDataNotification, encodeExceptionResponse, encodeGetRequestNext, encodeGetRequestNormal, encodeGetResponseBlock,
  encodeGetResponseNormal, encodeInitiateResponse, encodeRlre, encodeRlrq, REPLY_TO_HLS,
} from './apdu.js';
import { hlsGmac, protect, wrapGlo } from './cipher.js';
import { DlmsError } from './errors.js';
import { parseObis } from './obis.js';
import { thrown as thrownBy } from '../../test/support/thrown.js';

const thrown = (f: () => unknown): DlmsError => thrownBy(DlmsError, f);

/** The APDU in one of the HDLC frame vectors (the AARQ and AARE ones): its info after the LLC. */
function hdlcInfo(descriptionStart: string): Buffer {
  const v = dlmsVectors.find((x) => x.kind === 'hdlc-frame' && x.description.startsWith(descriptionStart));
  if (!v) throw new Error(`no ${descriptionStart} vector`);
  return hex(v.expected.info_hex as string).subarray(3);
}

describe('association', () => {
  it('writes the checked AARQ (no security) byte for byte and reads it back', () => {
    const aarq = hdlcInfo('AARQ-I');
    expect(encodeAarq({ authentication: { mechanism: 'none' }, ciphered: false }).toString('hex')).toBe(aarq.toString('hex'));
    const d = decodeAarq(aarq);
    expect(d).toMatchObject({ ciphered: false, mechanism: 'none' });
    expect(decodeInitiateRequest(d.userInformation)).toEqual({ maxPdu: 0xffff, conformance: 0x001e1d, dlmsVersion: 6 });
  });

  it('writes the checked AARE (accepted) byte for byte and reads it back', () => {
    const aare = hdlcInfo('AARE-I');
    const ours = encodeAare({ result: 0, diagnostic: 0, mechanism: 'none', initiateResponse: encodeInitiateResponse({ maxPdu: 0x04c8, conformance: 0x001e1d }) });
    expect(ours.toString('hex')).toBe(aare.toString('hex'));
    const d = decodeAare(aare);
    expect(d).toMatchObject({ result: 0, diagnostic: 0, diagnosticSource: 'user', ciphered: false, mechanism: 'none' });
    expect(decodeInitiateResponse(d.userInformation)).toEqual({ maxPdu: 0x04c8, conformance: 0x001e1d, vaaName: 7, dlmsVersion: 6 });
  });

  it('HLS-GMAC: titles, mechanism 5, challenges and a glo-initiateRequest both ways', () => {
    const keys = { ek: hex('000102030405060708090A0B0C0D0E0F'), ak: hex('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF') };
    const clientSystemTitle = hex('4D4D4D0000000001');
    const challenge = hex('4B35366B4F6A5A35');
    const glo = wrapGlo(0x21, protect({ sc: 0x30, systemTitle: clientSystemTitle, invocationCounter: 1, keys, plaintext: hex('01000000065f1f0400001e1dffff') }));
    const aarq = encodeAarq({ authentication: { mechanism: 'hls-gmac', clientSystemTitle, challenge }, ciphered: true, initiateRequest: glo });
    // application context LN with ciphering, calling-AP-title, acse-requirements, mechanism 5, CtoS
    expect(aarq.subarray(0, 13).toString('hex')).toBe(`60${(aarq.length - 2).toString(16)}a109060760857405080103`);
    expect(aarq.includes(hex('a60a04084d4d4d0000000001'))).toBe(true);
    expect(aarq.includes(hex('8a0207808b0760857405080205ac0a80084b35366b4f6a5a35'))).toBe(true);
    expect(decodeAarq(aarq)).toEqual({ ciphered: true, mechanism: 'hls-gmac', clientSystemTitle, authenticationValue: challenge, userInformation: glo });

    const serverSystemTitle = hex('4D4D4D0000BC614E');
    const stoc = hex('503677524A323146');
    const aare = encodeAare({ result: 0, diagnostic: 14, serverSystemTitle, challenge: stoc, mechanism: 'hls-gmac', initiateResponse: hex('2801020304') });
    expect(decodeAare(aare)).toEqual({ result: 0, diagnostic: 14, diagnosticSource: 'user', ciphered: true, mechanism: 'hls-gmac', serverSystemTitle, challenge: stoc, userInformation: hex('2801020304') });
  });

  it('LLS: the password as calling-authentication-value', () => {
    const aarq = encodeAarq({ authentication: { mechanism: 'lls', password: Buffer.from('12345678') }, ciphered: false });
    expect(decodeAarq(aarq)).toMatchObject({ mechanism: 'lls', authenticationValue: Buffer.from('12345678') });
    expect(aarq.includes(hex('8b0760857405080201'))).toBe(true);
  });

  it('a refusal comes back as result and diagnostic; a confirmed-service-error as refused', () => {
    const aare = encodeAare({ result: 1, diagnostic: 13, mechanism: 'none', initiateResponse: hex('0e010601') });
    const d = decodeAare(aare);
    expect([d.result, d.diagnostic]).toEqual([1, 13]);
    expect(thrown(() => decodeInitiateResponse(d.userInformation)).code).toBe('refused');
  });

  it('refuses broken AARQ/AARE bytes with a DlmsError', () => {
    const aarq = hdlcInfo('AARQ-I');
    expect(thrown(() => decodeAarq(aarq.subarray(0, 20))).code).toBe('bad-length');
    expect(thrown(() => decodeAare(aarq)).code).toBe('bad-tag');
    const noContext = Buffer.from(aarq);
    noContext[2] = 0xa9; // an unknown element instead of the context: skipped, and then the context is missing
    expect(thrown(() => decodeAarq(noContext)).code).toBe('protocol');
    expect(() => encodeAarq({ authentication: { mechanism: 'none' }, ciphered: true })).toThrow(/system title/);
  });

  it('RLRQ and RLRE', () => {
    expect(encodeRlrq().toString('hex')).toBe('6203800100');
    expect(encodeRlre().toString('hex')).toBe('6303800100');
    expect(decodeRlrq(encodeRlrq({ userInformation: hex('0102') }))).toEqual({ reason: 0, userInformation: hex('0102') });
    expect(decodeRlre(hex('6303800100'))).toEqual({ reason: 0 });
  });
});

describe('GET', () => {
  const v = dlmsVector('xdlms-apdu');
  const descriptor = { classId: 1, obis: parseObis('0-0:43.1.0.255'), attribute: 2 };

  it('writes the checked GET-Request-Normal and reads the checked response (5009)', () => {
    expect(encodeGetRequestNormal(0xc1, descriptor).toString('hex')).toBe(v.input_hex);
    expect(decodeGetRequest(hex(v.input_hex))).toEqual({ kind: 'normal', invokeId: 0xc1, descriptor, obisText: '0-0:43.1.0.255' });
    const response = hex(v.expected.get_response_hex as string);
    expect(decodeGetResponse(response)).toEqual({ kind: 'normal', invokeId: 0xc1, result: { type: 'uint32', value: v.expected.value } });
    expect(encodeGetResponseNormal(0xc1, { type: 'uint32', value: 5009 }).equals(response)).toBe(true);
  });

  it('a data-access-result is a typed result, not data', () => {
    const r = encodeGetResponseNormal(0xc1, { accessError: 4 });
    expect(r.toString('hex')).toBe('c401c10104');
    expect(decodeGetResponse(r)).toEqual({ kind: 'normal', invokeId: 0xc1, result: { accessError: 4, reason: 'object-undefined' } });
  });

  it('blocks: next request and with-datablock responses', () => {
    expect(encodeGetRequestNext(0xc1, 1).toString('hex')).toBe('c002c100000001');
    expect(decodeGetRequest(hex('c002c100000001'))).toEqual({ kind: 'next', invokeId: 0xc1, block: 1 });
    const block = encodeGetResponseBlock(0xc1, { last: false, block: 1, raw: hex('0102030405') });
    expect(block.toString('hex')).toBe('c402c1000000000100050102030405');
    expect(decodeGetResponse(block)).toEqual({ kind: 'block', invokeId: 0xc1, last: false, block: 1, raw: hex('0102030405') });
    expect(decodeGetResponse(hex('c402c101000000020113'))).toEqual({ kind: 'normal', invokeId: 0xc1, result: { accessError: 19, reason: 'data-block-number-invalid' } });
  });

  it('refuses trailing, short and unknown bytes', () => {
    expect(thrown(() => decodeGetResponse(hex('c401c100060000139100')))).toMatchObject({ code: 'bad-length', offset: 9 });
    expect(thrown(() => decodeGetResponse(hex('c401c1000600')))).toMatchObject({ code: 'truncated', offset: 5 });
    expect(thrown(() => decodeGetResponse(hex('c403c1')))).toMatchObject({ code: 'unsupported', offset: 1 });
    expect(thrown(() => decodeGetResponse(hex('c401c10600')))).toMatchObject({ code: 'bad-tag', offset: 3 });
  });
});

describe('ACTION reply_to_HLS_authentication', () => {
  it('carries the client GMAC as an octet string and the server answer back', () => {
    const v = dlmsVector('dlms-hls-gmac');
    const reply = hlsGmac({ systemTitle: hex(v.keys.client_system_title as string), invocationCounter: 1, ak: hex(v.keys.AK as string), ek: hex(v.keys.EK as string), challenge: hex(v.input_hex) });
    const req = encodeActionRequestNormal(0xc1, REPLY_TO_HLS, { type: 'octet-string', value: reply });
    expect(req.toString('hex')).toBe(`c301c1000f0000280000ff010109111000000001${v.expected.tag as string}`);
    expect(decodeActionRequest(req)).toEqual({ invokeId: 0xc1, descriptor: REPLY_TO_HLS, parameters: { type: 'octet-string', value: reply } });
    const rsp = encodeActionResponseNormal(0xc1, 0, { type: 'octet-string', value: hex('1000000001aabbccddeeff001122334455') });
    expect(rsp.subarray(0, 7).toString('hex')).toBe('c701c100010009');
    expect(decodeActionResponse(rsp)).toEqual({ invokeId: 0xc1, result: 0, reason: 'success', returned: { type: 'octet-string', value: hex('1000000001aabbccddeeff001122334455') } });
    expect(decodeActionResponse(hex('c701c10b00'))).toEqual({ invokeId: 0xc1, result: 11, reason: 'object-unavailable' });
  });
});

describe('ExceptionResponse', () => {
  it('both ways, with the invocation counter of an invocation-counter-error', () => {
    expect(encodeExceptionResponse({ stateError: 1, serviceError: 2 }).toString('hex')).toBe('d80102');
    expect(decodeExceptionResponse(encodeExceptionResponse({ stateError: 1, serviceError: 9, invocationCounter: 77 }))).toEqual({ stateError: 1, serviceError: 9, invocationCounter: 77 });
  });
});

describe('DataNotification', () => {
  it('decodes the Landis+Gyr plaintext and writes it back', () => {
    const v = dlmsVector('dlms-glo-datanotification');
    const plain = hex(v.expected.plaintext_hex as string);
    const n = decodeDataNotification(plain, 'plaintext');
    expect(n.longInvokeIdAndPriority).toBe(3);
    expect(n.dateTime?.iso).toBe('2016-02-29T08:27:36.33+01:00');
    expect(n.body).toEqual(fromExpected((v.expected.data_notification as { body: ExpectedData }).body));
    expect(encodeDataNotification(n).equals(plain)).toBe(true);
  });

  it('decodes the plain Nordic push APDU (no date-time) and writes it back', () => {
    const v = dlmsVector('dlms-hdlc-plain-push');
    const apdu = plainPushApdu();
    const n = decodeDataNotification(apdu);
    expect(n.longInvokeIdAndPriority).toBe(0x40000000);
    expect(n.dateTime).toBeNull();
    expect(n.body).toEqual(fromExpected((v.expected.data_notification as { body: ExpectedData }).body));
    expect(encodeDataNotification(n).equals(apdu)).toBe(true);
  });

  it('writes a Date in UTC or a given deviation', () => {
    const at = new Date('2021-07-19T13:46:35Z');
    const apdu = encodeDataNotification({ longInvokeIdAndPriority: 0x0029b2dc, dateTime: at, deviationMinutes: -120, body: { type: 'null' } });
    expect(apdu.toString('hex')).toBe('0f0029b2dc0c07e50713010f2e2300ff880000');
  });

  it('refuses a date-time of another length and bytes after the body', () => {
    expect(thrown(() => decodeDataNotification(hex('0f000000010500')))).toMatchObject({ code: 'bad-length', offset: 5 });
    expect(thrown(() => decodeDataNotification(hex('0f00000001000000'), 'plaintext'))).toMatchObject({ code: 'bad-length', offset: 7, where: 'plaintext' });
  });
});
