import { DlmsError, need } from './errors.js';
import { expectTlv, readTlvs, tlv } from './tlv.js';

// The association APDUs (IEC 62056-5-3 / ISO 8650 ACSE as DLMS uses them): AARQ 60 and AARE 61 with
// the application context (logical names, with or without ciphering), the authentication mechanism
// (none, LLS password, HLS-GMAC with system titles and challenges), and the xDLMS InitiateRequest/
// InitiateResponse carried in user-information (plain, or glo-ciphered 21/28 built by cipher.ts);
// RLRQ 62 / RLRE 63 to release. Unknown elements of a received AARQ/AARE are skipped, as meters add some.

export const AARQ = 0x60;
export const AARE = 0x61;
export const RLRQ = 0x62;
export const RLRE = 0x63;
export const INITIATE_REQUEST = 0x01;
export const INITIATE_RESPONSE = 0x08;
export const CONFIRMED_SERVICE_ERROR = 0x0e;

/** The OID prefix 2.16.756.5.8 (joint-iso-ccitt country Switzerland DLMS UA) as BER. */
const DLMS_UA = [0x60, 0x85, 0x74, 0x05, 0x08];
const CONTEXT_LN = 1;
const CONTEXT_LN_CIPHERED = 3;

export const MECHANISMS = ['none', 'lls', 'hls', 'hls-md5', 'hls-sha1', 'hls-gmac', 'hls-sha256', 'hls-ecdsa'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export type Authentication =
  | { mechanism: 'none' }
  | { mechanism: 'lls'; password: Buffer }
  /** `challenge` = CtoS, the client's challenge to the server. */
  | { mechanism: 'hls-gmac'; clientSystemTitle: Buffer; challenge: Buffer };

/** The default conformance block of our client: get, set, action, selective access, block transfer (as the checked AARQ). */
export const DEFAULT_CONFORMANCE = 0x001e1d;
export const DEFAULT_MAX_PDU = 0xffff;

function applicationContext(ciphered: boolean): Buffer {
  return tlv(0xa1, tlv(0x06, Buffer.from([...DLMS_UA, 0x01, ciphered ? CONTEXT_LN_CIPHERED : CONTEXT_LN])));
}

function mechanismName(tag: number, m: Mechanism): Buffer {
  return tlv(tag, Buffer.from([...DLMS_UA, 0x02, MECHANISMS.indexOf(m)]));
}

function uint16(n: number, what: string): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new DlmsError('bad-value', 0, `${what} ${n} is out of range 0 … 65535`);
  return Buffer.from([n >> 8, n & 0xff]);
}

function conformanceBits(c: number): Buffer {
  if (!Number.isInteger(c) || c < 0 || c > 0xffffff) throw new DlmsError('bad-value', 0, `conformance 0x${c.toString(16)} is not 24 bits`);
  return Buffer.from([0x5f, 0x1f, 0x04, 0x00, c >> 16, (c >> 8) & 0xff, c & 0xff]);
}

/** xDLMS InitiateRequest: 01, no dedicated key, response allowed, no QoS, version 6, conformance, max PDU. */
export function encodeInitiateRequest(o: { maxPdu?: number; conformance?: number; dedicatedKey?: Buffer } = {}): Buffer {
  const key = o.dedicatedKey ? Buffer.concat([Buffer.from([0x01, o.dedicatedKey.length]), o.dedicatedKey]) : Buffer.from([0x00]);
  return Buffer.concat([Buffer.from([INITIATE_REQUEST]), key, Buffer.from([0x00, 0x00, 0x06]), conformanceBits(o.conformance ?? DEFAULT_CONFORMANCE), uint16(o.maxPdu ?? DEFAULT_MAX_PDU, 'max PDU')]);
}

function readConformance(b: Uint8Array, at: number): number {
  need(b, at, 7, 'conformance');
  if (b[at] !== 0x5f || b[at + 1] !== 0x1f || b[at + 2] !== 0x04) throw new DlmsError('bad-tag', at, 'conformance block: expected 5F 1F 04');
  return ((b[at + 4] as number) << 16) | ((b[at + 5] as number) << 8) | (b[at + 6] as number);
}

/** The proposal of a plain InitiateRequest (the simulated meter reads it). */
export function decodeInitiateRequest(b: Uint8Array): { maxPdu: number; conformance: number; dlmsVersion: number; dedicatedKey?: Buffer } {
  need(b, 0, 1, 'InitiateRequest');
  if (b[0] !== INITIATE_REQUEST) throw new DlmsError('bad-tag', 0, `0x${(b[0] as number).toString(16)} is not an InitiateRequest (0x01)`);
  let at = 1;
  need(b, at, 1, 'dedicated key');
  let dedicatedKey: Buffer | undefined;
  if (b[at] !== 0) {
    need(b, at + 1, 1, 'dedicated key');
    const n = b[at + 1] as number;
    need(b, at + 2, n, 'dedicated key');
    dedicatedKey = Buffer.from(b.subarray(at + 2, at + 2 + n));
    at += 2 + n;
  } else at += 1;
  for (const what of ['response-allowed', 'quality of service']) {
    need(b, at, 1, what);
    at += b[at] !== 0 ? 2 : 1;
  }
  need(b, at, 1, 'DLMS version');
  const dlmsVersion = b[at] as number;
  const conformance = readConformance(b, at + 1);
  need(b, at + 8, 2, 'max PDU');
  const maxPdu = ((b[at + 8] as number) << 8) | (b[at + 9] as number);
  return { maxPdu, conformance, dlmsVersion, ...(dedicatedKey ? { dedicatedKey } : {}) };
}

/** xDLMS InitiateResponse: 08, no QoS, version 6, conformance, max PDU, VAA name 0007 (logical names). */
export function encodeInitiateResponse(o: { maxPdu: number; conformance: number; vaaName?: number }): Buffer {
  return Buffer.concat([Buffer.from([INITIATE_RESPONSE, 0x00, 0x06]), conformanceBits(o.conformance), uint16(o.maxPdu, 'max PDU'), uint16(o.vaaName ?? 0x0007, 'VAA name')]);
}

/** The server's answer; a ConfirmedServiceError (0E) is DlmsError 'refused'. */
export function decodeInitiateResponse(b: Uint8Array): { maxPdu: number; conformance: number; vaaName: number; dlmsVersion: number } {
  need(b, 0, 1, 'InitiateResponse');
  if (b[0] === CONFIRMED_SERVICE_ERROR) throw new DlmsError('refused', 0, `the meter refused the InitiateRequest (confirmed-service-error ${Buffer.from(b.subarray(1, 4)).toString('hex')})`);
  if (b[0] !== INITIATE_RESPONSE) throw new DlmsError('bad-tag', 0, `0x${(b[0] as number).toString(16)} is not an InitiateResponse (0x08)`);
  need(b, 1, 1, 'quality of service');
  const at = b[1] !== 0 ? 3 : 2;
  need(b, at, 1, 'DLMS version');
  const dlmsVersion = b[at] as number;
  const conformance = readConformance(b, at + 1);
  need(b, at + 8, 4, 'max PDU and VAA name');
  return { maxPdu: ((b[at + 8] as number) << 8) | (b[at + 9] as number), conformance, vaaName: ((b[at + 10] as number) << 8) | (b[at + 11] as number), dlmsVersion };
}

function systemTitleOk(st: Buffer | undefined, what: string): void {
  if (st !== undefined && st.length !== 8) throw new DlmsError('bad-value', 0, `${what} is ${st.length} bytes, not 8`);
}

/**
 * AARQ. `initiateRequest` is the user-information as sent (a glo-initiateRequest when ciphered);
 * without it a plain InitiateRequest of `maxPdu`/`conformance` is written.
 */
export function encodeAarq(o: { authentication: Authentication; ciphered: boolean; maxPdu?: number; conformance?: number; clientSystemTitle?: Buffer; initiateRequest?: Buffer }): Buffer {
  const a = o.authentication;
  const title = a.mechanism === 'hls-gmac' ? a.clientSystemTitle : o.clientSystemTitle;
  systemTitleOk(title, 'the client system title');
  if (o.ciphered && title === undefined) throw new DlmsError('bad-value', 0, 'a ciphered association needs the client system title');
  const parts: Buffer[] = [applicationContext(o.ciphered)];
  if (title) parts.push(tlv(0xa6, tlv(0x04, title)));
  if (a.mechanism !== 'none') {
    parts.push(Buffer.from([0x8a, 0x02, 0x07, 0x80]), mechanismName(0x8b, a.mechanism));
    const value = a.mechanism === 'lls' ? a.password : a.challenge;
    if (value.length < 1 || value.length > 64) throw new DlmsError('bad-value', 0, `the ${a.mechanism === 'lls' ? 'password' : 'challenge'} is ${value.length} bytes (1 … 64)`);
    parts.push(tlv(0xac, tlv(0x80, value)));
  }
  const user = o.initiateRequest ?? encodeInitiateRequest({ ...(o.maxPdu !== undefined ? { maxPdu: o.maxPdu } : {}), ...(o.conformance !== undefined ? { conformance: o.conformance } : {}) });
  parts.push(tlv(0xbe, tlv(0x04, user)));
  return tlv(AARQ, Buffer.concat(parts));
}

export interface DecodedAarq {
  ciphered: boolean;
  mechanism: Mechanism;
  clientSystemTitle?: Buffer;
  /** The LLS password or the HLS CtoS challenge. */
  authenticationValue?: Buffer;
  userInformation: Buffer;
}

function contextOf(bytes: Uint8Array, start: number, end: number): number {
  const oid = expectTlv(bytes, start, 0x06, 'application context name', end);
  if (oid.end - oid.start !== 7 || DLMS_UA.some((b, i) => bytes[oid.start + i] !== b) || bytes[oid.start + 5] !== 0x01) {
    throw new DlmsError('bad-value', oid.start, 'the application context is not a DLMS one');
  }
  return bytes[oid.start + 6] as number;
}

function mechanismOf(bytes: Uint8Array, start: number, end: number): Mechanism {
  if (end - start !== 7 || DLMS_UA.some((b, i) => bytes[start + i] !== b) || bytes[start + 5] !== 0x02) {
    throw new DlmsError('bad-value', start, 'the mechanism name is not a DLMS one');
  }
  const m = MECHANISMS[bytes[start + 6] as number];
  if (m === undefined) throw new DlmsError('unsupported', start + 6, `authentication mechanism ${bytes[start + 6] as number} is not known`);
  return m;
}

function innerOctets(bytes: Uint8Array, start: number, end: number, tag: number, what: string): Buffer {
  const t = expectTlv(bytes, start, tag, what, end);
  return Buffer.from(bytes.subarray(t.start, t.end));
}

function outer(bytes: Uint8Array, tag: number, what: string): { start: number; end: number } {
  const t = expectTlv(bytes, 0, tag, what);
  if (t.end !== bytes.length) throw new DlmsError('bad-length', 1, `${what} of ${t.end - t.start} bytes, ${bytes.length - t.start} present`);
  return t;
}

export function decodeAarq(bytes: Uint8Array): DecodedAarq {
  const { start, end } = outer(bytes, AARQ, 'AARQ');
  let ciphered: boolean | undefined;
  let mechanism: Mechanism = 'none';
  let userInformation: Buffer | undefined;
  const out: Partial<DecodedAarq> = {};
  for (const t of readTlvs(bytes, start, end)) {
    if (t.tag === 0xa1) ciphered = contextOf(bytes, t.start, t.end) === CONTEXT_LN_CIPHERED;
    else if (t.tag === 0xa6) out.clientSystemTitle = innerOctets(bytes, t.start, t.end, 0x04, 'calling-AP-title');
    else if (t.tag === 0x8b) mechanism = mechanismOf(bytes, t.start, t.end);
    else if (t.tag === 0xac) out.authenticationValue = innerOctets(bytes, t.start, t.end, 0x80, 'calling-authentication-value');
    else if (t.tag === 0xbe) userInformation = innerOctets(bytes, t.start, t.end, 0x04, 'user-information');
  }
  if (ciphered === undefined) throw new DlmsError('protocol', 0, 'the AARQ has no application context');
  if (userInformation === undefined) throw new DlmsError('protocol', 0, 'the AARQ has no user-information (InitiateRequest)');
  return { ciphered, mechanism, userInformation, ...out };
}

/** AARE result: 0 accepted, 1 rejected-permanent, 2 rejected-transient. */
export type AssociationResult = 0 | 1 | 2;

/**
 * AARE. `diagnostic` is the acse-service-user value (0 null, 1 no reason, 2 application context
 * not supported, 13 authentication mechanism not recognised, 14 authentication required …) unless
 * `diagnosticSource` is 'provider'.
 */
export function encodeAare(o: { result: AssociationResult; diagnostic: number; diagnosticSource?: 'user' | 'provider'; ciphered?: boolean; serverSystemTitle?: Buffer; challenge?: Buffer; initiateResponse: Buffer; mechanism: Mechanism }): Buffer {
  systemTitleOk(o.serverSystemTitle, 'the server system title');
  if (!Number.isInteger(o.diagnostic) || o.diagnostic < 0 || o.diagnostic > 127) throw new DlmsError('bad-value', 0, `diagnostic ${o.diagnostic} is out of range`);
  const ciphered = o.ciphered ?? o.serverSystemTitle !== undefined;
  const parts: Buffer[] = [
    applicationContext(ciphered),
    tlv(0xa2, Buffer.from([0x02, 0x01, o.result])),
    tlv(0xa3, tlv(o.diagnosticSource === 'provider' ? 0xa2 : 0xa1, Buffer.from([0x02, 0x01, o.diagnostic]))),
  ];
  if (o.serverSystemTitle) parts.push(tlv(0xa4, tlv(0x04, o.serverSystemTitle)));
  if (o.mechanism !== 'none') {
    parts.push(Buffer.from([0x88, 0x02, 0x07, 0x80]), mechanismName(0x89, o.mechanism));
    if (o.challenge) parts.push(tlv(0xaa, tlv(0x80, o.challenge)));
  }
  parts.push(tlv(0xbe, tlv(0x04, o.initiateResponse)));
  return tlv(AARE, Buffer.concat(parts));
}

export interface DecodedAare {
  result: number;
  diagnostic: number;
  diagnosticSource: 'user' | 'provider';
  ciphered: boolean;
  mechanism: Mechanism;
  serverSystemTitle?: Buffer;
  /** StoC, the server's challenge (HLS). */
  challenge?: Buffer;
  /** The InitiateResponse as sent (plain 08, glo 28, or a confirmed-service-error 0E). */
  userInformation: Buffer;
}

function smallInteger(bytes: Uint8Array, start: number, end: number, what: string): number {
  const t = expectTlv(bytes, start, 0x02, what, end);
  if (t.end - t.start !== 1) throw new DlmsError('bad-length', t.start - 1, `${what}: one byte expected`);
  return bytes[t.start] as number;
}

export function decodeAare(bytes: Uint8Array): DecodedAare {
  const { start, end } = outer(bytes, AARE, 'AARE');
  let ciphered: boolean | undefined;
  let result: number | undefined;
  let diagnostic = 0;
  let diagnosticSource: 'user' | 'provider' = 'user';
  let mechanism: Mechanism = 'none';
  let userInformation: Buffer = Buffer.alloc(0);
  const out: { serverSystemTitle?: Buffer; challenge?: Buffer } = {};
  for (const t of readTlvs(bytes, start, end)) {
    if (t.tag === 0xa1) ciphered = contextOf(bytes, t.start, t.end) === CONTEXT_LN_CIPHERED;
    else if (t.tag === 0xa2) result = smallInteger(bytes, t.start, t.end, 'association result');
    else if (t.tag === 0xa3) {
      need(bytes, t.start, 1, 'diagnostic');
      const source = bytes[t.start] as number;
      if (source !== 0xa1 && source !== 0xa2) throw new DlmsError('bad-tag', t.start, `diagnostic source 0x${source.toString(16)}`);
      diagnosticSource = source === 0xa1 ? 'user' : 'provider';
      const inner = expectTlv(bytes, t.start, source, 'diagnostic', t.end);
      diagnostic = smallInteger(bytes, inner.start, inner.end, 'diagnostic');
    } else if (t.tag === 0xa4) out.serverSystemTitle = innerOctets(bytes, t.start, t.end, 0x04, 'responding-AP-title');
    else if (t.tag === 0x89) mechanism = mechanismOf(bytes, t.start, t.end);
    else if (t.tag === 0xaa) out.challenge = innerOctets(bytes, t.start, t.end, 0x80, 'responding-authentication-value');
    else if (t.tag === 0xbe) userInformation = innerOctets(bytes, t.start, t.end, 0x04, 'user-information');
  }
  if (ciphered === undefined || result === undefined) throw new DlmsError('protocol', 0, 'the AARE has no application context or no result');
  return { result, diagnostic, diagnosticSource, ciphered, mechanism, userInformation, ...out };
}

/** RLRQ with reason normal (0). */
export function encodeRlrq(o: { reason?: number; userInformation?: Buffer } = {}): Buffer {
  const parts = [tlv(0x80, Buffer.from([o.reason ?? 0]))];
  if (o.userInformation) parts.push(tlv(0xbe, tlv(0x04, o.userInformation)));
  return tlv(RLRQ, Buffer.concat(parts));
}

/** RLRE with reason normal (0). */
export function encodeRlre(o: { reason?: number; userInformation?: Buffer } = {}): Buffer {
  const parts = [tlv(0x80, Buffer.from([o.reason ?? 0]))];
  if (o.userInformation) parts.push(tlv(0xbe, tlv(0x04, o.userInformation)));
  return tlv(RLRE, Buffer.concat(parts));
}

function decodeRelease(bytes: Uint8Array, tag: number, what: string): { reason?: number; userInformation?: Buffer } {
  const { start, end } = outer(bytes, tag, what);
  const out: { reason?: number; userInformation?: Buffer } = {};
  for (const t of readTlvs(bytes, start, end)) {
    if (t.tag === 0x80 && t.end - t.start === 1) out.reason = bytes[t.start] as number;
    else if (t.tag === 0xbe) out.userInformation = innerOctets(bytes, t.start, t.end, 0x04, 'user-information');
  }
  return out;
}

export function decodeRlrq(bytes: Uint8Array): { reason?: number; userInformation?: Buffer } {
  return decodeRelease(bytes, RLRQ, 'RLRQ');
}

export function decodeRlre(bytes: Uint8Array): { reason?: number; userInformation?: Buffer } {
  return decodeRelease(bytes, RLRE, 'RLRE');
}
