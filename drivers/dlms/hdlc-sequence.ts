import { DlmsError } from './errors.js';
import { encodeHdlcFrame, type HdlcFrame } from './hdlc-frame.js';
import { encodeAddress, formatAddress, sameAddress, type HdlcAddress } from './hdlc-fields.js';

// What both ends of an HDLC connection keep (IEC 62056-46 6.4.4): the send and receive state
// variables V(S) and V(R) modulo 8, the N(R) last acknowledged, and the segments of an APDU being
// received. Window 1 both ways: each side sends one I-frame with the poll/final bit and waits.

/** The longest APDU reassembled from segments: a DLMS PDU is at most 65535 bytes, plus LLC. */
export const HDLC_MAX_REASSEMBLED = 0xffff + 3;

export class HdlcSequence {
  /** V(S): the N(S) of the next I-frame sent. */
  vs = 0;
  /** V(R): the N(S) expected of the next I-frame received. */
  vr = 0;
  /** The N(R) last received: every I-frame before it is acknowledged. */
  acked = 0;
  /**
   * I-frames sent and not yet acknowledged, counted rather than taken modulo 8: a segmented APDU's
   * frames are numbered all at once, and may be more than 7, while the peer acknowledges them one by one.
   */
  unacked = 0;
  private segments: Buffer[] = [];
  private segmentBytes = 0;

  constructor(
    readonly local: HdlcAddress,
    readonly peer: HdlcAddress,
  ) {}

  reset(): void {
    this.vs = 0;
    this.vr = 0;
    this.acked = 0;
    this.unacked = 0;
    this.segments = [];
    this.segmentBytes = 0;
  }

  /** Offset of the control byte in the encoded frame (flag, format, addresses), for errors about it. */
  controlOffset(f: HdlcFrame): number {
    return 3 + encodeAddress(f.dest).length + encodeAddress(f.src).length;
  }

  /** Throws 'protocol' unless the frame goes from the peer to this side. */
  checkAddresses(f: HdlcFrame): void {
    if (!sameAddress(f.dest, this.local) || !sameAddress(f.src, this.peer)) {
      throw new DlmsError('protocol', 3, `HDLC frame from ${formatAddress(f.src)} to ${formatAddress(f.dest)}: this connection is ${formatAddress(this.peer)} to ${formatAddress(this.local)}`, 'frame');
    }
  }

  /** Takes N(R) of a received I or RR frame: it must acknowledge only frames sent (0..V(S) past the last N(R)). */
  acknowledge(f: HdlcFrame, nr: number): void {
    const step = this.ackStep(f, nr);
    this.acked = nr;
    this.unacked -= step;
  }

  /** Takes N(S) and N(R) of a received I-frame, both checked before either is taken: N(S) must be V(R). */
  accept(f: HdlcFrame, ns: number, nr: number): void {
    if (ns !== this.vr) {
      throw new DlmsError('protocol', this.controlOffset(f), `HDLC N(S) ${ns}: expected ${this.vr}`, 'frame');
    }
    this.ackStep(f, nr);
    this.vr = (this.vr + 1) % 8;
    this.acknowledge(f, nr);
  }

  private ackStep(f: HdlcFrame, nr: number): number {
    const step = (nr - this.acked + 8) % 8;
    if (step > this.unacked) {
      throw new DlmsError('protocol', this.controlOffset(f), `HDLC N(R) ${nr}: acknowledges a frame not sent (V(S) ${this.vs}, last N(R) ${this.acked})`, 'frame');
    }
    return step;
  }

  /** Forgets the segments of an APDU being received: the caller sent a new request instead of asking for more. */
  dropSegments(): void {
    this.segments = [];
    this.segmentBytes = 0;
  }

  /** Adds a received segment's information; the whole information field once the last segment is in. */
  collect(f: HdlcFrame): Buffer | null {
    this.segmentBytes += f.info.length;
    if (this.segmentBytes > HDLC_MAX_REASSEMBLED) {
      this.segments = [];
      this.segmentBytes = 0;
      throw new DlmsError('bad-length', 0, `HDLC segments: more than ${HDLC_MAX_REASSEMBLED} bytes for one APDU`, 'apdu');
    }
    this.segments.push(f.info);
    if (f.segmented) return null;
    const whole = Buffer.concat(this.segments);
    this.segments = [];
    this.segmentBytes = 0;
    return whole;
  }

  /** The I-frames of one information field (LLC included), cut at `maxInfo`, numbered from V(S). */
  iFrames(info: Buffer, maxInfo: number): Buffer[] {
    return segmentsOf(info, maxInfo).map((s) => this.iFrame(s));
  }

  /** One I-frame, numbered now: N(S) = V(S), N(R) = V(R), poll/final set. */
  iFrame(s: Segment): Buffer {
    const frame = this.frame({ kind: 'I', ns: this.vs, nr: this.vr, pf: true }, s.info, s.more);
    this.vs = (this.vs + 1) % 8;
    this.unacked += 1;
    return frame;
  }

  frame(control: HdlcFrame['control'], info: Buffer = Buffer.alloc(0), segmented = false): Buffer {
    return encodeHdlcFrame({ segmented, dest: this.peer, src: this.local, control, info });
  }
}

export interface Segment {
  info: Buffer;
  /** The S bit: more segments follow. */
  more: boolean;
}

/** An information field cut at `maxInfo` (one empty segment for an empty field). */
export function segmentsOf(info: Buffer, maxInfo: number): Segment[] {
  const out: Segment[] = [];
  for (let at = 0; at < info.length || at === 0; at += maxInfo) {
    out.push({ info: info.subarray(at, at + maxInfo), more: at + maxInfo < info.length });
  }
  return out;
}
