// rtl_wmbus stdout (docs/protocols/wmbus-sticks.md §6), one line per reception:
//   MODE;CRC_OK;3OUTOF6OK;TIMESTAMP;PACKET_RSSI;CURRENT_RSSI;LINK_LAYER_IDENT_NO;0x<datagram>[;0x<datagram>]
// The datagram starts with the L-field and has no DLL CRCs. Only C1/T1/S1 lines with CRC_OK = 1
// are telegrams. PACKET_RSSI is passed on as rssiDbm unchanged, as wmbusmeters does.
import { createLineDecoder, hexToBytes, isPrintableAscii, type Line } from './line-decoder.js';
import type { EncodeOptions, StickCodec, StickEvent, TelegramEvent } from './stick-types.js';

/** Eight fields, 255 data bytes in hex twice (a second datagram may follow), plus slack. */
const MAX_LINE = 2 * (4 + 2 * 256) + 128;
const RECORD_START = /[CTSX]1;[01];/g;
const MODES = new Set(['C1', 'T1', 'S1']);

export interface RtlWmbusLineOptions {
  mode?: 'C1' | 'T1' | 'S1';
  /** `%Y-%m-%d %H:%M:%S.mmm`; the encoder is pure, so the caller supplies the time. */
  timestamp?: string;
  currentRssi?: number;
  ident?: string;
}

type RecordResult = Omit<TelegramEvent, 'kind'>[] | 'rejected-by-receiver' | 'bad-line' | 'bad-hex';

function parseRecord(text: string, offset: number): RecordResult {
  const fields = text.split(';');
  const [mode, crcOk] = fields;
  if (mode === 'X1' || crcOk !== '1') return 'rejected-by-receiver';
  if (fields.length < 8 || mode === undefined || !MODES.has(mode)) return 'bad-line';
  const rssi = Number(fields[4]);
  const telegrams: Omit<TelegramEvent, 'kind'>[] = [];
  let at = offset + fields.slice(0, 7).join(';').length + 1;
  for (const field of fields.slice(7)) {
    if (field.startsWith('0x')) {
      const bytes = hexToBytes(field.slice(2));
      if (bytes === null || bytes.length < 2 || bytes.length > 256) return 'bad-hex';
      // Older rtl_wmbus got L wrong; wmbusmeters trusts the datagram length instead.
      bytes[0] = bytes.length - 1;
      telegrams.push({ telegram: bytes, ...(fields[4] !== '' && Number.isFinite(rssi) ? { rssiDbm: rssi } : {}), offset: at });
    }
    at += field.length + 1;
  }
  return telegrams.length > 0 ? telegrams : 'bad-line';
}

function onLine(line: Line): StickEvent[] {
  const { text } = line;
  // A line cut off by a restart runs into the next record: start from the last record header.
  let start = -1;
  for (const match of text.matchAll(RECORD_START)) start = match.index;
  if (start === -1) {
    return isPrintableAscii(text)
      ? [{ kind: 'response', payload: Buffer.from(text, 'latin1'), text, raw: line.raw, offset: line.offset }]
      : [{ kind: 'garbage', bytes: line.raw.length, reason: 'bad-line', offset: line.offset }];
  }
  const parsed = parseRecord(text.slice(start), line.offset + start);
  if (typeof parsed === 'string') return [{ kind: 'garbage', bytes: line.raw.length, reason: parsed, offset: line.offset }];
  const telegrams = parsed.map((t): StickEvent => ({ kind: 'telegram', ...t }));
  return start > 0 ? [{ kind: 'garbage', bytes: start, reason: 'bad-line', offset: line.offset }, ...telegrams] : telegrams;
}

export function encodeRtlWmbusLine(telegram: Buffer, rssiDbm: number | undefined, line: RtlWmbusLineOptions = {}): Buffer {
  const rssi = rssiDbm === undefined ? '' : String(rssiDbm);
  const fields = [
    line.mode ?? 'C1',
    '1',
    '1',
    line.timestamp ?? '1970-01-01 00:00:00.000',
    rssi,
    line.currentRssi === undefined ? rssi : String(line.currentRssi),
    line.ident ?? '0',
    `0x${telegram.toString('hex')}`,
  ];
  return Buffer.from(`${fields.join(';')}\n`, 'latin1');
}

export function createRtlWmbusCodec(line: RtlWmbusLineOptions = {}): StickCodec {
  return {
    name: 'rtlwmbus',
    // rtl_wmbus is a process, not a serial device; the link reads its stdout.
    baudRate: 0,
    createDecoder: () => createLineDecoder(MAX_LINE, onLine),
    encodeTelegram(telegram: Buffer, opts: EncodeOptions = {}): Buffer {
      if (telegram.length < 2 || telegram[0] !== telegram.length - 1) throw new RangeError('telegram L-field does not match its length');
      return encodeRtlWmbusLine(telegram, opts.rssiDbm, line);
    },
  };
}

export const rtlwmbus: StickCodec = createRtlWmbusCodec();
