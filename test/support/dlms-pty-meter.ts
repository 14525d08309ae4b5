import type { DlmsData } from '../../drivers/dlms/axdr.js';
import { HdlcFrameReader } from '../../drivers/dlms/hdlc.js';
import { withEvenParity } from '../../src/gateway/link/optical-mode-e.js';
import { createMemoryMeter, type MemoryMeterOptions } from './dlms-memory-meter.js';
import type { PtyPair } from './pty-pair.js';

// The in-memory meter (dlms-memory-meter.ts) behind the meter end of a socat pseudo-terminal: the
// IEC 62056-21 mode-E sign-on byte for byte when `identification` is given (a 7E1 meter: it
// answers only characters with correct even parity, and sends its own with parity), then HDLC.

export interface PtyMeterOptions extends Partial<MemoryMeterOptions> {
  identification?: string;
  /** SNRMs to ignore before answering (a meter still waking up). */
  dropSnrms?: number;
  /** Written instead of an answer to each SNRM dropped (line noise, a broken frame). */
  junkOnDrop?: Buffer;
  /** Answers nothing at all. */
  silent?: boolean;
}

export function playMeter(p: PtyPair, o: PtyMeterOptions & Pick<MemoryMeterOptions, 'systemTitle' | 'keys' | 'authentication' | 'security' | 'objects'>) {
  const meter = createMemoryMeter(o);
  const reader = new HdlcFrameReader();
  let phase: 'optical' | 'ack' | 'hdlc' = o.identification ? 'optical' : 'hdlc';
  let line = Buffer.alloc(0);
  let dropped = 0;
  const baudChanges: number[] = [];
  const onLine = (got: Buffer): void => {
    if (phase === 'optical') {
      if (!got.equals(withEvenParity(Buffer.from('/?!\r\n', 'latin1')))) return;
      phase = 'ack';
      p.meter.write(withEvenParity(Buffer.from(`${o.identification ?? ''}\r\n`, 'latin1')));
      return;
    }
    if (!got.equals(withEvenParity(Buffer.from('\x06252\r\n', 'latin1')))) return;
    phase = 'hdlc';
    p.meter.update({ baudRate: 9600 }, () => baudChanges.push(9600));
  };
  const onHdlc = (bytes: Buffer): void => {
    for (const item of reader.push(bytes)) {
      if (!('frame' in item)) continue;
      if (item.frame.control.kind === 'SNRM' && dropped < (o.dropSnrms ?? 0)) {
        dropped += 1;
        if (o.junkOnDrop) p.meter.write(o.junkOnDrop);
        continue;
      }
      const reply = meter.answer(item.frame);
      if (reply) p.meter.write(reply);
    }
  };
  p.meter.on('data', (chunk: Buffer) => {
    if (o.silent) return;
    let rest = chunk;
    // Lines until the hand-over; what follows in the same chunk (a loaded machine joins them) is HDLC.
    for (let guard = 0; phase !== 'hdlc' && guard < 16; guard++) {
      const end = rest.indexOf(0x0a);
      if (end < 0) {
        line = Buffer.concat([line, rest]);
        return;
      }
      const got = Buffer.concat([line, rest.subarray(0, end + 1)]);
      line = Buffer.alloc(0);
      rest = rest.subarray(end + 1);
      onLine(got);
    }
    if (phase === 'hdlc' && rest.length > 0) onHdlc(rest);
  });
  return { baudChanges, meter };
}

const u32 = (value: number): DlmsData => ({ type: 'uint32', value });
const scalerUnit = (scaler: number, unit: number): DlmsData => ({ type: 'structure', value: [{ type: 'int8', value: scaler }, { type: 'enum', value: unit }] });

/** A small electricity meter's objects: energy in and out, voltage L1, the meter id. */
export function sampleObjects(clock: Buffer): MemoryMeterOptions['objects'] {
  return new Map([
    ['1-0:1.8.0.255', { classId: 3, attributes: new Map<number, DlmsData>([[2, u32(12_345_678)], [3, scalerUnit(0, 30)]]) }],
    ['1-0:2.8.0.255', { classId: 3, attributes: new Map<number, DlmsData>([[2, u32(4_321)], [3, scalerUnit(0, 30)]]) }],
    ['1-0:1.7.0.255', { classId: 3, attributes: new Map<number, DlmsData>([[2, u32(1_234)], [3, scalerUnit(0, 27)]]) }],
    ['1-0:2.7.0.255', { classId: 3, attributes: new Map<number, DlmsData>([[2, u32(0)], [3, scalerUnit(0, 27)]]) }],
    ['1-0:32.7.0.255', { classId: 3, attributes: new Map<number, DlmsData>([[2, { type: 'uint16', value: 2_305 }], [3, scalerUnit(-1, 35)]]) }],
    ['0-0:96.1.0.255', { classId: 1, attributes: new Map<number, DlmsData>([[2, { type: 'octet-string', value: Buffer.from('12345678', 'latin1') }]]) }],
    ['0-0:1.0.0.255', { classId: 8, attributes: new Map<number, DlmsData>([[2, { type: 'octet-string', value: clock }]]) }],
  ]);
}
