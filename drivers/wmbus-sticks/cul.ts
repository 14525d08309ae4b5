// CUL / nanoCUL running culfw (docs/protocols/wmbus-sticks.md §5): ASCII lines at 38400 8N1.
//   b<hex frame A with DLL CRCs>[LQI RSSI]\r\n     bY<hex frame B with DLL CRCs>[LQI RSSI]\r\n
// The LQI/RSSI trailer (after X21; absent after X01) is recognised by length, since the L-field
// fixes how many frame bytes there are. RSSI is a signed byte: dBm = raw / 2 − 74 (CC1101).
import { addFormatA, addFormatB, stripFormatA, stripFormatB } from './dll-crc.js';
import { createLineDecoder, hexToBytes, isPrintableAscii, type Line } from './line-decoder.js';
import type { EncodeOptions, GarbageReason, ReceiveMode, StickCodec, StickEvent, TelegramEvent } from './stick-types.js';

/** 'bY' + the longest frame (format A, L = 255: 256 data bytes + 17 CRCs) + trailer, in hex, plus slack. */
const MAX_LINE = 2 + 2 * (256 + 2 * 17 + 2) + 16;

export function culRssiToDbm(raw: number): number {
  return (raw >= 128 ? raw - 256 : raw) / 2 - 74;
}

export function culDbmToRssi(dbm: number): number {
  return Math.max(-128, Math.min(127, Math.round((dbm + 74) * 2))) & 0xff;
}

type Parsed = Omit<TelegramEvent, 'kind' | 'offset'> | GarbageReason;

function frameLength(first: number, format: 'A' | 'B'): number {
  if (format === 'B') return first + 1;
  const data = first + 1;
  return data + 2 * (1 + Math.max(0, Math.ceil((data - 10) / 16)));
}

/** Parses one `b…` line (no line ending). */
function parseTelegramLine(text: string): Parsed {
  const format = text.startsWith('bY') ? 'B' : 'A';
  const bytes = hexToBytes(text.slice(format === 'B' ? 2 : 1));
  if (bytes === null || bytes.length === 0) return 'bad-hex';
  const frameBytes = frameLength(bytes[0] ?? 0, format);
  let rssiDbm: number | undefined;
  let lqi: number | undefined;
  if (bytes.length === frameBytes + 2) {
    lqi = bytes[frameBytes];
    rssiDbm = culRssiToDbm(bytes[frameBytes + 1] ?? 0);
  } else if (bytes.length !== frameBytes) {
    return 'bad-length';
  }
  const frame = bytes.subarray(0, frameBytes);
  const telegram = format === 'A' ? stripFormatA(frame) : stripFormatB(frame);
  if (typeof telegram === 'string') return telegram;
  return {
    telegram,
    frameFormat: format,
    ...(rssiDbm !== undefined ? { rssiDbm } : {}),
    ...(lqi !== undefined ? { stickMeta: Buffer.from([lqi]) } : {}),
  };
}

function onLine(line: Line): StickEvent[] {
  const { text } = line;
  const whole = text.startsWith('b') ? parseTelegramLine(text) : 'bad-line';
  if (typeof whole !== 'string') return [{ kind: 'telegram', ...whole, offset: line.offset }];
  // A frame cut off mid-line runs into the next one: try every later 'b' as a fresh start.
  for (let at = text.indexOf('b', 1); at > 0; at = text.indexOf('b', at + 1)) {
    const rest = parseTelegramLine(text.slice(at));
    if (typeof rest !== 'string') {
      return [
        { kind: 'garbage', bytes: at, reason: 'bad-line', offset: line.offset },
        { kind: 'telegram', ...rest, offset: line.offset + at },
      ];
    }
  }
  if (!text.startsWith('b') && isPrintableAscii(text)) {
    return [{ kind: 'response', payload: Buffer.from(text, 'latin1'), text, raw: line.raw, offset: line.offset }];
  }
  return [{ kind: 'garbage', bytes: line.raw.length, reason: whole, offset: line.offset }];
}

const MODE_COMMAND: Record<ReceiveMode, string> = { c1: 'brc', t1: 'brt', c1t1: 'brc' };
const MODE_REPLY: Record<string, string> = { brc: 'CMODE', brt: 'TMODE', brs: 'SMODE' };

export interface CulOptions {
  version?: string;
}

export function createCulCodec(options: CulOptions = {}): StickCodec {
  const version = options.version ?? 'V 1.67 nanoCUL868';
  return {
    name: 'cul',
    baudRate: 38400,
    createDecoder: () => createLineDecoder(MAX_LINE, onLine),
    encodeTelegram(telegram: Buffer, opts: EncodeOptions = {}): Buffer {
      if (telegram.length < 2 || telegram[0] !== telegram.length - 1) throw new RangeError('telegram L-field does not match its length');
      const format = opts.frameFormat ?? 'A';
      const frame = format === 'A' ? addFormatA(telegram) : addFormatB(telegram);
      const trailer =
        opts.rssiDbm !== undefined ? Buffer.from([opts.stickMeta?.[0] ?? 0x00, culDbmToRssi(opts.rssiDbm)]) : Buffer.alloc(0);
      const hex = Buffer.concat([frame, trailer]).toString('hex').toUpperCase();
      return Buffer.from(`b${format === 'B' ? 'Y' : ''}${hex}\r\n`, 'latin1');
    },
    initSequence(mode: ReceiveMode): Buffer[] {
      // Probe, receive mode (culfw's C mode also hears T1 frames), then report LQI and RSSI.
      return ['V', MODE_COMMAND[mode], 'X21'].map((cmd) => Buffer.from(`${cmd}\r\n`, 'latin1'));
    },
    answer(request: Buffer): Buffer | null {
      const command = request.toString('latin1').trim();
      if (command === 'V') return Buffer.from(`${version}\r\n`, 'latin1');
      const reply = MODE_REPLY[command];
      return reply === undefined ? null : Buffer.from(`${reply}\r\n`, 'latin1');
    },
  };
}

export const cul: StickCodec = createCulCodec();
