import { KmpError } from './errors.js';
import { encodeKmpFrame, KMP_CID, KMP_DEST_HEAT, type KmpFrame } from './frame.js';
import { kmpUnitName } from './registers.js';
import { decodeKmpValue, encodeKmpValue } from './value.js';

// The commands a reader needs, both sides: the requests the host sends and how it parses the
// answers, and the answers a meter gives (for the simulator). Offsets in errors are into the data
// link (DEST CID DATA CRC), as the frame's data starts at byte 2 of it.

export const KMP_MAX_REGISTERS_PER_REQUEST = 8;
const DATA_AT = 2;

export interface KmpRegisterValue {
  rid: number;
  unit: number;
  unitName: string;
  value: number;
  /** The exact decimal the meter sent (value may have lost digits a double cannot hold). */
  text: string;
}

export interface KmpMeterType {
  meterType: number;
  swRevision: number;
}

function request(cid: number, data: Buffer, dest: number): Buffer {
  return encodeKmpFrame({ toMeter: true, dest, cid, data });
}

function answer(cid: number, data: Buffer, dest: number): Buffer {
  return encodeKmpFrame({ toMeter: false, dest, cid, data });
}

export function getTypeRequest(dest = KMP_DEST_HEAT): Buffer {
  return request(KMP_CID.getType, Buffer.alloc(0), dest);
}

export function getSerialNoRequest(dest = KMP_DEST_HEAT): Buffer {
  return request(KMP_CID.getSerialNo, Buffer.alloc(0), dest);
}

function checkRids(rids: readonly number[]): void {
  if (rids.length < 1 || rids.length > KMP_MAX_REGISTERS_PER_REQUEST) {
    throw new KmpError('bad-value', 0, `a GetRegister request asks for 1 to ${KMP_MAX_REGISTERS_PER_REQUEST} registers, not ${rids.length}`, 'data-link');
  }
  rids.forEach((rid, i) => {
    if (!Number.isInteger(rid) || rid < 0 || rid > 0xffff) throw new KmpError('bad-value', DATA_AT + 1 + 2 * i, `register ${String(rid)} is not a number 0…65535`, 'data-link');
  });
}

/** `10 | N | RID × N` for 1 to 8 registers. */
export function getRegisterRequest(rids: readonly number[], dest = KMP_DEST_HEAT): Buffer {
  checkRids(rids);
  const data = Buffer.alloc(1 + 2 * rids.length);
  data[0] = rids.length;
  rids.forEach((rid, i) => data.writeUInt16BE(rid, 1 + 2 * i));
  return request(KMP_CID.getRegister, data, dest);
}

function expectAnswer(frame: KmpFrame, cid: number, what: string): void {
  if (frame.toMeter) throw new KmpError('unexpected-response', 0, `a ${what} request where its answer was expected (an echo?)`, 'data-link');
  if (frame.cid !== cid) throw new KmpError('unexpected-response', 1, `CID ${frame.cid.toString(16).padStart(2, '0')} where the ${what} answer (${cid.toString(16).padStart(2, '0')}) was expected`, 'data-link');
}

function exactLength(frame: KmpFrame, n: number, what: string): void {
  if (frame.data.length < n) throw new KmpError('truncated', DATA_AT + frame.data.length, `a ${what} answer of ${frame.data.length} bytes, ${n} expected`, 'data-link');
  if (frame.data.length > n) throw new KmpError('bad-value', DATA_AT + n, `a ${what} answer of ${frame.data.length} bytes, ${n} expected`, 'data-link');
}

export function parseGetSerialNoResponse(frame: KmpFrame): number {
  expectAnswer(frame, KMP_CID.getSerialNo, 'GetSerialNo');
  exactLength(frame, 4, 'GetSerialNo');
  return frame.data.readUInt32BE(0);
}

export function parseGetTypeResponse(frame: KmpFrame): KmpMeterType {
  expectAnswer(frame, KMP_CID.getType, 'GetType');
  exactLength(frame, 4, 'GetType');
  return { meterType: frame.data.readUInt16BE(0), swRevision: frame.data.readUInt16BE(2) };
}

/**
 * `RID UNIT LEN SISE MANTISSA`…; with `asked`, every register answered must have been asked for,
 * in the order asked and once (a meter leaves out registers it does not have).
 */
export function parseGetRegisterResponse(frame: KmpFrame, asked?: readonly number[]): KmpRegisterValue[] {
  expectAnswer(frame, KMP_CID.getRegister, 'GetRegister');
  const data = frame.data;
  const out: KmpRegisterValue[] = [];
  let at = 0;
  let next = 0; // index in `asked` the next answer may start at
  while (at < data.length) {
    if (out.length >= KMP_MAX_REGISTERS_PER_REQUEST) throw new KmpError('bad-value', DATA_AT + at, `more than ${KMP_MAX_REGISTERS_PER_REQUEST} registers in one answer`, 'data-link');
    if (at + 2 > data.length) throw new KmpError('truncated', DATA_AT + data.length, 'the answer ends inside a register id', 'data-link');
    const rid = data.readUInt16BE(at);
    if (asked !== undefined) {
      const i = asked.indexOf(rid, next);
      if (i < 0) throw new KmpError('unexpected-response', DATA_AT + at, `register ${rid} was not asked for (or not in this order)`, 'data-link');
      next = i + 1;
    }
    let v;
    try {
      v = decodeKmpValue(data, at + 2);
    } catch (err) {
      if (err instanceof KmpError) throw new KmpError(err.code, DATA_AT + err.offset, `register ${rid}: ${err.message}`, 'data-link');
      throw err;
    }
    out.push({ rid, unit: v.unit, unitName: kmpUnitName(v.unit), value: v.value, text: v.text });
    at = v.end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The meter's side

/** The registers a GetRegister request asks for (the simulator's view); throws KmpError. */
export function parseGetRegisterRequest(frame: KmpFrame): number[] {
  if (!frame.toMeter || frame.cid !== KMP_CID.getRegister) throw new KmpError('unexpected-response', 1, 'not a GetRegister request', 'data-link');
  const n = frame.data[0] ?? 0;
  if (n < 1 || n > KMP_MAX_REGISTERS_PER_REQUEST) throw new KmpError('bad-value', DATA_AT, `a GetRegister request for ${n} registers`, 'data-link');
  if (frame.data.length !== 1 + 2 * n) throw new KmpError('truncated', DATA_AT + frame.data.length, `${n} registers announced, ${frame.data.length - 1} bytes of ids follow`, 'data-link');
  return Array.from({ length: n }, (_, i) => frame.data.readUInt16BE(1 + 2 * i));
}

/** The answer with each value as encodeKmpValue gives it (`length`: the mantissa's bytes, default 4). */
export function encodeGetRegisterResponse(values: ReadonlyArray<{ rid: number; unit: number; value: number | string; length?: number }>, dest = KMP_DEST_HEAT): Buffer {
  if (values.length > KMP_MAX_REGISTERS_PER_REQUEST) throw new KmpError('bad-value', 0, `an answer holds at most ${KMP_MAX_REGISTERS_PER_REQUEST} registers`, 'data-link');
  const parts = values.map((v) => {
    const rid = Buffer.alloc(2);
    if (!Number.isInteger(v.rid) || v.rid < 0 || v.rid > 0xffff) throw new KmpError('bad-value', 0, `register ${String(v.rid)} is not a number 0…65535`, 'data-link');
    rid.writeUInt16BE(v.rid);
    return Buffer.concat([rid, encodeKmpValue(v.value, v.unit, v.length === undefined ? {} : { length: v.length })]);
  });
  return answer(KMP_CID.getRegister, Buffer.concat(parts), dest);
}

export function encodeGetSerialNoResponse(serial: number, dest = KMP_DEST_HEAT): Buffer {
  if (!Number.isInteger(serial) || serial < 0 || serial > 0xffffffff) throw new KmpError('bad-value', 0, 'a serial number is 0…4294967295', 'data-link');
  const data = Buffer.alloc(4);
  data.writeUInt32BE(serial);
  return answer(KMP_CID.getSerialNo, data, dest);
}

export function encodeGetTypeResponse(t: KmpMeterType, dest = KMP_DEST_HEAT): Buffer {
  for (const v of [t.meterType, t.swRevision]) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new KmpError('bad-value', 0, 'meter type and software revision are 0…65535', 'data-link');
  }
  const data = Buffer.alloc(4);
  data.writeUInt16BE(t.meterType, 0);
  data.writeUInt16BE(t.swRevision, 2);
  return answer(KMP_CID.getType, data, dest);
}
