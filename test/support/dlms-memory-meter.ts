import { randomBytes } from 'node:crypto';
import {
  decodeAarq, decodeActionRequest, decodeGetRequest, encodeAare, encodeActionResponseNormal, encodeGetResponseBlock, encodeGetResponseNormal,
  encodeInitiateResponse, encodeRlre,
} from '../../drivers/dlms/apdu.js';
import { encodeData, type DlmsData } from '../../drivers/dlms/axdr.js';
import { hlsGmac, protect, unprotect, unwrapGeneralGlo, unwrapGlo, wrapGeneralGlo, wrapGlo, type SecurityKeys } from '../../drivers/dlms/cipher.js';
import { isDlmsError } from '../../drivers/dlms/errors.js';
import { decodeHdlcFrame, type HdlcFrame } from '../../drivers/dlms/hdlc.js';
import { createHdlcServer } from '../../drivers/dlms/hdlc-link.js';
import { formatObis } from '../../drivers/dlms/obis.js';

// A DLMS meter in memory for the client's tests, built from the drivers' server side (the HDLC
// server state, the APDU encoders, the cipher): frames in, frames out. Only what the tests need —
// and a few ways to misbehave (a replayed counter, a forged f(CtoS)). Test code only: the simulated
// meter of the bench is simulators/dlms/omnipower.ts.

export interface MemoryMeterOptions {
  systemTitle: Buffer;
  keys: SecurityKeys;
  authentication: 'none' | 'lls' | 'hls-gmac';
  password?: Buffer;
  security: 'none' | 'authenticated-encrypted';
  /** '1-0:1.8.0.255' → class and attributes. */
  objects: Map<string, { classId: number; attributes: Map<number, DlmsData> }>;
  /** GET answers whose Data is longer than this go in blocks of this size (default: never). */
  blockSize?: number;
  maxInfo?: number;
  /** Misbehaviour: every ciphered answer after the AARE reuses the AARE's invocation counter. */
  replayCounter?: boolean;
  /** Misbehaviour: GET-Request-Next for this block is answered long-get-aborted (15). */
  abortBlockAt?: number;
  /** Misbehaviour: f(CtoS) computed with another key, as a meter without our GAK would. */
  forgeFCtoS?: boolean;
}

const SC = 0x30;
const GLO_RESPONSE: ReadonlyMap<number, number> = new Map([[0xc4, 0xcc], [0xc7, 0xcf], [0x08, 0x28]]);
const DECIPHERING_ERROR = Buffer.from('0e010006', 'hex');

export function createMemoryMeter(o: MemoryMeterOptions) {
  const hdlc = createHdlcServer({ serverUpper: 1, serverLower: 17, maxInfo: o.maxInfo ?? 128 });
  let counter = 1000;
  let clientTitle: Buffer | undefined;
  let stoc: Buffer | undefined;
  let ctos: Buffer | undefined;
  let authenticated = false;
  let pendingBlocks: { invokeId: number; parts: Buffer[]; next: number } | undefined;
  let aareCounter = 0;
  const apdus: Buffer[] = [];

  const nextCounter = (): number => (o.replayCounter && aareCounter ? aareCounter : ++counter);

  // Answers in the form the request came in: glo (CC, CF) or general-glo (DB).
  let general = false;
  const seal = (apdu: Buffer): Buffer => {
    if (o.security === 'none') return apdu;
    const content = protect({ sc: SC, systemTitle: o.systemTitle, invocationCounter: nextCounter(), keys: o.keys, plaintext: apdu });
    return general && apdu[0] !== 0x08 ? wrapGeneralGlo(o.systemTitle, content) : wrapGlo(GLO_RESPONSE.get(apdu[0] ?? -1) ?? 0xcc, content);
  };

  const open = (apdu: Buffer): Buffer => {
    if (o.security === 'none') return apdu;
    general = apdu[0] === 0xdb;
    const { content } = general ? unwrapGeneralGlo(apdu) : unwrapGlo(apdu);
    return unprotect({ systemTitle: clientTitle ?? Buffer.alloc(8), content, keys: o.keys }).plaintext;
  };

  function associate(apdu: Buffer): Buffer {
    const aarq = decodeAarq(apdu);
    clientTitle = aarq.clientSystemTitle;
    authenticated = false;
    const reject = (diagnostic: number, user?: Buffer) =>
      encodeAare({ result: 1, diagnostic, mechanism: aarq.mechanism, initiateResponse: user ?? encodeInitiateResponse({ maxPdu: 0x400, conformance: 0x1e1d }) });
    if (aarq.mechanism !== o.authentication) return reject(11); // authentication-mechanism-name not recognised
    try {
      open(aarq.userInformation);
    } catch (e) {
      if (isDlmsError(e) && e.code === 'tag-mismatch') return reject(1, DECIPHERING_ERROR);
      throw e;
    }
    if (o.authentication === 'lls' && !aarq.authenticationValue?.equals(o.password ?? Buffer.alloc(0))) return reject(13);
    if (o.authentication === 'hls-gmac') {
      ctos = aarq.authenticationValue;
      stoc = randomBytes(16);
    } else authenticated = true;
    const initiate = encodeInitiateResponse({ maxPdu: 0x400, conformance: 0x1e1d });
    const user = seal(initiate);
    aareCounter = counter;
    return encodeAare({
      result: 0, diagnostic: o.authentication === 'hls-gmac' ? 14 : 0, mechanism: aarq.mechanism, ciphered: o.security !== 'none',
      serverSystemTitle: o.systemTitle, ...(stoc && o.authentication === 'hls-gmac' ? { challenge: stoc } : {}), initiateResponse: user,
    });
  }

  function action(apdu: Buffer): Buffer {
    const req = decodeActionRequest(apdu);
    const param = req.parameters;
    const title = clientTitle ?? Buffer.alloc(8);
    const ok = param?.type === 'octet-string' && param.value.length === 17 && stoc !== undefined && o.keys.ak && o.keys.ek
      && hlsGmac({ systemTitle: title, invocationCounter: param.value.readUInt32BE(1), ak: o.keys.ak, ek: o.keys.ek, challenge: stoc }).equals(param.value);
    if (!ok || !ctos || !o.keys.ak || !o.keys.ek) return encodeActionResponseNormal(req.invokeId, 250);
    authenticated = true;
    const ak = o.forgeFCtoS ? Buffer.alloc(16, 0x55) : o.keys.ak;
    const reply = hlsGmac({ systemTitle: o.systemTitle, invocationCounter: ++counter, ak, ek: o.keys.ek, challenge: ctos });
    return encodeActionResponseNormal(req.invokeId, 0, { type: 'octet-string', value: reply });
  }

  function get(apdu: Buffer): Buffer {
    const req = decodeGetRequest(apdu);
    if (req.kind === 'next') {
      const p = pendingBlocks;
      if (!p || req.block !== p.next - 1) return encodeGetResponseNormal(req.invokeId, { accessError: 16 });
      if (o.abortBlockAt === p.next) return encodeGetResponseNormal(req.invokeId, { accessError: 15 });
      const raw = p.parts[p.next - 1] ?? Buffer.alloc(0);
      const last = p.next === p.parts.length;
      p.next += 1;
      if (last) pendingBlocks = undefined;
      return encodeGetResponseBlock(req.invokeId, { last, block: p.next - 1, raw });
    }
    if (!authenticated) return encodeGetResponseNormal(req.invokeId, { accessError: 3 });
    const object = o.objects.get(formatObis(req.descriptor.obis));
    if (!object) return encodeGetResponseNormal(req.invokeId, { accessError: 4 });
    if (object.classId !== req.descriptor.classId) return encodeGetResponseNormal(req.invokeId, { accessError: 9 });
    const value = object.attributes.get(req.descriptor.attribute);
    if (!value) return encodeGetResponseNormal(req.invokeId, { accessError: 4 });
    const bytes = encodeData(value);
    if (o.blockSize === undefined || bytes.length <= o.blockSize) return encodeGetResponseNormal(req.invokeId, value);
    const parts: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += o.blockSize) parts.push(bytes.subarray(at, at + o.blockSize));
    pendingBlocks = { invokeId: req.invokeId, parts, next: 2 };
    return encodeGetResponseBlock(req.invokeId, { last: parts.length === 1, block: 1, raw: parts[0] ?? Buffer.alloc(0) });
  }

  function handle(apdu: Buffer): Buffer {
    apdus.push(apdu);
    if (apdu[0] === 0x60) return associate(apdu);
    if (apdu[0] === 0x62) return encodeRlre({ reason: 0 });
    const plain = open(apdu);
    if (plain[0] === 0xc3) return seal(action(plain));
    if (plain[0] === 0xc0) return seal(get(plain));
    throw new Error(`the memory meter does not answer tag ${(plain[0] ?? 0).toString(16)}`);
  }

  return {
    /** The APDUs received, as they came (ciphered ones ciphered). */
    apdus,
    /** One frame from the client → the frame to send back (none for a frame that wants none). */
    answer(f: HdlcFrame): Buffer | undefined {
      const r = hdlc.receive(f);
      if (r.reply) return r.reply;
      if (r.apdu) return hdlc.send(handle(r.apdu))[0];
      return undefined;
    },
    /** The client's exchange, without a link. */
    async exchange(frame: Buffer): Promise<HdlcFrame> {
      const reply = this.answer(decodeHdlcFrame(frame));
      if (!reply) throw new Error('the memory meter did not answer');
      return decodeHdlcFrame(reply);
    },
  };
}
