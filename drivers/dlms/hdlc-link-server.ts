import { DlmsError } from './errors.js';
import { LLC_REQUEST, LLC_RESPONSE, encodeHdlcPush, stripLlc, type HdlcFrame } from './hdlc-frame.js';
import { clientAddress, sameAddress, serverAddress, type HdlcAddress } from './hdlc-fields.js';
import { HDLC_DEFAULT_PARAMETERS, encodeHdlcParameters, parseHdlcParameters, type HdlcParameters } from './hdlc-parameters.js';
import { HdlcSequence, segmentsOf, type Segment } from './hdlc-sequence.js';

// The server end of one HDLC connection, for the simulated meter: the mirror of the client in
// hdlc-link.ts. It answers SNRM with UA (and the parameters), DISC with UA, every segment of a
// request but the last with RR, and sends a long response one segment per RR of the client.
// Frames for another server address are not answered, as on a multi-drop line.

export interface HdlcServerOptions {
  serverUpper: number;
  serverLower?: number;
  /** The largest information field this server sends and receives (default 128). */
  maxInfo?: number;
}

export interface HdlcServer {
  readonly connected: boolean;
  /** The client of the current connection (set by its SNRM). */
  readonly client: number | undefined;
  readonly parameters: HdlcParameters;
  /**
   * Judges a frame from a client: `apdu` once the last segment of a request is in, `reply` the frame
   * to send back (UA, RR, DM, or the next segment of a response). DlmsError 'protocol' for a wrong
   * N(S) or N(R).
   */
  receive(f: HdlcFrame): { apdu?: Buffer; reply?: Buffer };
  /**
   * The response to the request received: the frames to send now, which is the first segment only;
   * each further segment is the `reply` to the client's RR.
   */
  send(apdu: Buffer): Buffer[];
  /** A UI frame pushing an APDU (a DataNotification) to a client (default: the connected one, else 16). */
  push(apdu: Buffer, client?: number): Buffer;
}

export function createHdlcServer(o: HdlcServerOptions): HdlcServer {
  const local: HdlcAddress = serverAddress(o.serverUpper, o.serverLower);
  const maxInfo = o.maxInfo ?? HDLC_DEFAULT_PARAMETERS.maxInfoTx;
  let seq: HdlcSequence | undefined;
  let parameters = HDLC_DEFAULT_PARAMETERS;
  /** The segments of a response not sent yet: numbered when sent, so an abandoned rest never skews N(S). */
  let queue: Segment[] = [];

  const connect = (f: HdlcFrame): Buffer => {
    const theirs = parseHdlcParameters(f.info);
    parameters = { maxInfoTx: Math.min(maxInfo, theirs.maxInfoRx), maxInfoRx: Math.min(maxInfo, theirs.maxInfoTx), windowTx: 1, windowRx: 1 };
    seq = new HdlcSequence(local, f.src);
    queue = [];
    return seq.frame({ kind: 'UA', pf: true }, encodeHdlcParameters(parameters));
  };

  return {
    get connected() {
      return seq !== undefined;
    },
    get client() {
      return seq?.peer.upper;
    },
    get parameters() {
      return parameters;
    },

    receive(f) {
      if (!sameAddress(f.dest, local) || f.src.size !== 1) return {};
      const c = f.control;
      if (c.kind === 'SNRM') return { reply: connect(f) };
      const current = seq;
      if (current === undefined || !sameAddress(current.peer, f.src)) {
        // Disconnected mode, or another client: DM to every command that polls (ISO/IEC 13239).
        const dm = new HdlcSequence(local, f.src).frame({ kind: 'DM', pf: true });
        return c.pf ? { reply: dm } : {};
      }
      if (c.kind === 'DISC') {
        seq = undefined;
        queue = [];
        return { reply: current.frame({ kind: 'UA', pf: true }) };
      }
      if (c.kind === 'RR' || c.kind === 'RNR') {
        current.acknowledge(f, c.nr);
        const next = c.kind === 'RR' ? queue.shift() : undefined;
        return { reply: next ? current.iFrame(next) : current.frame({ kind: 'RR', nr: current.vr, pf: true }) };
      }
      if (c.kind !== 'I') {
        throw new DlmsError('protocol', current.controlOffset(f), `HDLC ${c.kind}: not a frame a client sends`, 'frame');
      }
      current.accept(f, c.ns, c.nr);
      queue = []; // a new request: the rest of an earlier response is abandoned
      const info = current.collect(f);
      if (info === null) return { reply: current.frame({ kind: 'RR', nr: current.vr, pf: true }) };
      const apdu = stripLlc(info, LLC_REQUEST);
      if (apdu === null) throw new DlmsError('bad-frame', 0, 'HDLC I-frame: no LLC header E6 E6 00', 'apdu');
      return { apdu };
    },

    send(apdu) {
      if (seq === undefined) throw new DlmsError('protocol', 0, 'HDLC: no connection to answer on', 'apdu');
      const [first, ...rest] = segmentsOf(Buffer.concat([LLC_RESPONSE, apdu]), parameters.maxInfoTx);
      queue = rest;
      return first === undefined ? [] : [seq.iFrame(first)];
    },

    push(apdu, client) {
      return encodeHdlcPush(apdu, { dest: clientAddress(client ?? seq?.peer.upper ?? 16), src: local });
    },
  };
}
