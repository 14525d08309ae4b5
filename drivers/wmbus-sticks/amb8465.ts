// Amber / Würth AMB8465 (also AMB3665, AMB8336), command mode (docs/protocols/wmbus-sticks.md §3):
//   FF | CMD | LEN | PAYLOAD[LEN] | CS      CS = XOR of every preceding byte, FF included.
// A received telegram is DATA_IND (0x03): the telegram without its L-field, then (RSSI_Enable = 1)
// one RSSI byte, which LEN counts. Responses are the request's CMD | 0x80.
import { xorChecksum } from './crc.js';
import { createFramedDecoder, startByteFraming } from './framed-decoder.js';
import type { EncodeOptions, ReceiveMode, StickCodec, StickDecoder } from './stick-types.js';

const SOF = 0xff;
export const AMB8465_CMD = {
  dataReq: 0x00,
  dataInd: 0x03,
  setMode: 0x04,
  get: 0x0a,
  serialNo: 0x0b,
  fwVersion: 0x0c,
} as const;
/** Every command the module knows; a response is the same code | 0x80. */
const KNOWN_COMMANDS = new Set([0x00, 0x02, 0x03, 0x04, 0x05, 0x06, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x10, 0x11, 0x30, 0x31, 0x50, 0x51, 0x52]);
/** SET_MODE byte (wmbusmeters deviceSetLinkModes). */
export const AMB8465_MODE: Record<ReceiveMode, number> = { c1: 0x0e, t1: 0x08, c1t1: 0x09 };

/** RSSI byte → dBm, as the module's manual and wmbusmeters: signed byte / 2 − 74. */
export function amb8465RssiToDbm(raw: number): number {
  return (raw >= 128 ? raw - 256 : raw) / 2 - 74;
}

export function amb8465DbmToRssi(dbm: number): number {
  return Math.max(-128, Math.min(127, Math.round((dbm + 74) * 2))) & 0xff;
}

export function encodeAmb8465Frame(cmd: number, payload: Uint8Array): Buffer {
  if (payload.length > 255) throw new RangeError('AMB8465 payload longer than 255 bytes');
  const body = Buffer.concat([Buffer.from([SOF, cmd, payload.length]), payload]);
  return Buffer.concat([body, Buffer.from([xorChecksum(body)])]);
}

export interface Amb8465Options {
  /** NV parameter RSSI_Enable (0x45); wmbusmeters turns it on. Default true. */
  rssiEnabled?: boolean;
  serialNumber?: number;
}

function frameLength(b: Buffer, at: number): number | 'short' | 'bad-header' {
  if (b.length < at + 2) return 'short';
  if (!KNOWN_COMMANDS.has((b[at + 1] ?? 0) & 0x7f)) return 'bad-header';
  if (b.length < at + 3) return 'short';
  return 4 + (b[at + 2] ?? 0);
}

const checksumOk = (frame: Buffer): boolean => xorChecksum(frame, 0, frame.length - 1) === frame[frame.length - 1];

function createAmb8465Decoder(rssiEnabled: boolean): StickDecoder {
  /** LEN counts the RSSI byte when the module appends one. */
  const telegramLength = (frame: Buffer): number => (frame[2] ?? 0) - (rssiEnabled ? 1 : 0);
  return createFramedDecoder(
    startByteFraming({
      start: SOF,
      frameLength,
      refuse(frame) {
        if (!checksumOk(frame)) return 'bad-checksum';
        return frame[1] === AMB8465_CMD.dataInd && telegramLength(frame) < 1 ? 'bad-length' : null;
      },
      // Only DATA_IND proves a cut: FF 03 inside a telegram is rare enough that the weak XOR CS
      // does not let a false frame through in practice.
      provesCut: (frame) => frame[1] === AMB8465_CMD.dataInd && checksumOk(frame),
      decode(raw, offset) {
        const cmd = raw[1] ?? 0;
        const len = raw[2] ?? 0;
        const payload = raw.subarray(3, 3 + len);
        if (cmd !== AMB8465_CMD.dataInd) return { kind: 'response', msgId: cmd, payload, raw, offset };
        const length = telegramLength(raw);
        return {
          kind: 'telegram',
          telegram: Buffer.concat([Buffer.from([length]), payload.subarray(0, length)]),
          ...(rssiEnabled ? { rssiDbm: amb8465RssiToDbm(payload[len - 1] ?? 0) } : {}),
          offset,
        };
      },
    }),
  );
}

export function createAmb8465Codec(options: Amb8465Options = {}): StickCodec {
  const rssiEnabled = options.rssiEnabled ?? true;
  const serial = Buffer.alloc(4);
  serial.writeUInt32BE((options.serialNumber ?? 0x01020304) >>> 0);
  return {
    name: 'amb8465',
    baudRate: 9600,
    createDecoder: () => createAmb8465Decoder(rssiEnabled),
    encodeTelegram(telegram: Buffer, opts: EncodeOptions = {}): Buffer {
      if (telegram.length < 2 || telegram[0] !== telegram.length - 1) throw new RangeError('telegram L-field does not match its length');
      const parts = [telegram.subarray(1)];
      if (rssiEnabled) parts.push(Buffer.from([amb8465DbmToRssi(opts.rssiDbm ?? -74)]));
      return encodeAmb8465Frame(AMB8465_CMD.dataInd, Buffer.concat(parts));
    },
    initSequence(mode: ReceiveMode): Buffer[] {
      return [
        // Read 0x80 bytes of the NV configuration from address 0 (UART_CMD_Out_Enable, RSSI_Enable, …).
        encodeAmb8465Frame(AMB8465_CMD.get, Buffer.from([0x00, 0x80])),
        encodeAmb8465Frame(AMB8465_CMD.serialNo, Buffer.alloc(0)),
        encodeAmb8465Frame(AMB8465_CMD.setMode, Buffer.from([AMB8465_MODE[mode]])),
      ];
    },
    answer(request: Buffer): Buffer | null {
      const ev = createAmb8465Decoder(rssiEnabled).push(request).find((e) => e.kind === 'response');
      if (ev?.kind !== 'response' || ev.msgId === undefined || ev.msgId & 0x80) return null;
      const cmd = ev.msgId;
      switch (cmd) {
        case AMB8465_CMD.get: {
          const address = ev.payload[0] ?? 0;
          const count = ev.payload[1] ?? 0;
          const memory = Buffer.alloc(256);
          memory[0x05] = 0x01; // UART_CMD_Out_Enable
          memory[0x45] = rssiEnabled ? 0x01 : 0x00; // RSSI_Enable
          return encodeAmb8465Frame(cmd | 0x80, Buffer.concat([Buffer.from([address, count]), memory.subarray(address, address + count)]));
        }
        case AMB8465_CMD.serialNo:
          return encodeAmb8465Frame(cmd | 0x80, serial);
        default:
          return encodeAmb8465Frame(cmd | 0x80, Buffer.from([0x00]));
      }
    },
  };
}

export const amb8465: StickCodec = createAmb8465Codec();
