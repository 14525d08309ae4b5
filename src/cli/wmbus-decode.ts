import {
  WmbusError, createTelegramPipeline, decodeTelegram,
  type DecodedTelegram, type Fields, type MeterAddress, type TelegramOutcome, type Verification,
} from '../../drivers/wmbus/index.js';
import { MAX_TELEGRAM_BYTES, parseTelegramHex } from '../shared/telegrams/telegram-hex.js';
import { CliFailure } from './cli-context.js';

// `openeks wmbus decode HEX [--key K] [--json]`: one stripped telegram (L-field + telegram without
// DLL CRCs, as sticks and wmbusmeters print them) to its headers and meter fields. No database.
// The values come from the one decode pipeline (drivers/wmbus/pipeline.ts, stateless here: a
// compact frame needs its full frame first); the header lines describe the telegram as it came.

const DEVICE_TYPES: Readonly<Record<number, string>> = {
  0x02: 'electricity', 0x03: 'gas', 0x04: 'heat', 0x06: 'warm water', 0x07: 'water', 0x08: 'heat cost allocator',
  0x0a: 'cooling (outlet)', 0x0b: 'cooling (inlet)', 0x0c: 'heat (inlet)', 0x0d: 'heat / cooling', 0x15: 'hot water',
  0x16: 'cold water', 0x1a: 'smoke detector', 0x1b: 'room sensor',
};

const byte = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;
const describeAddress = (a: MeterAddress) =>
  `${a.manufacturer} ${a.id}, version ${byte(a.version)}, type ${byte(a.deviceType)}${DEVICE_TYPES[a.deviceType] ? ` (${DEVICE_TYPES[a.deviceType]})` : ''}`;

function header(t: DecodedTelegram) {
  const a = t.meterAddress;
  const security = t.ell?.sessionNumber?.encryption === 1 ? 'ELL AES-128-CTR' : t.tpl && t.tpl.securityMode !== 0 ? `mode ${t.tpl.securityMode}` : 'none';
  return {
    manufacturer: a.manufacturer, id: a.id, version: a.version, deviceType: a.deviceType,
    radioAddress: describeAddress(t.radioAddress), meterAddress: describeAddress(a), ci: byte(t.ci), security,
  };
}

/** Hex as the API and the web UI read it (wmbusmeters' `_` and `|` included); `ok` checks the length. */
function parseHex(what: string, s: string, ok: (bytes: number) => boolean, shape: string): Buffer {
  const parsed = parseTelegramHex(s);
  if ('problem' in parsed || !ok(parsed.hex.length / 2)) throw new CliFailure(`${what} must be ${shape}`, 2);
  return Buffer.from(parsed.hex, 'hex');
}

function notATelegram(e: WmbusError): CliFailure {
  return new CliFailure(`not a telegram: ${e.message} (${e.code} at byte ${e.offset})`);
}

type Reading =
  | { driver: string; media: string; verified: Verification; fields: Fields }
  | { status: 'encrypted' }
  | { status: 'needs-full-frame'; signature: string };

function headerOf(bytes: Buffer): DecodedTelegram {
  try {
    return decodeTelegram(bytes, { crc: 'stripped' });
  } catch (e) {
    if (e instanceof WmbusError) throw notATelegram(e);
    throw e;
  }
}

function readingOf(r: TelegramOutcome): Reading {
  switch (r.kind) {
    case 'reading':
      return { driver: r.driver, media: r.media, verified: r.verified, fields: r.fields };
    case 'no-key':
      return { status: 'encrypted' };
    case 'needs-full-frame':
      return { status: 'needs-full-frame', signature: r.signature.toString(16).padStart(4, '0') };
    case 'key-refused':
      throw new CliFailure(`key does not decrypt this telegram${r.reversedKeyFits ? '; the byte-reversed key would' : ''}`);
    case 'bad-telegram':
      if (r.offsetIn === 'application-data') throw new CliFailure(`the records do not decode: ${r.message} (${r.code} at byte ${r.offset} of the application data)`);
      throw notATelegram(new WmbusError(r.code, r.offset, r.message));
  }
}

/** The lines to print for one telegram; failures are CliFailures (1: the telegram or key, 2: usage). */
export function wmbusDecode(input: { telegram: string; key?: string; json?: boolean }): string[] {
  const bytes = parseHex('the telegram', input.telegram, (n) => n <= MAX_TELEGRAM_BYTES, `hex digits, whole bytes (at most ${MAX_TELEGRAM_BYTES})`);
  const key = input.key === undefined ? undefined : parseHex('--key', input.key, (n) => n === 16, '32 hex digits (an AES-128 key)');
  const t = headerOf(bytes);
  const keys = key ? [key] : [];
  const reading = readingOf(createTelegramPipeline().read(bytes, () => keys));
  const h = header(t);
  if (input.json) return [JSON.stringify({ ...h, encrypted: t.encrypted, decrypted: t.encrypted && 'driver' in reading, ...reading })];
  const lines = [
    `meter     ${h.meterAddress}`,
    `radio     ${h.radioAddress === h.meterAddress ? 'the same address' : h.radioAddress}`,
    `security  ${h.security}`,
  ];
  if ('status' in reading && reading.status === 'encrypted') return [...lines, 'encrypted: give --key to decode the values'];
  if ('status' in reading && reading.status === 'needs-full-frame') {
    return [...lines, `compact frame (format ${reading.signature}): its values need a full frame of this meter first`];
  }
  if (!('driver' in reading)) return lines;
  const width = Math.max(0, ...Object.keys(reading.fields).map((k) => k.length));
  return [...lines, `driver    ${reading.driver} (${reading.media}), verified by ${reading.verified}`, ...Object.entries(reading.fields).map(([k, v]) => `  ${k.padEnd(width)}  ${v === null ? 'null' : String(v)}`)];
}
