import { DlmsError } from './errors.js';
import { LLC_REQUEST, LLC_RESPONSE, stripLlc, type HdlcFrame } from './hdlc-frame.js';
import { clientAddress, serverAddress } from './hdlc-fields.js';
import { HDLC_DEFAULT_PARAMETERS, encodeHdlcParameters, parseHdlcParameters, type HdlcParameters } from './hdlc-parameters.js';
import { HdlcSequence } from './hdlc-sequence.js';

// The client end of one HDLC connection, as pure state: it makes the frames to send and judges
// the frames received; the caller carries them (an injected exchange, a serial port). Window 1:
// every I-frame polls, and the server answers each segment but the last with RR.
// The server end, for the simulated meter, is in hdlc-link-server.ts.
export { createHdlcServer, type HdlcServer, type HdlcServerOptions } from './hdlc-link-server.js';

export type HdlcLinkState = 'disconnected' | 'connecting' | 'connected' | 'disconnecting';

export interface HdlcClientOptions {
  /** The client address (16 public, 1 management, 32 …), one byte on the wire. */
  client: number;
  /** The logical device (1 the management logical device). */
  serverUpper: number;
  /** The physical device (e.g. 17 from a meter's serial), making the server address 2 or 4 bytes. */
  serverLower?: number;
  /** The largest information field to send and receive, proposed in the SNRM; without it, none is proposed (128). */
  maxInfo?: number;
}

export interface HdlcClient {
  readonly state: HdlcLinkState;
  /** The parameters agreed in the UA, from this side: maxInfoTx is what the client may send. */
  readonly parameters: HdlcParameters;
  snrm(): Buffer;
  /** Takes the answer to the SNRM: UA starts the connection; DM is DlmsError 'refused'. */
  acceptUa(f: HdlcFrame): HdlcParameters;
  /** The I-frames of one APDU (LLC added), segmented at maxInfoTx; send each and hand every answer to receive(). */
  send(apdu: Buffer): Buffer[];
  /**
   * Judges a frame from the server: an I-frame's APDU once its last segment is in (`reply` is the RR
   * asking for the next segment until then), a UI frame's APDU (a push), nothing for RR/RNR and for
   * the UA or DM that answers DISC. DlmsError 'protocol' for a wrong N(S) or N(R) or a frame that
   * does not fit the state, 'refused' for DM and FRMR.
   */
  receive(f: HdlcFrame): { apdu?: Buffer; reply?: Buffer };
  /** An RR polling the server (after RNR), acknowledging what was received. */
  rr(): Buffer;
  disc(): Buffer;
}

export function createHdlcClient(o: HdlcClientOptions): HdlcClient {
  const seq = new HdlcSequence(clientAddress(o.client), serverAddress(o.serverUpper, o.serverLower));
  const own: HdlcParameters = o.maxInfo === undefined ? HDLC_DEFAULT_PARAMETERS : { maxInfoTx: o.maxInfo, maxInfoRx: o.maxInfo, windowTx: 1, windowRx: 1 };
  const proposal = o.maxInfo === undefined ? Buffer.alloc(0) : encodeHdlcParameters(own);
  let state: HdlcLinkState = 'disconnected';
  let parameters = HDLC_DEFAULT_PARAMETERS;

  const fail = (code: 'protocol' | 'refused', f: HdlcFrame, why: string): never => {
    throw new DlmsError(code, seq.controlOffset(f), `HDLC ${f.control.kind} ${why}`, 'frame');
  };

  return {
    get state() {
      return state;
    },
    get parameters() {
      return parameters;
    },

    snrm() {
      state = 'connecting';
      return seq.frame({ kind: 'SNRM', pf: true }, proposal);
    },

    acceptUa(f) {
      seq.checkAddresses(f);
      if (f.control.kind === 'DM') fail('refused', f, 'answers the SNRM: the server refuses the connection');
      if (f.control.kind !== 'UA' || state !== 'connecting') fail('protocol', f, `while ${state}: expected UA to an SNRM`);
      const theirs = parseHdlcParameters(f.info);
      // The server states its own transmit and receive: ours are the other way round, and no more than we offered.
      parameters = {
        maxInfoTx: Math.min(own.maxInfoTx, theirs.maxInfoRx),
        maxInfoRx: Math.min(own.maxInfoRx, theirs.maxInfoTx),
        windowTx: 1,
        windowRx: 1,
      };
      seq.reset();
      state = 'connected';
      return parameters;
    },

    send(apdu) {
      if (state !== 'connected') throw new DlmsError('protocol', 0, `HDLC: no APDU can be sent while ${state}`, 'apdu');
      seq.dropSegments(); // a new request abandons what is left of an answer being received
      return seq.iFrames(Buffer.concat([LLC_REQUEST, apdu]), parameters.maxInfoTx);
    },

    receive(f) {
      seq.checkAddresses(f);
      const c = f.control;
      if (c.kind === 'UI') {
        const apdu = stripLlc(f.info, LLC_RESPONSE);
        if (apdu === null) throw new DlmsError('bad-frame', 0, 'HDLC UI frame: no LLC header E6 E7 00', 'apdu');
        return { apdu };
      }
      if (state === 'disconnecting' && (c.kind === 'UA' || c.kind === 'DM')) {
        state = 'disconnected';
        return {};
      }
      if (c.kind === 'DM' || c.kind === 'FRMR') {
        const was = state;
        state = 'disconnected';
        return fail('refused', f, `while ${was}: the server ends or rejects the connection`);
      }
      if (state !== 'connected') return fail('protocol', f, `while ${state}`);
      if (c.kind === 'RR' || c.kind === 'RNR') {
        seq.acknowledge(f, c.nr);
        return {};
      }
      if (c.kind !== 'I') return fail('protocol', f, 'from a server to its client');
      seq.accept(f, c.ns, c.nr);
      const info = seq.collect(f);
      if (info === null) return { reply: seq.frame({ kind: 'RR', nr: seq.vr, pf: true }) };
      const apdu = stripLlc(info, LLC_RESPONSE);
      if (apdu === null) throw new DlmsError('bad-frame', 0, 'HDLC I-frame: no LLC header E6 E7 00', 'apdu');
      return { apdu };
    },

    rr() {
      return seq.frame({ kind: 'RR', nr: seq.vr, pf: true });
    },

    disc() {
      state = 'disconnecting';
      return seq.frame({ kind: 'DISC', pf: true });
    },
  };
}
