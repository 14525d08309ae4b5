import {
  decodeAare, decodeAarq, decodeActionRequest, decodeActionResponse, decodeDataNotification, decodeExceptionResponse, decodeGetRequest, decodeGetResponse,
  type MethodDescriptor,
} from '../../drivers/dlms/apdu.js';
import type { DlmsData } from '../../drivers/dlms/axdr.js';
import { unprotect, unwrapGeneralGlo, unwrapGlo, type SecurityKeys } from '../../drivers/dlms/cipher.js';
import { isDlmsError, type DlmsError } from '../../drivers/dlms/errors.js';
import { formatObis } from '../../drivers/dlms/obis.js';
import { decodeHdlcFrame, LLC_REQUEST, LLC_RESPONSE, parseHdlcParameters, stripLlc, type HdlcFrame } from '../../drivers/dlms/hdlc.js';
import { createPushReader, meterOfSystemTitle } from '../../drivers/dlms/notification.js';
import type { CosemObject } from '../../drivers/dlms/obis.js';
import type { Fields } from '../../drivers/wmbus/meters/fields.js';
import { CliFailure } from './cli-context.js';
import { dlmsKeys, type KeyOptions } from './dlms-keys.js';

// `openeks dlms decode HEX [--guek K --gak K] [--system-title ST] [--json]`: an HDLC frame (7E … 7E)
// or a bare APDU, as a meter or a client sent it. Ciphered APDUs are verified and decrypted with the
// keys (exit 1 when the tag does not verify, saying so, and nothing of the plaintext printed);
// DataNotifications go through the gateway's push reader (drivers/dlms/notification.ts), so the
// objects and fields are those a gateway would publish. No database, no keys printed.

export interface DlmsDecodeInput extends KeyOptions {
  hex: string;
  systemTitle?: string;
  json?: boolean;
}

const MAX_BYTES = 65_536;
const APDU_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01, 'InitiateRequest'], [0x08, 'InitiateResponse'], [0x0e, 'ConfirmedServiceError'], [0x0f, 'DataNotification'],
  [0x21, 'glo-InitiateRequest'], [0x28, 'glo-InitiateResponse'], [0x60, 'AARQ'], [0x61, 'AARE'], [0x62, 'RLRQ'], [0x63, 'RLRE'],
  [0xc0, 'GET-Request'], [0xc1, 'SET-Request'], [0xc2, 'EventNotification'], [0xc3, 'ACTION-Request'], [0xc4, 'GET-Response'],
  [0xc5, 'SET-Response'], [0xc7, 'ACTION-Response'], [0xc8, 'glo-GET-Request'], [0xc9, 'glo-SET-Request'], [0xca, 'glo-EventNotification'],
  [0xcb, 'glo-ACTION-Request'], [0xcc, 'glo-GET-Response'], [0xcd, 'glo-SET-Response'], [0xcf, 'glo-ACTION-Response'],
  [0xd8, 'ExceptionResponse'], [0xdb, 'general-glo-ciphering'], [0xdc, 'general-ded-ciphering'], [0xe0, 'general-block-transfer'],
]);
const GLO_SERVICE = new Set([0x21, 0x28, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xcf]);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** DlmsData as JSON: octet strings in hex, 64-bit integers as numbers when exact, else text. */
export function dataJson(d: DlmsData): Json {
  switch (d.type) {
    case 'null':
      return null;
    case 'array':
    case 'structure':
      return d.value.map(dataJson);
    case 'octet-string':
    case 'date-time':
    case 'date':
    case 'time':
      return d.value.toString('hex');
    case 'int64':
    case 'uint64':
      return Number.isSafeInteger(Number(d.value)) ? Number(d.value) : d.value.toString();
    default:
      return d.value;
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const tagName = (t: number | undefined): string => APDU_NAMES.get(t ?? -1) ?? `tag ${(t ?? 0).toString(16).padStart(2, '0')}`;

function notDlms(e: DlmsError): CliFailure {
  return new CliFailure(`not a DLMS frame or APDU: ${e.message} (${e.code} at byte ${e.offset} of the ${e.where})`);
}

function tagFailure(): CliFailure {
  return new CliFailure('the tag does not verify: wrong GUEK or GAK, or the bytes were altered (tag-mismatch); nothing was decrypted');
}

function parseInput(input: DlmsDecodeInput): { bytes: Buffer; systemTitle?: Buffer } {
  const text = input.hex.replace(/[\s:_-]/g, '');
  if (!/^[0-9A-Fa-f]+$/.test(text) || text.length % 2 !== 0 || text.length / 2 > MAX_BYTES) throw new CliFailure(`the frame or APDU must be hex digits, whole bytes (at most ${MAX_BYTES})`, 2);
  if (input.systemTitle !== undefined && !/^[0-9A-Fa-f]{16}$/.test(input.systemTitle)) throw new CliFailure('--system-title must be 16 hex digits (8 bytes)', 2);
  return { bytes: Buffer.from(text, 'hex'), ...(input.systemTitle ? { systemTitle: Buffer.from(input.systemTitle, 'hex') } : {}) };
}

function describeFrame(f: HdlcFrame, length: number): Record<string, Json> {
  const c = f.control;
  const control = c.kind === 'I' ? `I N(S)=${c.ns} N(R)=${c.nr}` : c.kind === 'RR' || c.kind === 'RNR' ? `${c.kind} N(R)=${c.nr}` : c.kind;
  const address = (a: HdlcFrame['dest']): string => (a.lower === undefined ? `${a.upper}` : `${a.upper}/${a.lower}`);
  return { control, pf: c.pf, segmented: f.segmented, dest: address(f.dest), src: address(f.src), length };
}

interface Decoded {
  frame?: Record<string, Json>;
  security?: Record<string, Json>;
  apdu?: Record<string, Json>;
  objects?: CosemObject[];
  fields?: Fields;
  note?: string;
}

function describePlain(apdu: Buffer): Record<string, Json> {
  const tag = apdu[0];
  const base: Record<string, Json> = { tag: tagName(tag), length: apdu.length };
  switch (tag) {
    case 0x0f: {
      const n = decodeDataNotification(apdu);
      return { ...base, longInvokeIdAndPriority: n.longInvokeIdAndPriority, dateTime: n.dateTime?.iso ?? (n.dateTime ? 'incomplete' : null), body: dataJson(n.body) };
    }
    case 0x60: {
      const a = decodeAarq(apdu);
      return { ...base, ...plainRecord(a) };
    }
    case 0x61: {
      const a = decodeAare(apdu);
      return { ...base, result: a.result, diagnostic: a.diagnostic, mechanism: String(a.mechanism), ...(a.serverSystemTitle ? { serverSystemTitle: hex(a.serverSystemTitle) } : {}), ...(a.challenge ? { challenge: hex(a.challenge) } : {}), userInformation: hex(a.userInformation) };
    }
    case 0xc0: {
      const r = decodeGetRequest(apdu);
      if (r.kind === 'next') return { ...base, kind: 'next', invokeId: r.invokeId, block: r.block };
      return { ...base, kind: 'normal', invokeId: r.invokeId, classId: r.descriptor.classId, obis: r.obisText, attribute: r.descriptor.attribute };
    }
    case 0xc3: {
      const r = decodeActionRequest(apdu);
      return { ...base, invokeId: r.invokeId, ...method(r.descriptor), ...(r.parameters ? { parameters: dataJson(r.parameters) } : {}) };
    }
    case 0xc7: {
      const r = decodeActionResponse(apdu);
      const returned: Record<string, Json> = r.returned === undefined ? {} : 'accessError' in r.returned ? { accessError: r.returned.accessError } : { returned: dataJson(r.returned) };
      return { ...base, invokeId: r.invokeId, result: r.result, reason: r.reason, ...returned };
    }
    case 0xd8:
      return { ...base, ...plainRecord(decodeExceptionResponse(apdu)) };
    case 0xc4: {
      const r = decodeGetResponse(apdu);
      if (r.kind === 'block') return { ...base, kind: 'block', invokeId: r.invokeId, block: r.block, last: r.last, raw: hex(r.raw) };
      return { ...base, kind: 'normal', invokeId: r.invokeId, ...('accessError' in r.result ? { accessError: r.result.accessError, reason: r.result.reason } : { data: dataJson(r.result) }) };
    }
    default:
      return { ...base, bytes: hex(apdu) };
  }
}

function method(d: MethodDescriptor): Record<string, Json> {
  return { classId: d.classId, obis: formatObis(d.obis), method: d.method };
}

/** A decoder's result as JSON: Buffers in hex, nothing else changed. */
function plainRecord(o: object): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(o)) {
    if (Buffer.isBuffer(v)) out[k] = hex(v);
    else if (v === undefined) continue;
    else if (typeof v === 'object' && v !== null) out[k] = plainRecord(v as object);
    else out[k] = v as Json;
  }
  return out;
}

function open(systemTitle: Buffer, content: Uint8Array, keys: SecurityKeys): { plaintext: Buffer; security: Record<string, Json> } {
  try {
    const { sc, invocationCounter, plaintext } = unprotect({ systemTitle, content, keys });
    const verified = (sc & 0x10) !== 0 ? 'gcm-tag' : 'none (encryption only: not authenticated)';
    return { plaintext, security: { systemTitle: hex(systemTitle), securityControl: sc.toString(16).padStart(2, '0'), invocationCounter, verified } };
  } catch (e) {
    if (isDlmsError(e) && e.code === 'tag-mismatch') throw tagFailure();
    throw e;
  }
}

function decodeApdu(apdu: Buffer, o: { keys: SecurityKeys; systemTitle?: Buffer; whole: Buffer }): Decoded {
  const tag = apdu[0];
  if (tag !== 0xdb && !(tag !== undefined && GLO_SERVICE.has(tag))) return { apdu: describePlain(apdu) };
  const { systemTitle, content } = tag === 0xdb ? unwrapGeneralGlo(apdu) : { systemTitle: o.systemTitle, content: unwrapGlo(apdu).content };
  const meter = systemTitle ? meterOfSystemTitle(systemTitle) : undefined;
  const envelope: Record<string, Json> = { tag: tagName(tag), ...(systemTitle ? { systemTitle: hex(systemTitle) } : {}), ...(meter ? { meter: `${meter.manufacturer} ${meter.serial}` } : {}) };
  if (!systemTitle) return { security: { ...envelope, decrypted: false }, note: `${tagName(tag)} carries no system title: give --system-title (the sender's, from the AARQ or AARE)` };
  if (!o.keys.ek) return { security: { ...envelope, securityControl: (content[0] ?? 0).toString(16).padStart(2, '0'), decrypted: false }, note: 'ciphered: give the GUEK and the GAK to decrypt and verify' };
  const opened = open(systemTitle, content, o.keys);
  const decoded: Decoded = { security: { ...envelope, ...opened.security, decrypted: true }, apdu: describePlain(opened.plaintext) };
  if (opened.plaintext[0] === 0x0f && tag === 0xdb) {
    // The gateway's own reading of the same bytes: objects named, scaled, and the fields it publishes.
    const outcome = createPushReader().read(o.whole, () => o.keys);
    if (outcome.kind === 'reading') return { ...decoded, objects: outcome.objects, fields: outcome.fields };
  }
  return decoded;
}

function decodeAll(bytes: Buffer, keys: SecurityKeys, systemTitle: Buffer | undefined): Decoded {
  if (bytes[0] !== 0x7e) {
    const decoded = decodeApdu(bytes, { keys, systemTitle, whole: bytes });
    if (bytes[0] === 0x0f) {
      const outcome = createPushReader().read(bytes, () => undefined);
      if (outcome.kind === 'reading') return { ...decoded, objects: outcome.objects, fields: outcome.fields };
    }
    return decoded;
  }
  const frame = decodeHdlcFrame(bytes);
  const described = describeFrame(frame, bytes.length);
  if (frame.info.length === 0) return { frame: described };
  if (frame.control.kind === 'SNRM' || frame.control.kind === 'UA') return { frame: { ...described, parameters: plainRecord(parseHdlcParameters(frame.info)) } };
  const apdu = stripLlc(frame.info, LLC_RESPONSE) ?? stripLlc(frame.info, LLC_REQUEST);
  if (!apdu) return { frame: described, note: 'the information field has no LLC header (E6 E6 00 / E6 E7 00): a segment of a longer APDU' };
  const decoded = { frame: described, ...decodeApdu(apdu, { keys, systemTitle, whole: bytes }) };
  if (apdu[0] === 0x0f) {
    const outcome = createPushReader().read(bytes, () => undefined);
    if (outcome.kind === 'reading') return { ...decoded, objects: outcome.objects, fields: outcome.fields };
  }
  return decoded;
}

function lines(d: Decoded): string[] {
  const out: string[] = [];
  const kv = (r: Record<string, Json>): string => Object.entries(r).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
  if (d.frame) out.push(`frame     ${kv(d.frame)}`);
  if (d.security) out.push(`security  ${kv(d.security)}`);
  if (d.apdu) out.push(`apdu      ${kv(d.apdu)}`);
  if (d.note) out.push(d.note);
  for (const o of d.objects ?? []) out.push(`  ${o.obis}  ${String(o.value)}${o.unit ? ` ${o.unit}` : ''}${o.name ? `  (${o.name})` : ''}`);
  if (d.fields) {
    const width = Math.max(0, ...Object.keys(d.fields).map((k) => k.length));
    out.push('fields', ...Object.entries(d.fields).map(([k, v]) => `  ${k.padEnd(width)}  ${v === null ? 'null' : String(v)}`));
  }
  return out;
}

/** The lines to print; failures are CliFailures (1: the bytes or the keys, 2: usage). */
export function dlmsDecode(input: DlmsDecodeInput, env: NodeJS.ProcessEnv): string[] {
  const { bytes, systemTitle } = parseInput(input);
  const keys = dlmsKeys(input, env);
  let decoded: Decoded;
  try {
    decoded = decodeAll(bytes, keys, systemTitle);
  } catch (e) {
    if (isDlmsError(e)) throw e.code === 'tag-mismatch' ? tagFailure() : notDlms(e);
    throw e;
  }
  return input.json ? [JSON.stringify(decoded)] : lines(decoded);
}
