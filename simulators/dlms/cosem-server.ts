import { timingSafeEqual } from 'node:crypto';
import { encodeData, decodeData } from '../../drivers/dlms/axdr.js';
import { encodeLength } from '../../drivers/dlms/ber.js';
import { InvocationCounters, hlsGmac, protect, unprotect, unwrapGlo, wrapGlo, type SecurityKeys } from '../../drivers/dlms/cipher.js';
import { isDlmsError } from '../../drivers/dlms/errors.js';
import { formatObis } from '../../drivers/dlms/obis.js';
import type { Rng } from '../../src/lib/prng.js';
import {
  AcseError,
  CONTEXT_LN,
  CONTEXT_LN_CIPHERED,
  DECIPHERING_ERROR,
  MECHANISM,
  RLRE,
  decodeAarq,
  decodeInitiateRequest,
  encodeAare,
  encodeInitiateError,
  encodeInitiateResponse,
  type AareInput,
} from './acse.js';
import { ACCESS, ASSOCIATION_OBIS, type ObjectModel } from './omnipower-objects.js';

// The meter's application layer, one APDU in, at most one out (no port, no timer): the association
// (no security, LLS, HLS-GMAC with its reply_to_HLS_authentication), suite 0 ciphering of the
// service APDUs (glo-GET C8/CC, glo-ACTION CB/CF, the glo-initiate in AARQ/AARE), GET normal and
// with blocks, and the release. A wrong key shows as the tag not verifying: the association is
// refused, never a value sent.

export type AuthenticationName = 'none' | 'lls' | 'hls-gmac';

export interface CosemServerOptions {
  systemTitle: Buffer;
  keys: Required<SecurityKeys>;
  authentication: AuthenticationName;
  password?: Buffer;
  objects: ObjectModel;
  rng: Rng;
  /** The meter's own invocation counter: shared with the HAN pushes, it only grows. */
  nextInvocationCounter(): number;
  /** Tells the simulator what happened (a refused association, a GET) for its log and tests. */
  onEvent?(e: CosemServerEvent): void;
}

export type CosemServerEvent =
  | { kind: 'associated'; mechanism: AuthenticationName; ciphered: boolean }
  | { kind: 'refused'; reason: string }
  | { kind: 'get'; obis: string; attribute: number; blocks: number }
  | { kind: 'released' };

export interface CosemServer {
  readonly associated: boolean;
  /** The answer to one APDU, or null when the meter stays silent. */
  handle(apdu: Buffer): Buffer | null;
  /** The link went down (HDLC DISC): the association ends with it. */
  reset(): void;
}

/** Conformance the meter offers: block-transfer-with-get, get, selective-access, action (and the bits the vectors carry). */
const SUPPORTED_CONFORMANCE = 0x001e1d;
/** The meter's largest APDU it receives; it sends blocks no larger than the client's limit or this. */
const SERVER_MAX_PDU = 0x01f4;
const SC_AE = 0x30;
const EXCEPTION_SERVICE_NOT_ALLOWED = Buffer.from([0xd8, 0x01, 0x01]);

type State =
  | { kind: 'idle' }
  | { kind: 'hls-pending'; ciphered: boolean; clientTitle: Buffer; ctos: Buffer; stoc: Buffer; maxPdu: number }
  | { kind: 'associated'; ciphered: boolean; clientTitle: Buffer | undefined; maxPdu: number; mechanism: AuthenticationName };

export function createCosemServer(o: CosemServerOptions): CosemServer {
  let state: State = { kind: 'idle' };
  const counters = new InvocationCounters(64);
  /** The rest of a long GET answer, handed out block by block. */
  let pending: { data: Buffer; block: number; size: number } | null = null;

  const refuse = (context: number, diagnostic: number, reason: string, userInformation?: Buffer): Buffer => {
    state = { kind: 'idle' };
    o.onEvent?.({ kind: 'refused', reason });
    const aare: AareInput = { context, result: 1, diagnostic, mechanism: MECHANISM.none, ...(userInformation ? { userInformation } : {}) };
    return encodeAare(aare);
  };

  /** A ciphered APDU from the client: its plaintext, after the tag and the counter are checked. */
  const open = (clientTitle: Buffer, content: Buffer): Buffer => {
    const { invocationCounter, plaintext, sc } = unprotect({ systemTitle: clientTitle, content, keys: o.keys });
    if ((sc & SC_AE) !== SC_AE) throw new AcseError(`security control 0x${sc.toString(16)}: the meter requires authenticated encryption`);
    counters.accept(clientTitle.toString('hex'), invocationCounter);
    return plaintext;
  };
  const seal = (tag: number, plaintext: Buffer): Buffer =>
    wrapGlo(tag, protect({ sc: SC_AE, systemTitle: o.systemTitle, invocationCounter: o.nextInvocationCounter(), keys: o.keys, plaintext }));

  const associate = (apdu: Buffer): Buffer => {
    pending = null;
    let aarq;
    try {
      aarq = decodeAarq(apdu);
    } catch (err) {
      return refuse(CONTEXT_LN, 1, `AARQ not understood: ${(err as Error).message}`);
    }
    const ciphered = aarq.context === CONTEXT_LN_CIPHERED;
    if (aarq.context !== CONTEXT_LN && !ciphered) return refuse(CONTEXT_LN, 2, `application context ${aarq.context} not supported`);
    const wanted = MECHANISM[o.authentication];
    if (aarq.mechanism !== wanted) return refuse(aarq.context, 11, `mechanism ${aarq.mechanism} asked, the meter requires ${wanted} (${o.authentication})`);
    const clientTitle = aarq.clientSystemTitle;
    if ((ciphered || o.authentication === 'hls-gmac') && clientTitle?.length !== 8) return refuse(aarq.context, 1, 'no client system title');
    let initiate: Buffer | undefined = aarq.userInformation;
    if (initiate === undefined) return refuse(aarq.context, 1, 'no InitiateRequest');
    if (ciphered) {
      if (initiate[0] !== 0x21 || clientTitle === undefined) return refuse(aarq.context, 1, 'a ciphered context needs a glo-initiate-request');
      try {
        initiate = open(clientTitle, unwrapGlo(initiate).content);
      } catch (err) {
        // A counter not above the last one this client used: a replay, refused as such (no
        // deciphering error: the keys are right). A wrong GUEK or GAK: the tag does not verify.
        // Either way refused, and nothing of the request is used.
        if (isDlmsError(err) && err.code === 'counter-replay') return refuse(aarq.context, 1, `glo-initiate-request refused: ${err.message}`);
        return refuse(aarq.context, 1, `glo-initiate-request refused: ${(err as Error).message}`, DECIPHERING_ERROR);
      }
    }
    let request;
    try {
      request = decodeInitiateRequest(initiate);
    } catch (err) {
      return refuse(aarq.context, 1, (err as Error).message);
    }
    if (request.dlmsVersion < 6) return refuse(aarq.context, 1, `DLMS version ${request.dlmsVersion}`, encodeInitiateError(1));
    const conformance = request.conformance & SUPPORTED_CONFORMANCE;
    const plainResponse = encodeInitiateResponse({ conformance, maxReceivePdu: SERVER_MAX_PDU });
    const userInformation = ciphered ? seal(0x28, plainResponse) : plainResponse;
    const maxPdu = Math.min(request.maxReceivePdu, SERVER_MAX_PDU);
    const titled = ciphered || o.authentication === 'hls-gmac' ? { serverSystemTitle: o.systemTitle } : {};
    if (o.authentication === 'lls') {
      const given = aarq.authenticationValue ?? Buffer.alloc(0);
      const password = o.password ?? Buffer.alloc(0);
      if (given.length !== password.length || !timingSafeEqual(given, password)) return refuse(aarq.context, 13, 'LLS password does not match');
    }
    if (o.authentication === 'hls-gmac') {
      const ctos = aarq.authenticationValue;
      if (ctos === undefined || ctos.length < 8 || ctos.length > 64 || clientTitle === undefined) return refuse(aarq.context, 13, 'HLS: no challenge CtoS of 8 to 64 bytes');
      const stoc = Buffer.from(Array.from({ length: 16 }, () => o.rng.int(256)));
      state = { kind: 'hls-pending', ciphered, clientTitle, ctos, stoc, maxPdu };
      return encodeAare({ context: aarq.context, result: 0, diagnostic: 14, mechanism: wanted, ...titled, challenge: stoc, userInformation });
    }
    state = { kind: 'associated', ciphered, clientTitle, maxPdu, mechanism: o.authentication };
    o.onEvent?.({ kind: 'associated', mechanism: o.authentication, ciphered });
    return encodeAare({ context: aarq.context, result: 0, diagnostic: 0, mechanism: wanted, ...titled, userInformation });
  };

  /** reply_to_HLS_authentication: f(StoC) checked, f(CtoS) answered. */
  const replyToHls = (s: Extract<State, { kind: 'hls-pending' }>, invoke: number, parameter: Buffer): Buffer => {
    const fail = (why: string): Buffer => {
      state = { kind: 'idle' };
      o.onEvent?.({ kind: 'refused', reason: why });
      return Buffer.from([0xc7, 0x01, invoke, ACCESS.readWriteDenied, 0x00]);
    };
    if (parameter.length !== 17 || parameter[0] !== 0x10) return fail('HLS: f(StoC) is not SC 10 | IC | tag');
    const ic = parameter.readUInt32BE(1);
    const expected = hlsGmac({ systemTitle: s.clientTitle, invocationCounter: ic, ak: o.keys.ak, ek: o.keys.ek, challenge: s.stoc });
    if (!timingSafeEqual(expected, parameter)) return fail('HLS: f(StoC) does not verify (wrong GAK or GUEK)');
    const fctos = hlsGmac({ systemTitle: o.systemTitle, invocationCounter: o.nextInvocationCounter(), ak: o.keys.ak, ek: o.keys.ek, challenge: s.ctos });
    state = { kind: 'associated', ciphered: s.ciphered, clientTitle: s.clientTitle, maxPdu: s.maxPdu, mechanism: 'hls-gmac' };
    o.onEvent?.({ kind: 'associated', mechanism: 'hls-gmac', ciphered: s.ciphered });
    return Buffer.concat([Buffer.from([0xc7, 0x01, invoke, 0x00, 0x01, 0x00]), encodeData({ type: 'octet-string', value: fctos })]);
  };

  const action = (req: Buffer): Buffer => {
    const invoke = req[2] ?? 0;
    const classId = req.readUInt16BE(3);
    const obis = formatObis(req.subarray(5, 11));
    const method = req[11];
    if (state.kind !== 'hls-pending' || classId !== 15 || obis !== ASSOCIATION_OBIS || method !== 1 || req[12] !== 0x01) {
      return Buffer.from([0xc7, 0x01, invoke, ACCESS.readWriteDenied, 0x00]);
    }
    const { data } = decodeData(req, 13);
    if (data.type !== 'octet-string') return Buffer.from([0xc7, 0x01, invoke, ACCESS.readWriteDenied, 0x00]);
    return replyToHls(state, invoke, data.value);
  };

  const blockResponse = (invoke: number): Buffer => {
    if (pending === null) return Buffer.from([0xc4, 0x01, invoke, 0x01, ACCESS.readWriteDenied]);
    const { data, block, size } = pending;
    const chunk = data.subarray((block - 1) * size, block * size);
    const last = block * size >= data.length;
    const head = Buffer.from([0xc4, 0x02, invoke, last ? 1 : 0, 0, 0, 0, 0, 0x00]);
    head.writeUInt32BE(block, 4);
    if (last) pending = null;
    else pending = { data, block: block + 1, size };
    return Buffer.concat([head, encodeLength(chunk.length), chunk]);
  };

  const get = (req: Buffer, maxPdu: number): Buffer => {
    const invoke = req[2] ?? 0;
    if (req[1] === 0x02) {
      const asked = req.readUInt32BE(3);
      // GET-Request-Next names the block the client received last: the next one is `asked + 1`.
      if (pending === null || pending.block !== asked + 1) return Buffer.from([0xc4, 0x01, invoke, 0x01, 19 /* no-long-get-in-progress */]);
      return blockResponse(invoke);
    }
    if (req[1] !== 0x01) return Buffer.from([0xc4, 0x01, invoke, 0x01, ACCESS.readWriteDenied]);
    pending = null;
    const classId = req.readUInt16BE(3);
    const obisBytes = req.subarray(5, 11);
    const attribute = req[11] ?? 0;
    const result = o.objects.get(classId, obisBytes, attribute);
    if ('accessError' in result) return Buffer.from([0xc4, 0x01, invoke, 0x01, result.accessError]);
    const data = encodeData(result);
    // Room for the GET-Response header, and the glo wrapping (tag, length, SC, IC, tag) when ciphered.
    const room = maxPdu - 40;
    const blocks = data.length + 4 <= room ? 1 : Math.ceil(data.length / room);
    o.onEvent?.({ kind: 'get', obis: formatObis(obisBytes), attribute, blocks });
    if (blocks === 1) return Buffer.concat([Buffer.from([0xc4, 0x01, invoke, 0x00]), data]);
    pending = { data, block: 1, size: room };
    return blockResponse(invoke);
  };

  const service = (apdu: Buffer): Buffer | null => {
    if (apdu[0] === 0x62) {
      state = { kind: 'idle' };
      pending = null;
      o.onEvent?.({ kind: 'released' });
      return RLRE;
    }
    if (state.kind === 'idle') return EXCEPTION_SERVICE_NOT_ALLOWED;
    const s = state;
    let plain = apdu;
    let respond = (p: Buffer): Buffer => p;
    if (s.ciphered) {
      if (apdu[0] !== 0xc8 && apdu[0] !== 0xcb) return EXCEPTION_SERVICE_NOT_ALLOWED; // a ciphered association takes glo APDUs only
      if (s.clientTitle === undefined) return EXCEPTION_SERVICE_NOT_ALLOWED;
      try {
        plain = open(s.clientTitle, unwrapGlo(apdu).content);
      } catch (err) {
        o.onEvent?.({ kind: 'refused', reason: `ciphered request refused: ${(err as Error).message}` });
        if (isDlmsError(err) && err.code === 'counter-replay') {
          // ExceptionResponse: service-error invocation-counter-error (9) with the lowest counter taken.
          const expected = Buffer.from([0xd8, 0x01, 0x09, 0, 0, 0, 0]);
          expected.writeUInt32BE(((counters.last(s.clientTitle.toString('hex')) ?? 0) + 1) >>> 0, 3);
          return expected;
        }
        return EXCEPTION_SERVICE_NOT_ALLOWED;
      }
      respond = (p) => seal(p[0] === 0xc4 ? 0xcc : 0xcf, p);
    } else if (apdu[0] === 0xc8 || apdu[0] === 0xcb) return EXCEPTION_SERVICE_NOT_ALLOWED;
    if (plain[0] === 0xc3) return respond(action(plain));
    if (s.kind !== 'associated') return respond(Buffer.from([0xc4, 0x01, plain[2] ?? 0, 0x01, ACCESS.readWriteDenied]));
    if (plain[0] === 0xc0) return respond(get(plain, s.maxPdu));
    return EXCEPTION_SERVICE_NOT_ALLOWED;
  };

  return {
    get associated() {
      return state.kind === 'associated';
    },
    handle(apdu) {
      if (apdu.length === 0) return null;
      if (apdu[0] === 0x60) return associate(apdu);
      try {
        return service(apdu);
      } catch (err) {
        // A request too short for its own fields: the meter answers as to any service it cannot do.
        o.onEvent?.({ kind: 'refused', reason: `request not understood: ${(err as Error).message}` });
        return EXCEPTION_SERVICE_NOT_ALLOWED;
      }
    },
    reset() {
      state = { kind: 'idle' };
      pending = null;
    },
  };
}
