import { DlmsError } from './errors.js';
import { InvocationCounters, protect, unprotect, unwrapGeneralGlo, unwrapGlo, wrapGeneralGlo, wrapGlo, type SecurityKeys } from './cipher.js';

// The ciphering side of one client association (security suite 0): our own invocation counter,
// counting up from where the caller says it starts, and the server's, checked against the shared
// InvocationCounters so a replayed answer is refused. Plain APDUs pass through untouched when the
// association is not ciphered.

/** Security control byte: suite 0, authenticated and encrypted. */
export const SC_AUTHENTICATED_ENCRYPTED = 0x30;
const MAX_INVOCATION_COUNTER = 0xffffffff;

// The service-specific glo tags of the requests we send and the responses we accept.
const GLO_OF: ReadonlyMap<number, number> = new Map([
  [0xc0, 0xc8], // GET request → glo-GET request
  [0xc1, 0xc9], // SET request
  [0xc3, 0xcb], // ACTION request
  [0x01, 0x21], // InitiateRequest → glo-InitiateRequest
]);
const PLAIN_OF: ReadonlyMap<number, number> = new Map([
  [0xcc, 0xc4], // glo-GET response → GET response
  [0xcd, 0xc5], // glo-SET response
  [0xcf, 0xc7], // glo-ACTION response
  [0x28, 0x08], // glo-InitiateResponse → InitiateResponse
]);
const GENERAL_GLO = 0xdb;

export interface ClientCipher {
  readonly ciphered: boolean;
  readonly clientSystemTitle: Buffer | undefined;
  /** Our invocation counter for the next protected APDU. */
  nextCounter(): number;
  /** The server's system title from the AARE, needed before any answer can be unprotected. */
  setServerSystemTitle(st: Buffer): void;
  serverSystemTitle(): Buffer | undefined;
  /** A plain request APDU → the glo APDU on the wire (unchanged when not ciphered). */
  wrap(apdu: Buffer): Buffer;
  /** An answer on the wire → the plain APDU: tag verified, counter above the last one accepted. */
  unwrap(apdu: Buffer): Buffer;
}

export function createClientCipher(o: {
  security: 'none' | 'authenticated-encrypted';
  keys?: SecurityKeys;
  clientSystemTitle?: Buffer;
  counters?: InvocationCounters;
  invocationCounter?: number;
  protection?: 'service-specific' | 'general-glo';
}): ClientCipher {
  const ciphered = o.security === 'authenticated-encrypted';
  const keys = o.keys ?? {};
  const counters = o.counters ?? new InvocationCounters();
  let ownCounter = o.invocationCounter ?? 1;
  let serverTitle: Buffer | undefined;
  if (!Number.isInteger(ownCounter) || ownCounter < 0 || ownCounter > MAX_INVOCATION_COUNTER) {
    throw new DlmsError('bad-value', 0, 'the invocation counter must be an integer from 0 to 4294967295');
  }
  if (ciphered) {
    if (o.clientSystemTitle?.length !== 8) throw new DlmsError('bad-value', 0, 'a ciphered association needs the client system title (8 bytes)');
    if (keys.ek?.length !== 16 || keys.ak?.length !== 16) throw new DlmsError('no-key', 0, 'a ciphered association needs the GUEK and the GAK (16 bytes each)');
  }

  const nextCounter = (): number => {
    if (ownCounter > MAX_INVOCATION_COUNTER) throw new DlmsError('bad-value', 0, 'our invocation counter is exhausted: the keys must be changed');
    return ownCounter++;
  };

  const needServerTitle = (): Buffer => {
    if (!serverTitle) throw new DlmsError('protocol', 0, 'a ciphered answer before the AARE named the server system title');
    return serverTitle;
  };

  const open = (systemTitle: Buffer, content: Uint8Array): Buffer => {
    const { sc, invocationCounter, plaintext } = unprotect({ systemTitle, content, keys });
    if ((sc & 0x30) !== 0x30) throw new DlmsError('protocol', 0, `the server answered with security control ${sc.toString(16).padStart(2, '0')}, not authenticated and encrypted`);
    counters.accept(systemTitle.toString('hex'), invocationCounter);
    return plaintext;
  };

  return {
    ciphered,
    clientSystemTitle: o.clientSystemTitle,
    nextCounter,
    setServerSystemTitle(st) {
      if (st.length !== 8) throw new DlmsError('bad-value', 0, `the server system title has ${st.length} bytes, not 8`);
      serverTitle = Buffer.from(st);
    },
    serverSystemTitle: () => serverTitle,
    wrap(apdu) {
      if (!ciphered) return apdu;
      const glo = GLO_OF.get(apdu[0] ?? -1);
      if (glo === undefined) throw new DlmsError('unsupported', 0, `no glo form for APDU tag ${(apdu[0] ?? 0).toString(16)}`);
      const title = o.clientSystemTitle ?? Buffer.alloc(8);
      const content = protect({ sc: SC_AUTHENTICATED_ENCRYPTED, systemTitle: title, invocationCounter: nextCounter(), keys, plaintext: apdu });
      // The InitiateRequest of the AARQ is always glo-InitiateRequest (21); services may go general-glo (DB).
      return o.protection === 'general-glo' && apdu[0] !== 0x01 ? wrapGeneralGlo(title, content) : wrapGlo(glo, content);
    },
    unwrap(apdu) {
      const tag = apdu[0];
      if (tag === GENERAL_GLO) {
        const { systemTitle, content } = unwrapGeneralGlo(apdu);
        if (serverTitle && !systemTitle.equals(serverTitle)) throw new DlmsError('protocol', 2, 'a general-glo-ciphering answer from another system title');
        return open(systemTitle, content);
      }
      if (tag !== undefined && PLAIN_OF.has(tag)) {
        const { content } = unwrapGlo(apdu);
        return open(needServerTitle(), content);
      }
      // A ciphered association accepts plain answers only where the standard allows them: an
      // exception or a refusal. Everything carrying values must be protected.
      if (ciphered && tag !== 0xd8 && tag !== 0x0e && tag !== 0x61 && tag !== 0x63) {
        throw new DlmsError('protocol', 0, `a plain APDU (tag ${(tag ?? 0).toString(16)}) in a ciphered association`);
      }
      return apdu;
    },
  };
}
