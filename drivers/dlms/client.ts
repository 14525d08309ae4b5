import { randomBytes } from 'node:crypto';
import { DlmsAccessRefused } from './access-refused.js';
import {
  REPLY_TO_HLS, decodeAare, decodeActionResponse, decodeExceptionResponse, decodeGetResponse, decodeInitiateResponse, decodeRlre,
  encodeAarq, encodeActionRequestNormal, encodeGetRequestNext, encodeGetRequestNormal, encodeInitiateRequest, encodeRlrq,
  type AttributeDescriptor, type Authentication,
} from './apdu.js';
import { decodeData, decodeDateTime, type CosemDateTime, type DlmsData } from './axdr.js';
import { hlsGmac, type InvocationCounters, type SecurityKeys } from './cipher.js';
import { createClientCipher } from './client-security.js';
import { readRegisterObjects, type RegisterObject } from './client-registers.js';
import { DlmsError } from './errors.js';
import type { HdlcFrame } from './hdlc.js';
import { createHdlcClient } from './hdlc-link.js';
import { parseObis } from './obis.js';
import type { Fields } from '../wmbus/meters/fields.js';

// The DLMS/COSEM client: association (no security, LLS, HLS-GMAC), suite 0 ciphered services,
// GET normal and with blocks, registers and the clock, release. Pure: every byte goes out and comes
// back through the injected `exchange` (the link owns the port, the timeouts and the retries), so
// the whole client is tested with bytes alone. README.md "## The client".

export interface DlmsClientOptions {
  client: number;
  serverUpper: number;
  serverLower?: number;
  authentication: 'none' | 'lls' | 'hls-gmac';
  password?: Buffer;
  keys?: SecurityKeys;
  clientSystemTitle?: Buffer;
  security: 'none' | 'authenticated-encrypted';
  /** How ciphered service requests go: glo-GET/ACTION (C8, CB; default) or general-glo-ciphering (DB, with our system title). */
  protection?: 'service-specific' | 'general-glo';
  /** The server's counters already accepted (shared across sessions to refuse a replay). */
  counters?: InvocationCounters;
  /** Our first invocation counter (default 1); a real meter refuses one it has already seen. */
  invocationCounter?: number;
  /** The CtoS challenge (tests); a fresh random 16 bytes otherwise. */
  challenge?: Buffer;
  /** Largest HDLC information field we accept (default 128, what most meters start with). */
  maxInfo?: number;
}

export type Exchange = (frame: Buffer) => Promise<HdlcFrame>;

export interface DlmsClient {
  connect(): Promise<{ serverSystemTitle?: Buffer }>;
  get(d: AttributeDescriptor): Promise<DlmsData>;
  readRegisters(obis: string[]): Promise<{ objects: RegisterObject[]; fields: Fields }>;
  readClock(): Promise<CosemDateTime>;
  /** RLRQ when associated, then DISC when the HDLC link is up (also after a failed connect); else nothing. */
  release(): Promise<void>;
  /** Whether an association is open (connect() done, release() not yet). */
  readonly associated: boolean;
}

export type { RegisterObject };

const CLOCK = { classId: 8, obis: parseObis('0-0:1.0.0.255'), attribute: 2 };
const CONFORMANCE = 0x001e1d; // get, set, action, selective access, block transfer with get
const AARE_AUTHENTICATION_REQUIRED = 14;
const EXCEPTION_RESPONSE = 0xd8;
const INVOCATION_COUNTER_ERROR = 9;
const MAX_SEGMENTS = 4096; // an answer of 4096 HDLC segments is no answer a meter gives
const MAX_BLOCKS = 4096;
const MAX_BLOCK_BYTES = 1 << 20;
// A meter that refuses our invocation counter often says deciphering-error as well: name both causes.
const DECIPHERING_MESSAGE = 'the meter could not verify our request: wrong GUEK or GAK, or our invocation counter is not above the last it accepted';
const SERVICE_DECIPHERING_ERROR = Buffer.from('0e010006', 'hex'); // ConfirmedServiceError initiate / application-reference / deciphering-error

export function createDlmsClient(o: DlmsClientOptions, exchange: Exchange): DlmsClient {
  if (o.authentication === 'lls' && !o.password?.length) throw new DlmsError('bad-value', 0, 'LLS needs a password');
  if (o.authentication === 'hls-gmac' && (o.keys?.ak?.length !== 16 || o.keys.ek?.length !== 16)) throw new DlmsError('no-key', 0, 'HLS-GMAC needs the GUEK and the GAK (16 bytes each)');
  if (o.authentication === 'hls-gmac' && o.clientSystemTitle?.length !== 8) throw new DlmsError('bad-value', 0, 'HLS-GMAC needs the client system title (8 bytes)');
  const cipher = createClientCipher(o);
  const hdlc = createHdlcClient({ client: o.client, serverUpper: o.serverUpper, serverLower: o.serverLower, maxInfo: o.maxInfo });
  let associated = false;
  let invokeId = 0;

  const refusedFrame = (f: HdlcFrame): DlmsError | null =>
    f.control.kind === 'DM' || f.control.kind === 'FRMR' ? new DlmsError('refused', 0, `the meter answered ${f.control.kind}`, 'frame') : null;

  /** One APDU out (segmented as the link needs) and the reassembled answer back. */
  async function transact(apdu: Buffer): Promise<Buffer> {
    const frames = hdlc.send(apdu);
    let reply: HdlcFrame | undefined;
    for (const [i, frame] of frames.entries()) {
      reply = await exchange(frame);
      const refused = refusedFrame(reply);
      if (refused) throw refused;
      if (i < frames.length - 1) {
        const r = hdlc.receive(reply);
        if (r.apdu) throw new DlmsError('protocol', 0, 'an answer before the request was complete', 'frame');
      }
    }
    for (let segments = 0; reply && segments < MAX_SEGMENTS; segments++) {
      const refused = refusedFrame(reply);
      if (refused) throw refused;
      const r = hdlc.receive(reply);
      if (r.apdu) return r.apdu;
      if (!r.reply) throw new DlmsError('protocol', 0, `a ${reply.control.kind} frame where an answer was expected`, 'frame');
      reply = await exchange(r.reply);
    }
    throw new DlmsError('protocol', 0, `an answer of more than ${MAX_SEGMENTS} segments`, 'frame');
  }

  async function service(apdu: Buffer): Promise<Buffer> {
    const answer = cipher.unwrap(await transact(cipher.wrap(apdu)));
    if (answer[0] === EXCEPTION_RESPONSE) {
      const x = decodeExceptionResponse(answer);
      const why = x.serviceError === INVOCATION_COUNTER_ERROR ? `our invocation counter is too low (the meter expects at least ${x.invocationCounter ?? '?'})` : `state-error ${x.stateError}, service-error ${x.serviceError}`;
      throw new DlmsError('refused', 1, `the meter answered with an ExceptionResponse: ${why}`);
    }
    return answer;
  }

  const nextInvokeId = (): number => {
    invokeId = (invokeId + 1) & 0x0f;
    return 0xc0 | invokeId; // high priority, confirmed
  };

  const needAssociation = (): void => {
    if (!associated) throw new DlmsError('protocol', 0, 'no association: call connect() first');
  };

  function checkInvokeId(sent: number, got: number): void {
    if ((got & 0x0f) !== (sent & 0x0f)) throw new DlmsError('protocol', 2, `an answer to invoke id ${got & 0x0f}, asked ${sent & 0x0f}`);
  }

  function initiateResponseOf(userInformation: Buffer): void {
    const plain = cipher.unwrap(userInformation);
    if (plain.subarray(0, 4).equals(SERVICE_DECIPHERING_ERROR)) throw new DlmsError('tag-mismatch', 0, DECIPHERING_MESSAGE);
    if (plain[0] === 0x0e) throw new DlmsError('refused', 0, `the meter refused the InitiateRequest (${plain.subarray(0, 4).toString('hex')})`);
    decodeInitiateResponse(plain);
  }

  async function associate(challenge: Buffer | undefined): Promise<Buffer | undefined> {
    const authentication: Authentication =
      o.authentication === 'lls' ? { mechanism: 'lls', password: o.password ?? Buffer.alloc(0) }
        : o.authentication === 'hls-gmac' ? { mechanism: 'hls-gmac', clientSystemTitle: o.clientSystemTitle ?? Buffer.alloc(8), challenge: challenge ?? Buffer.alloc(0) }
          : { mechanism: 'none' };
    const initiateRequest = cipher.wrap(encodeInitiateRequest({ maxPdu: 0xffff, conformance: CONFORMANCE }));
    const aarq = encodeAarq({ authentication, ciphered: cipher.ciphered, maxPdu: 0xffff, conformance: CONFORMANCE, clientSystemTitle: o.clientSystemTitle, initiateRequest });
    const aare = decodeAare(await transact(aarq));
    if (aare.result !== 0) {
      if (aare.userInformation.length > 0 && aare.userInformation.subarray(0, 4).equals(SERVICE_DECIPHERING_ERROR)) {
        throw new DlmsError('tag-mismatch', 0, DECIPHERING_MESSAGE);
      }
      throw new DlmsError('refused', 0, `the meter refused the association (result ${aare.result}, diagnostic ${aare.diagnostic})`);
    }
    if (aare.serverSystemTitle) cipher.setServerSystemTitle(aare.serverSystemTitle);
    else if (cipher.ciphered || o.authentication === 'hls-gmac') throw new DlmsError('protocol', 0, 'the AARE names no server system title');
    initiateResponseOf(aare.userInformation);
    if (o.authentication === 'hls-gmac') {
      if (aare.diagnostic !== AARE_AUTHENTICATION_REQUIRED) throw new DlmsError('protocol', 0, `HLS-GMAC: the AARE says diagnostic ${aare.diagnostic}, not "authentication required"`);
      if (!aare.challenge?.length) throw new DlmsError('protocol', 0, 'HLS-GMAC: the AARE carries no StoC challenge');
      return aare.challenge;
    }
    return undefined;
  }

  /** Pass 3 and 4 of HLS-GMAC: our f(StoC), then the meter's f(CtoS), which must verify. */
  async function authenticate(stoc: Buffer, ctos: Buffer): Promise<void> {
    const keys = { ak: o.keys?.ak ?? Buffer.alloc(16), ek: o.keys?.ek ?? Buffer.alloc(16) };
    const fStoC = hlsGmac({ systemTitle: o.clientSystemTitle ?? Buffer.alloc(8), invocationCounter: cipher.nextCounter(), ...keys, challenge: stoc });
    const id = nextInvokeId();
    const answer = decodeActionResponse(await service(encodeActionRequestNormal(id, REPLY_TO_HLS, { type: 'octet-string', value: fStoC })));
    checkInvokeId(id, answer.invokeId);
    if (answer.result !== 0) throw new DlmsError('tag-mismatch', 0, `the meter did not accept our HLS-GMAC reply (action result ${answer.result}): wrong GAK or GUEK`);
    const data = answer.returned;
    if (!data || 'accessError' in data || data.type !== 'octet-string' || data.value.length !== 17) {
      throw new DlmsError('protocol', 0, "HLS-GMAC: the meter's f(CtoS) is missing or not SC ‖ IC ‖ tag (17 bytes)");
    }
    const serverTitle = cipher.serverSystemTitle() ?? Buffer.alloc(8);
    const ic = data.value.readUInt32BE(1);
    const expected = hlsGmac({ systemTitle: serverTitle, invocationCounter: ic, ...keys, challenge: ctos });
    // No counter check here: the tag covers our fresh CtoS, so an old f(CtoS) can never verify.
    if (!expected.equals(data.value)) throw new DlmsError('tag-mismatch', 5, "the meter's f(CtoS) does not verify: wrong GAK, or not the meter it claims to be");
  }

  async function get(d: AttributeDescriptor): Promise<DlmsData> {
    needAssociation();
    const id = nextInvokeId();
    let answer = decodeGetResponse(await service(encodeGetRequestNormal(id, d)));
    checkInvokeId(id, answer.invokeId);
    if (answer.kind === 'normal') return resultOf(answer.result);
    const parts: Buffer[] = [];
    let total = 0;
    for (let expected = 1; expected <= MAX_BLOCKS; expected++) {
      if (answer.kind !== 'block') {
        // A block answered with a data-access-result comes as a normal answer carrying it.
        resultOf(answer.result);
        throw new DlmsError('protocol', 0, 'a normal GET answer in the middle of a block transfer');
      }
      if (answer.block !== expected) throw new DlmsError('protocol', 4, `block ${answer.block} where block ${expected} was due`);
      parts.push(answer.raw);
      total += answer.raw.length;
      if (total > MAX_BLOCK_BYTES) throw new DlmsError('bad-length', 0, `a block transfer longer than ${MAX_BLOCK_BYTES} bytes`);
      if (answer.last) {
        const whole = Buffer.concat(parts);
        const { data, end } = decodeData(whole);
        if (end !== whole.length) throw new DlmsError('bad-length', end, `${whole.length - end} bytes after the data of a block transfer`);
        return data;
      }
      answer = decodeGetResponse(await service(encodeGetRequestNext(id, answer.block)));
      checkInvokeId(id, answer.invokeId);
    }
    throw new DlmsError('protocol', 0, `a block transfer of more than ${MAX_BLOCKS} blocks`);
  }

  return {
    get associated() {
      return associated;
    },
    async connect() {
      if (associated) throw new DlmsError('protocol', 0, 'already associated');
      const ua = await exchange(hdlc.snrm());
      const refused = refusedFrame(ua);
      if (refused) throw refused;
      hdlc.acceptUa(ua);
      const ctos = o.authentication === 'hls-gmac' ? (o.challenge ?? randomBytes(16)) : undefined;
      const stoc = await associate(ctos);
      associated = true;
      try {
        if (stoc && ctos) await authenticate(stoc, ctos);
      } catch (e) {
        associated = false;
        throw e;
      }
      const st = cipher.serverSystemTitle();
      return st ? { serverSystemTitle: Buffer.from(st) } : {};
    },
    get,
    async readRegisters(obis) {
      needAssociation();
      return readRegisterObjects(obis, get);
    },
    async readClock() {
      const data = await get(CLOCK);
      if (data.type !== 'octet-string' || data.value.length !== 12) throw new DlmsError('bad-value', 0, 'the clock is not a 12-byte date-time');
      return decodeDateTime(data.value);
    },
    async release() {
      if (associated) {
        associated = false;
        decodeRlre(await transact(encodeRlrq({ reason: 0 })));
      }
      // Also after a failed association: the meter's HDLC link is up until DISC (or its timeout).
      if (hdlc.state !== 'connected') return;
      const end = await exchange(hdlc.disc());
      if (end.control.kind !== 'UA' && end.control.kind !== 'DM') throw new DlmsError('protocol', 0, `a ${end.control.kind} frame answering DISC`, 'frame');
    },
  };
}

function resultOf(result: DlmsData | { accessError: number }): DlmsData {
  if ('accessError' in result) throw new DlmsAccessRefused(result.accessError, 4, 'GET');
  return result;
}
