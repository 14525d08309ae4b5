// IMST iU891A (and iM891A/iM881A "-XL"), HCI v2 over SLIP (docs/protocols/wmbus-sticks.md §2):
//   C0 | escaped( SAP | MSGID | [STATUS] | PAYLOAD | CRC-16/X-25 LE ) | C0
// Every stick-to-host message has a status byte except RX_MESSAGE_IND (SAP 09, MSGID 20), whose
// payload is 7 bytes of receive metadata, the RSSI as signed dBm, then the telegram with its L-field.
import { crc16X25 } from './crc.js';
import { createFramedDecoder, skip, take, WAIT, type Step } from './framed-decoder.js';
import { SLIP_END, slipEncode, slipUnescape } from './slip.js';
import type { EncodeOptions, GarbageReason, ReceiveMode, StickCodec, StickDecoder, StickEvent } from './stick-types.js';

export const IU891A_SAP = { devmgmt: 0x01, wmbusgw: 0x09 } as const;
export const IU891A_MSG = {
  ping: 0x01,
  getDeviceInfo: 0x03,
  getFwInfo: 0x05,
  getActiveConfiguration: 0x01,
  setActiveConfiguration: 0x03,
  rxMessageInd: 0x20,
} as const;
/** Link-mode byte of SET_ACTIVE_CONFIGURATION (wmbusmeters LINK_MODE_*). */
export const IU891A_LINK_MODE: Record<ReceiveMode, number> = { c1: 0x05, t1: 0x02, c1t1: 0x03 };

const META_LENGTH = 7;
/** Largest unescaped message we wait for: an IND with a 255-byte telegram plus headroom. */
const MAX_MESSAGE = 512;

/** SAP | MSGID | body | CRC, SLIP-framed. `body` includes the status byte where there is one. */
export function encodeIu891aMessage(sap: number, msgId: number, body: Uint8Array): Buffer {
  const msg = Buffer.concat([Buffer.from([sap, msgId]), body]);
  const crc = crc16X25(msg);
  return slipEncode(Buffer.concat([msg, Buffer.from([crc & 0xff, crc >> 8])]));
}

function createIu891aDecoder(): StickDecoder {
  /** Right after an END: what follows is a message body even without an opening END (RFC 1055). */
  let atBoundary = false;
  return createFramedDecoder({
    read(b: Buffer, offset: number): Step {
      if (b[0] === SLIP_END) {
        // Runs of END (the wake-up burst, an opening or closing END) are delimiters, not garbage.
        let run = 1;
        while (b[run] === SLIP_END) run++;
        atBoundary = true;
        return take(run);
      }
      const end = b.indexOf(SLIP_END);
      if (!atBoundary) return skip(end === -1 ? b.length : end, 'no-start');
      if (end === -1) {
        // Escaping at most doubles a message; anything longer can never become a frame.
        if (b.length <= 2 * MAX_MESSAGE) return WAIT;
        atBoundary = false;
        return skip(b.length, 'too-long');
      }
      // The frame's raw bytes and offset include the END that opened it; its closing END is left
      // to open the next one.
      const raw = Buffer.concat([Buffer.from([SLIP_END]), b.subarray(0, end + 1)]);
      const event = parseMessage(b.subarray(0, end), raw, offset - 1);
      return typeof event === 'string' ? skip(end, event) : take(end, event);
    },
    reset(): void {
      atBoundary = false;
    },
  });
}

function parseMessage(body: Buffer, raw: Buffer, offset: number): StickEvent | GarbageReason {
  const msg = slipUnescape(body);
  if (msg === null) return 'bad-escape';
  if (msg.length < 4 || msg.length > MAX_MESSAGE) return 'bad-length';
  const crcAt = msg.length - 2;
  if (crc16X25(msg, 0, crcAt) !== ((msg[crcAt] ?? 0) | ((msg[crcAt + 1] ?? 0) << 8))) return 'bad-crc';
  const sap = msg[0] ?? 0;
  const msgId = msg[1] ?? 0;
  const rest = msg.subarray(2, crcAt);
  if (sap === IU891A_SAP.wmbusgw && msgId === IU891A_MSG.rxMessageInd) {
    const telegram = rest.subarray(META_LENGTH + 1);
    if (telegram.length < 2 || telegram[0] !== telegram.length - 1) return 'bad-length';
    return {
      kind: 'telegram',
      telegram: Buffer.from(telegram),
      rssiDbm: ((rest[META_LENGTH] ?? 0) << 24) >> 24,
      stickMeta: Buffer.from(rest.subarray(0, META_LENGTH)),
      offset,
    };
  }
  return {
    kind: 'response',
    endpoint: sap,
    msgId,
    ...(rest.length > 0 ? { status: rest[0] } : {}),
    payload: Buffer.from(rest.subarray(1)),
    raw,
    offset,
  };
}

/** Host requests carry no status byte: split one complete SLIP frame for the simulator. */
function parseRequest(request: Buffer): { sap: number; msgId: number; payload: Buffer } | null {
  const first = request.indexOf(SLIP_END);
  const last = request.lastIndexOf(SLIP_END);
  if (first === -1 || last <= first) return null;
  const msg = slipUnescape(request.subarray(first + 1, last));
  if (msg === null || msg.length < 4) return null;
  const crcAt = msg.length - 2;
  if (crc16X25(msg, 0, crcAt) !== ((msg[crcAt] ?? 0) | ((msg[crcAt + 1] ?? 0) << 8))) return null;
  return { sap: msg[0] ?? 0, msgId: msg[1] ?? 0, payload: Buffer.from(msg.subarray(2, crcAt)) };
}

export interface Iu891aOptions {
  firmware?: string;
}

export function createIu891aCodec(options: Iu891aOptions = {}): StickCodec {
  const firmware = options.firmware ?? '17.01.2025';
  return {
    name: 'iu891a',
    baudRate: 115200,
    createDecoder: createIu891aDecoder,
    encodeTelegram(telegram: Buffer, opts: EncodeOptions = {}): Buffer {
      if (telegram.length < 2 || telegram[0] !== telegram.length - 1) throw new RangeError('telegram L-field does not match its length');
      const meta = Buffer.alloc(META_LENGTH);
      opts.stickMeta?.copy(meta, 0, 0, META_LENGTH);
      const rssi = Math.max(-128, Math.min(127, Math.round(opts.rssiDbm ?? 0))) & 0xff;
      return encodeIu891aMessage(IU891A_SAP.wmbusgw, IU891A_MSG.rxMessageInd, Buffer.concat([meta, Buffer.from([rssi]), telegram]));
    },
    initSequence(mode: ReceiveMode): Buffer[] {
      // Body per wmbusmeters Config_IU891A::encode: link mode, option bits 0x0006 (receive all,
      // indicate received and sent), UI options, LED timing, recalibration interval.
      const config = Buffer.from([IU891A_LINK_MODE[mode], 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
      return [
        Buffer.alloc(30, SLIP_END),
        encodeIu891aMessage(IU891A_SAP.devmgmt, IU891A_MSG.ping, Buffer.alloc(0)),
        encodeIu891aMessage(IU891A_SAP.devmgmt, IU891A_MSG.getDeviceInfo, Buffer.alloc(0)),
        encodeIu891aMessage(IU891A_SAP.wmbusgw, IU891A_MSG.setActiveConfiguration, config),
      ];
    },
    answer(request: Buffer): Buffer | null {
      const req = parseRequest(request);
      if (req === null || req.msgId % 2 === 0) return null;
      const reply = (body: number[] | Buffer): Buffer =>
        encodeIu891aMessage(req.sap, req.msgId + 1, Buffer.concat([Buffer.from([0x00]), Buffer.from(body)]));
      if (req.sap === IU891A_SAP.devmgmt) {
        switch (req.msgId) {
          case IU891A_MSG.ping:
            return reply([]);
          case IU891A_MSG.getDeviceInfo:
            // module type 0x6E = iU891A-XL, UID LE, then product type/id as the real stick sends
            return reply([0x6e, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00]);
          case IU891A_MSG.getFwInfo:
            return reply(Buffer.concat([Buffer.from([0x09, 0x00, 0xd2, 0x04]), Buffer.from(`${firmware}MockDevice`, 'ascii')]));
          default:
            return reply([]);
        }
      }
      if (req.sap === IU891A_SAP.wmbusgw && req.msgId === IU891A_MSG.getActiveConfiguration) {
        return reply([0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00]);
      }
      return req.sap === IU891A_SAP.wmbusgw ? reply([]) : null;
    },
  };
}

export const iu891a: StickCodec = createIu891aCodec();
