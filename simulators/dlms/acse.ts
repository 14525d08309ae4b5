import { encodeLength, readLength } from '../../drivers/dlms/ber.js';

// The meter's side of the association (ACSE, DLMS UA 1000-2 "COSEM application layer"): reading an
// AARQ and writing the AARE, the xDLMS InitiateRequest/-Response inside them, and RLRQ/RLRE.
// Written here from the standard rather than with the driver's encoders, as the wM-Bus simulator
// writes its own telegrams: a client bug mirrored by the same bug in a shared encoder could not
// show in a round trip. The byte layouts are those of the AARQ/AARE vectors (docs/protocols/dlms.md).

/** 60 85 74 05 08 01 xx: logical names, 01 without and 03 with ciphering. */
export const CONTEXT_LN = 1;
export const CONTEXT_LN_CIPHERED = 3;
/** 60 85 74 05 08 02 xx: mechanism 0 none, 1 LLS, 5 HLS-GMAC. */
export const MECHANISM = { none: 0, lls: 1, 'hls-gmac': 5 } as const;

export class AcseError extends Error {
  override name = 'AcseError';
}

export interface Aarq {
  context: number;
  mechanism: number;
  clientSystemTitle?: Buffer;
  /** LLS: the password; HLS: the client's challenge CtoS. */
  authenticationValue?: Buffer;
  /** The content of user-information's octet string: InitiateRequest (01 …) or glo-initiate (21 …). */
  userInformation?: Buffer;
}

/** The [tag, value] pairs of a BER constructed value, in order. */
function tlvs(bytes: Buffer): Array<{ tag: number; value: Buffer }> {
  const out: Array<{ tag: number; value: Buffer }> = [];
  let at = 0;
  for (let guard = 0; at < bytes.length && guard < 64; guard++) {
    const tag = bytes[at] as number;
    const { length, end } = readLength(bytes, at + 1);
    if (end + length > bytes.length) throw new AcseError(`BER element 0x${tag.toString(16)} at ${at} runs past the end`);
    out.push({ tag, value: bytes.subarray(end, end + length) });
    at = end + length;
  }
  return out;
}

function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

/** The last arc of an OBJECT IDENTIFIER 60 85 74 05 08 <kind> <n>. */
function oidLast(value: Buffer, kind: number): number {
  const oid = value[0] === 0x06 ? value.subarray(2) : value; // A1 wraps 06 07 …; 8B holds the arcs bare
  if (oid.length !== 7 || !oid.subarray(0, 5).equals(Buffer.from([0x60, 0x85, 0x74, 0x05, 0x08])) || oid[5] !== kind) {
    throw new AcseError(`not a DLMS ${kind === 1 ? 'application context' : 'mechanism'} name: ${oid.toString('hex')}`);
  }
  return oid[6] as number;
}

export function decodeAarq(apdu: Buffer): Aarq {
  if (apdu[0] !== 0x60) throw new AcseError(`not an AARQ: tag 0x${(apdu[0] ?? 0).toString(16)}`);
  const { length, end } = readLength(apdu, 1);
  const aarq: Aarq = { context: -1, mechanism: MECHANISM.none };
  for (const { tag, value } of tlvs(apdu.subarray(end, end + length))) {
    if (tag === 0xa1) aarq.context = oidLast(value, 1);
    else if (tag === 0xa6 && value[0] === 0x04) aarq.clientSystemTitle = Buffer.from(value.subarray(2, 2 + (value[1] ?? 0)));
    else if (tag === 0x8b) aarq.mechanism = oidLast(value, 2);
    else if (tag === 0xac && value[0] === 0x80) aarq.authenticationValue = Buffer.from(value.subarray(2, 2 + (value[1] ?? 0)));
    else if (tag === 0xbe && value[0] === 0x04) {
      const inner = readLength(value, 1);
      aarq.userInformation = Buffer.from(value.subarray(inner.end, inner.end + inner.length));
    }
  }
  if (aarq.context < 0) throw new AcseError('the AARQ names no application context');
  return aarq;
}

export interface InitiateRequest {
  dlmsVersion: number;
  conformance: number;
  maxReceivePdu: number;
}

/** 01 | dedicated-key? | response-allowed? | quality-of-service? | version | 5F1F 04 00 conformance(3) | max-pdu(2). */
export function decodeInitiateRequest(b: Buffer): InitiateRequest {
  if (b[0] !== 0x01) throw new AcseError(`not an InitiateRequest: tag 0x${(b[0] ?? 0).toString(16)}`);
  let at = 1;
  if (b[at] === 0x01) at += 2 + (b[at + 1] ?? 0); // a dedicated key: not used by this meter
  else at += 1;
  at += b[at] === 0x01 ? 2 : 1; // response-allowed (BOOLEAN DEFAULT TRUE)
  at += b[at] === 0x01 ? 2 : 1; // proposed-quality-of-service
  const dlmsVersion = b[at] ?? 0;
  at += 1;
  if (b[at] !== 0x5f || b[at + 1] !== 0x1f || b[at + 2] !== 0x04) throw new AcseError('InitiateRequest: no conformance block');
  const conformance = ((b[at + 4] ?? 0) << 16) | ((b[at + 5] ?? 0) << 8) | (b[at + 6] ?? 0);
  at += 7;
  if (at + 2 > b.length) throw new AcseError('InitiateRequest: no client-max-receive-pdu-size');
  return { dlmsVersion, conformance, maxReceivePdu: b.readUInt16BE(at) };
}

export function encodeInitiateResponse(o: { conformance: number; maxReceivePdu: number }): Buffer {
  const c = o.conformance;
  return Buffer.from([0x08, 0x00, 0x06, 0x5f, 0x1f, 0x04, 0x00, (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff, o.maxReceivePdu >> 8, o.maxReceivePdu & 0xff, 0x00, 0x07]);
}

/** ConfirmedServiceError initiateError [1], ServiceError initiate [6]: 0 other, 1 dlms-version-too-low … */
export function encodeInitiateError(reason: number): Buffer {
  return Buffer.from([0x0e, 0x01, 0x06, reason]);
}

/** ConfirmedServiceError initiateError [1], application-reference [0] deciphering-error (6): the tag did not verify. */
export const DECIPHERING_ERROR = Buffer.from([0x0e, 0x01, 0x00, 0x06]);

export interface AareInput {
  context: number;
  /** 0 accepted, 1 rejected-permanent, 2 rejected-transient. */
  result: 0 | 1 | 2;
  /** acse-service-user: 0 null, 1 no-reason-given, 13 authentication-failure, 14 authentication-required … */
  diagnostic: number;
  mechanism: number;
  serverSystemTitle?: Buffer;
  /** HLS: the server's challenge StoC. */
  challenge?: Buffer;
  userInformation?: Buffer;
}

export function encodeAare(o: AareInput): Buffer {
  const parts = [
    tlv(0xa1, Buffer.from([0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, o.context])),
    tlv(0xa2, Buffer.from([0x02, 0x01, o.result])),
    tlv(0xa3, tlv(0xa1, Buffer.from([0x02, 0x01, o.diagnostic]))),
  ];
  if (o.serverSystemTitle) parts.push(tlv(0xa4, tlv(0x04, o.serverSystemTitle)));
  if (o.mechanism !== MECHANISM.none) {
    parts.push(tlv(0x88, Buffer.from([0x07, 0x80])), tlv(0x89, Buffer.from([0x60, 0x85, 0x74, 0x05, 0x08, 0x02, o.mechanism])));
  }
  if (o.challenge) parts.push(tlv(0xaa, tlv(0x80, o.challenge)));
  if (o.userInformation) parts.push(tlv(0xbe, tlv(0x04, o.userInformation)));
  return tlv(0x61, Buffer.concat(parts));
}

/** RLRE with reason normal (0). */
export const RLRE = Buffer.from([0x63, 0x03, 0x80, 0x01, 0x00]);
