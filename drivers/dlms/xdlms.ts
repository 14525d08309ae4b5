import { decodeData, encodeData, type DlmsData } from './axdr.js';
import { readLength, encodeLength } from './ber.js';
import { DlmsError, need, type DlmsOffsetIn } from './errors.js';
import { formatObis } from './obis-code.js';

// The xDLMS services the gateway speaks (IEC 62056-5-3, logical names): GET normal and with data
// blocks, ACTION normal (reply_to_HLS_authentication), and the ExceptionResponse. Both directions,
// since the simulated meter answers with these encoders. `invokeId` is the whole
// invoke-id-and-priority byte as on the wire (0xC1 = high priority, confirmed, id 1).

export const GET_REQUEST = 0xc0;
export const GET_RESPONSE = 0xc4;
export const ACTION_REQUEST = 0xc3;
export const ACTION_RESPONSE = 0xc7;
export const EXCEPTION_RESPONSE = 0xd8;

export interface AttributeDescriptor {
  classId: number;
  /** Six bytes. */
  obis: Buffer;
  attribute: number;
}

export interface MethodDescriptor {
  classId: number;
  obis: Buffer;
  method: number;
}

/** data-access-result (Blue Book 9.3): the reason a GET or SET was not done. */
export const DATA_ACCESS_RESULTS: ReadonlyMap<number, string> = new Map([
  [0, 'success'], [1, 'hardware-fault'], [2, 'temporary-failure'], [3, 'read-write-denied'], [4, 'object-undefined'],
  [9, 'object-class-inconsistent'], [11, 'object-unavailable'], [12, 'type-unmatched'], [13, 'scope-of-access-violated'],
  [14, 'data-block-unavailable'], [15, 'long-get-aborted'], [16, 'no-long-get-in-progress'], [17, 'long-set-aborted'],
  [18, 'no-long-set-in-progress'], [19, 'data-block-number-invalid'], [250, 'other-reason'],
]);

/** action-result: 0 success, 1 hardware-fault … 250 other-reason (same numbers as DATA_ACCESS_RESULTS where they overlap). */
export const ACTION_RESULTS: ReadonlyMap<number, string> = new Map([
  [0, 'success'], [1, 'hardware-fault'], [2, 'temporary-failure'], [3, 'read-write-denied'], [4, 'object-undefined'],
  [9, 'object-class-inconsistent'], [11, 'object-unavailable'], [12, 'type-unmatched'], [13, 'scope-of-access-violated'],
  [14, 'data-block-unavailable'], [15, 'long-action-aborted'], [16, 'no-long-action-in-progress'], [250, 'other-reason'],
]);

export type AccessError = { accessError: number; reason: string };

export function accessError(code: number): AccessError {
  return { accessError: code, reason: DATA_ACCESS_RESULTS.get(code) ?? `data-access-result ${code}` };
}

function byte(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new DlmsError('bad-value', 0, `${what} ${n} is not a byte`);
  return n;
}

function descriptorBytes(classId: number, obis: Buffer, member: number, what: string): Buffer {
  if (!Number.isInteger(classId) || classId < 0 || classId > 0xffff) throw new DlmsError('bad-value', 0, `class id ${classId} is out of range`);
  if (obis.length !== 6) throw new DlmsError('bad-value', 0, `an OBIS code is 6 bytes, not ${obis.length}`);
  const b = Buffer.alloc(9);
  b.writeUInt16BE(classId, 0);
  obis.copy(b, 2);
  b[8] = byte(member, what);
  return b;
}

function readDescriptor(b: Uint8Array, at: number): { classId: number; obis: Buffer; member: number } {
  need(b, at, 9, 'object descriptor');
  return { classId: ((b[at] as number) << 8) | (b[at + 1] as number), obis: Buffer.from(b.subarray(at + 2, at + 8)), member: b[at + 8] as number };
}

function uint32At(b: Uint8Array, at: number): number {
  return (((b[at] as number) << 24) >>> 0) + (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number));
}

function header(b: Uint8Array, tag: number, what: string, where: DlmsOffsetIn = 'apdu'): { choice: number; invokeId: number } {
  need(b, 0, 3, what, where);
  if (b[0] !== tag) throw new DlmsError('bad-tag', 0, `0x${(b[0] as number).toString(16)} is not a ${what} (0x${tag.toString(16)})`, where);
  return { choice: b[1] as number, invokeId: b[2] as number };
}

function noTrailing(b: Uint8Array, end: number, what: string, where: DlmsOffsetIn = 'apdu'): void {
  if (end !== b.length) throw new DlmsError('bad-length', end, `${b.length - end} bytes after the ${what}`, where);
}

// ---------------------------------------------------------------------------------------------
// GET

/** GET-Request-Normal without selective access: C0 01 invoke | class | OBIS | attribute | 00. */
export function encodeGetRequestNormal(invokeId: number, d: AttributeDescriptor): Buffer {
  return Buffer.concat([Buffer.from([GET_REQUEST, 0x01, byte(invokeId, 'invoke id')]), descriptorBytes(d.classId, d.obis, d.attribute, 'attribute'), Buffer.from([0x00])]);
}

/** GET-Request-Next: C0 02 invoke | block number (4). */
export function encodeGetRequestNext(invokeId: number, block: number): Buffer {
  if (!Number.isInteger(block) || block < 0 || block > 0xffffffff) throw new DlmsError('bad-value', 0, `block number ${block} is out of range`);
  const b = Buffer.from([GET_REQUEST, 0x02, byte(invokeId, 'invoke id'), 0, 0, 0, 0]);
  b.writeUInt32BE(block, 3);
  return b;
}

export type GetRequest =
  | { kind: 'normal'; invokeId: number; descriptor: AttributeDescriptor; obisText: string; accessSelection?: { selector: number; parameters: DlmsData } }
  | { kind: 'next'; invokeId: number; block: number };

/** For the simulated meter: what the client asks. GET-Request-With-List is 'unsupported'. */
export function decodeGetRequest(b: Uint8Array): GetRequest {
  const { choice, invokeId } = header(b, GET_REQUEST, 'GET-Request');
  if (choice === 0x02) {
    need(b, 3, 4, 'block number');
    noTrailing(b, 7, 'GET-Request-Next');
    return { kind: 'next', invokeId, block: uint32At(b, 3) };
  }
  if (choice !== 0x01) throw new DlmsError(choice === 0x03 ? 'unsupported' : 'bad-tag', 1, `GET-Request choice ${choice} is not normal (1) or next (2)`);
  const { classId, obis, member } = readDescriptor(b, 3);
  need(b, 12, 1, 'access selection');
  const descriptor = { classId, obis, attribute: member };
  if (b[12] === 0) {
    noTrailing(b, 13, 'GET-Request-Normal');
    return { kind: 'normal', invokeId, descriptor, obisText: formatObis(obis) };
  }
  need(b, 13, 1, 'access selector');
  const { data, end } = decodeData(b, 14);
  noTrailing(b, end, 'GET-Request-Normal');
  return { kind: 'normal', invokeId, descriptor, obisText: formatObis(obis), accessSelection: { selector: b[13] as number, parameters: data } };
}

export type GetResponse =
  | { kind: 'normal'; invokeId: number; result: DlmsData | AccessError }
  /** One data block; a block answered with a data-access-result comes as 'normal' with the error. */
  | { kind: 'block'; invokeId: number; last: boolean; block: number; raw: Buffer };

export function isAccessError(r: DlmsData | AccessError): r is AccessError {
  return 'accessError' in r;
}

export function decodeGetResponse(b: Uint8Array, where: DlmsOffsetIn = 'apdu'): GetResponse {
  const { choice, invokeId } = header(b, GET_RESPONSE, 'GET-Response', where);
  if (choice === 0x01) {
    need(b, 3, 1, 'get-data-result', where);
    if (b[3] === 0x01) {
      need(b, 4, 1, 'data-access-result', where);
      noTrailing(b, 5, 'GET-Response-Normal', where);
      return { kind: 'normal', invokeId, result: accessError(b[4] as number) };
    }
    if (b[3] !== 0x00) throw new DlmsError('bad-tag', 3, `get-data-result choice ${b[3] as number}`, where);
    const { data, end } = decodeData(b, 4, where);
    noTrailing(b, end, 'GET-Response-Normal', where);
    return { kind: 'normal', invokeId, result: data };
  }
  if (choice === 0x02) {
    need(b, 3, 6, 'data block', where);
    const last = b[3] !== 0;
    const block = uint32At(b, 4);
    if (b[8] === 0x01) {
      need(b, 9, 1, 'data-access-result', where);
      noTrailing(b, 10, 'GET-Response-With-Datablock', where);
      return { kind: 'normal', invokeId, result: accessError(b[9] as number) };
    }
    if (b[8] !== 0x00) throw new DlmsError('bad-tag', 8, `data block result choice ${b[8] as number}`, where);
    const { length, end } = readLength(b, 9, where);
    need(b, end, length, 'raw data', where);
    noTrailing(b, end + length, 'GET-Response-With-Datablock', where);
    return { kind: 'block', invokeId, last, block, raw: Buffer.from(b.subarray(end, end + length)) };
  }
  throw new DlmsError(choice === 0x03 ? 'unsupported' : 'bad-tag', 1, `GET-Response choice ${choice} is not normal (1) or with-datablock (2)`, where);
}

export function encodeGetResponseNormal(invokeId: number, result: DlmsData | { accessError: number }): Buffer {
  const head = Buffer.from([GET_RESPONSE, 0x01, byte(invokeId, 'invoke id')]);
  if ('accessError' in result) return Buffer.concat([head, Buffer.from([0x01, byte(result.accessError, 'data-access-result')])]);
  return Buffer.concat([head, Buffer.from([0x00]), encodeData(result)]);
}

export function encodeGetResponseBlock(invokeId: number, o: { last: boolean; block: number; raw: Buffer }): Buffer {
  const head = Buffer.from([GET_RESPONSE, 0x02, byte(invokeId, 'invoke id'), o.last ? 1 : 0, 0, 0, 0, 0, 0x00]);
  if (!Number.isInteger(o.block) || o.block < 0 || o.block > 0xffffffff) throw new DlmsError('bad-value', 0, `block number ${o.block} is out of range`);
  head.writeUInt32BE(o.block, 4);
  return Buffer.concat([head, encodeLength(o.raw.length), o.raw]);
}

// ---------------------------------------------------------------------------------------------
// ACTION

/** The object and method of reply_to_HLS_authentication: Association LN (class 15), 0-0:40.0.0.255, method 1. */
export const REPLY_TO_HLS: MethodDescriptor = { classId: 15, obis: Buffer.from([0, 0, 40, 0, 0, 255]), method: 1 };

/** ACTION-Request-Normal: C3 01 invoke | class | OBIS | method | parameters (00 none, 01 Data). */
export function encodeActionRequestNormal(invokeId: number, d: MethodDescriptor, parameters?: DlmsData): Buffer {
  const head = Buffer.concat([Buffer.from([ACTION_REQUEST, 0x01, byte(invokeId, 'invoke id')]), descriptorBytes(d.classId, d.obis, d.method, 'method')]);
  return parameters === undefined ? Buffer.concat([head, Buffer.from([0x00])]) : Buffer.concat([head, Buffer.from([0x01]), encodeData(parameters)]);
}

export function decodeActionRequest(b: Uint8Array): { invokeId: number; descriptor: MethodDescriptor; parameters?: DlmsData } {
  const { choice, invokeId } = header(b, ACTION_REQUEST, 'ACTION-Request');
  if (choice !== 0x01) throw new DlmsError('unsupported', 1, `ACTION-Request choice ${choice} is not normal (1)`);
  const { classId, obis, member } = readDescriptor(b, 3);
  need(b, 12, 1, 'parameters');
  const descriptor = { classId, obis, method: member };
  if (b[12] === 0) {
    noTrailing(b, 13, 'ACTION-Request-Normal');
    return { invokeId, descriptor };
  }
  const { data, end } = decodeData(b, 13);
  noTrailing(b, end, 'ACTION-Request-Normal');
  return { invokeId, descriptor, parameters: data };
}

/** ACTION-Response-Normal: C7 01 invoke | action-result | return parameters (00 none, 01 00 Data, 01 01 data-access-result). */
export function encodeActionResponseNormal(invokeId: number, result: number, returned?: DlmsData | { accessError: number }): Buffer {
  const head = Buffer.from([ACTION_RESPONSE, 0x01, byte(invokeId, 'invoke id'), byte(result, 'action-result')]);
  if (returned === undefined) return Buffer.concat([head, Buffer.from([0x00])]);
  if ('accessError' in returned) return Buffer.concat([head, Buffer.from([0x01, 0x01, byte(returned.accessError, 'data-access-result')])]);
  return Buffer.concat([head, Buffer.from([0x01, 0x00]), encodeData(returned)]);
}

export interface ActionResponse {
  invokeId: number;
  result: number;
  reason: string;
  returned?: DlmsData | AccessError;
}

export function decodeActionResponse(b: Uint8Array, where: DlmsOffsetIn = 'apdu'): ActionResponse {
  const { choice, invokeId } = header(b, ACTION_RESPONSE, 'ACTION-Response', where);
  if (choice !== 0x01) throw new DlmsError('unsupported', 1, `ACTION-Response choice ${choice} is not normal (1)`, where);
  need(b, 3, 2, 'action-result', where);
  const result = b[3] as number;
  const reason = ACTION_RESULTS.get(result) ?? `action-result ${result}`;
  if (b[4] === 0x00) {
    noTrailing(b, 5, 'ACTION-Response-Normal', where);
    return { invokeId, result, reason };
  }
  need(b, 5, 1, 'return parameters', where);
  if (b[5] === 0x01) {
    need(b, 6, 1, 'data-access-result', where);
    noTrailing(b, 7, 'ACTION-Response-Normal', where);
    return { invokeId, result, reason, returned: accessError(b[6] as number) };
  }
  if (b[5] !== 0x00) throw new DlmsError('bad-tag', 5, `get-data-result choice ${b[5] as number}`, where);
  const { data, end } = decodeData(b, 6, where);
  noTrailing(b, end, 'ACTION-Response-Normal', where);
  return { invokeId, result, reason, returned: data };
}

// ---------------------------------------------------------------------------------------------
// ExceptionResponse

/** ExceptionResponse D8 | state-error | service-error [| invocation counter when service-error 9]. */
export function encodeExceptionResponse(o: { stateError: number; serviceError: number; invocationCounter?: number }): Buffer {
  const head = Buffer.from([EXCEPTION_RESPONSE, byte(o.stateError, 'state-error'), byte(o.serviceError, 'service-error')]);
  if (o.invocationCounter === undefined) return head;
  const ic = Buffer.alloc(4);
  ic.writeUInt32BE(o.invocationCounter >>> 0);
  return Buffer.concat([head, ic]);
}

/** state-error: 1 service-not-allowed, 2 service-unknown; service-error: 1 operation-not-possible, 2 service-not-supported, 3 other-reason, 9 invocation-counter-error. */
export function decodeExceptionResponse(b: Uint8Array, where: DlmsOffsetIn = 'apdu'): { stateError: number; serviceError: number; invocationCounter?: number } {
  need(b, 0, 3, 'ExceptionResponse', where);
  if (b[0] !== EXCEPTION_RESPONSE) throw new DlmsError('bad-tag', 0, `0x${(b[0] as number).toString(16)} is not an ExceptionResponse (0xd8)`, where);
  const stateError = b[1] as number;
  const serviceError = b[2] as number;
  if (serviceError === 9 && b.length >= 7) return { stateError, serviceError, invocationCounter: uint32At(b, 3) };
  return { stateError, serviceError };
}
