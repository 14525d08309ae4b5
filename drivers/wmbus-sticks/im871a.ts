// IMST iM871A / iM170A, "WMBus HCI v1" (docs/protocols/wmbus-sticks.md §1):
//   A5 | flags<<4 | endpoint | MSGID | LEN | PAYLOAD[LEN] | [timestamp 4, LE] | [RSSI 1] | [CRC-16/X-25 LE]
// The CRC covers everything after A5. A received telegram (RADIOLINK, WMBUSMSG_IND) carries the
// wM-Bus L-field as LEN and the telegram from the C-field on, without DLL CRCs.
import { crc16X25 } from './crc.js';
import { createFramedDecoder, startByteFraming } from './framed-decoder.js';
import type { EncodeOptions, ReceiveMode, StickCodec, StickDecoder, StickEvent } from './stick-types.js';

const SOF = 0xa5;
const FLAG_CRC = 0x80;
const FLAG_RSSI = 0x40;
const FLAG_TIMESTAMP = 0x20;
const FLAG_RESERVED = 0x10;

export const IM871A_ENDPOINT = { devmgmt: 0x01, radiolink: 0x02, radiolinkTest: 0x03, hwTest: 0x04 } as const;
export const IM871A_DEVMGMT = {
  pingReq: 0x01,
  pingRsp: 0x02,
  setConfigReq: 0x03,
  setConfigRsp: 0x04,
  getConfigReq: 0x05,
  getConfigRsp: 0x06,
  getDeviceInfoReq: 0x0f,
  getDeviceInfoRsp: 0x10,
} as const;
export const IM871A_RADIOLINK = { wmbusMsgInd: 0x03 } as const;

/** Link-mode byte of SET_CONFIG (wmbusmeters: C1b for C1, T1, CT/N1A for C1+T1). */
export const IM871A_LINK_MODE: Record<ReceiveMode, number> = { c1: 0x07, t1: 0x03, c1t1: 0x0a };

/**
 * Raw RSSI → dBm. We implement wmbusmeters' toDBM line (45 → −100 dBm, 205 → −20 dBm, i.e.
 * 0.5 dB per step; ≥ 230 reads as 0 dBm), because the project's readings are meant to match
 * wmbusmeters' and the line follows the radio chip's datasheet curve. Unlike wmbusmeters we keep
 * the half-dB step instead of truncating to an integer (0xB8 → −30.5 dBm, wmbusmeters prints −30).
 * ioBroker's 8/15·raw − 380/3 differs by about 2 dB in the usual range.
 */
export function im871aRssiToDbm(raw: number): number {
  return raw >= 230 ? 0 : -100 + (raw - 45) / 2;
}

export function im871aDbmToRssi(dbm: number): number {
  return Math.min(255, Math.max(0, Math.round(45 + 2 * (dbm + 100))));
}

export interface Im871aFrame {
  endpoint: number;
  msgId: number;
  payload: Buffer;
  crc?: boolean;
  timestamp?: Buffer;
  rssiRaw?: number;
}

export function encodeIm871aFrame(frame: Im871aFrame): Buffer {
  if (frame.payload.length > 255) throw new RangeError('iM871A payload longer than 255 bytes');
  const flags =
    (frame.crc ? FLAG_CRC : 0) | (frame.rssiRaw !== undefined ? FLAG_RSSI : 0) | (frame.timestamp ? FLAG_TIMESTAMP : 0);
  const parts = [Buffer.from([SOF, flags | (frame.endpoint & 0x0f), frame.msgId, frame.payload.length]), frame.payload];
  if (frame.timestamp) parts.push(frame.timestamp.subarray(0, 4));
  if (frame.rssiRaw !== undefined) parts.push(Buffer.from([frame.rssiRaw & 0xff]));
  const body = Buffer.concat(parts);
  if (!frame.crc) return body;
  const crc = crc16X25(body, 1);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
}

/** Highest request/response message id per endpoint (HCI v1.6/1.7); anything above is noise. */
const MAX_MSG_ID = [0, 0x27, 0x05, 0x0f, 0x0f];

function frameLength(b: Buffer, at: number): number | 'short' | 'bad-header' {
  if (b.length < at + 4) return 'short';
  const ctrl = b[at + 1] ?? 0;
  const endpoint = ctrl & 0x0f;
  const msgId = b[at + 2] ?? 0;
  if (ctrl & FLAG_RESERVED || endpoint < 1 || endpoint > 4 || msgId === 0 || msgId > (MAX_MSG_ID[endpoint] ?? 0)) return 'bad-header';
  const len = b[at + 3] ?? 0;
  if (endpoint === IM871A_ENDPOINT.radiolink && msgId === IM871A_RADIOLINK.wmbusMsgInd && len === 0) return 'bad-header';
  return 4 + len + (ctrl & FLAG_TIMESTAMP ? 4 : 0) + (ctrl & FLAG_RSSI ? 1 : 0) + (ctrl & FLAG_CRC ? 2 : 0);
}

const hasCrc = (frame: Buffer): boolean => ((frame[1] ?? 0) & FLAG_CRC) !== 0;

function crcOk(frame: Buffer): boolean {
  const end = frame.length;
  return crc16X25(frame, 1, end - 2) === ((frame[end - 2] ?? 0) | ((frame[end - 1] ?? 0) << 8));
}

function decode(raw: Buffer, offset: number): StickEvent {
  const ctrl = raw[1] ?? 0;
  const endpoint = ctrl & 0x0f;
  const msgId = raw[2] ?? 0;
  const len = raw[3] ?? 0;
  const payload = raw.subarray(4, 4 + len);
  let i = 4 + len;
  const timestamp = ctrl & FLAG_TIMESTAMP ? raw.subarray(i, (i += 4)) : undefined;
  const rssiRaw = ctrl & FLAG_RSSI ? raw[i] : undefined;
  if (endpoint === IM871A_ENDPOINT.radiolink && msgId === IM871A_RADIOLINK.wmbusMsgInd) {
    return {
      kind: 'telegram',
      telegram: Buffer.concat([Buffer.from([len]), payload]),
      ...(rssiRaw !== undefined ? { rssiDbm: im871aRssiToDbm(rssiRaw) } : {}),
      ...(timestamp ? { stickMeta: timestamp } : {}),
      offset,
    };
  }
  return { kind: 'response', endpoint, msgId, payload, raw, offset };
}

const createIm871aDecoder = (): StickDecoder =>
  createFramedDecoder(
    startByteFraming({
      start: SOF,
      frameLength,
      refuse: (frame) => (hasCrc(frame) && !crcOk(frame) ? 'bad-crc' : null),
      // Only a CRC-checked frame proves a cut: an unchecked header is too easily found in noise.
      provesCut: (frame) => hasCrc(frame) && crcOk(frame),
      decode,
    }),
  );

export interface Im871aOptions {
  /** Reported by GET_DEVICEINFO / GET_CONFIG in the simulator. */
  uid?: number;
  firmware?: number;
}

export function createIm871aCodec(options: Im871aOptions = {}): StickCodec {
  const uid = options.uid ?? 0x12345678;
  const firmware = options.firmware ?? 0x15;
  const uidLe = Buffer.alloc(4);
  uidLe.writeUInt32LE(uid >>> 0);
  return {
    name: 'im871a',
    baudRate: 57600,
    createDecoder: createIm871aDecoder,
    encodeTelegram(telegram: Buffer, opts: EncodeOptions = {}): Buffer {
      if (telegram.length < 2 || telegram[0] !== telegram.length - 1) throw new RangeError('telegram L-field does not match its length');
      return encodeIm871aFrame({
        endpoint: IM871A_ENDPOINT.radiolink,
        msgId: IM871A_RADIOLINK.wmbusMsgInd,
        payload: telegram.subarray(1),
        crc: true,
        ...(opts.stickMeta ? { timestamp: opts.stickMeta } : {}),
        ...(opts.rssiDbm !== undefined ? { rssiRaw: im871aDbmToRssi(opts.rssiDbm) } : {}),
      });
    },
    initSequence(mode: ReceiveMode): Buffer[] {
      const dm = IM871A_ENDPOINT.devmgmt;
      return [
        encodeIm871aFrame({ endpoint: dm, msgId: IM871A_DEVMGMT.pingReq, payload: Buffer.alloc(0) }),
        encodeIm871aFrame({ endpoint: dm, msgId: IM871A_DEVMGMT.getDeviceInfoReq, payload: Buffer.alloc(0) }),
        // [temporary=0][IIFlag1=0x02 link mode][mode][IIFlag2=0x30 rssi+timestamp][rssi on][timestamp off]
        encodeIm871aFrame({
          endpoint: dm,
          msgId: IM871A_DEVMGMT.setConfigReq,
          payload: Buffer.from([0x00, 0x02, IM871A_LINK_MODE[mode], 0x30, 0x01, 0x00]),
        }),
      ];
    },
    answer(request: Buffer): Buffer | null {
      const ev = createIm871aDecoder().push(request).find((e) => e.kind === 'response');
      if (ev?.kind !== 'response' || ev.endpoint === undefined || ev.msgId === undefined) return null;
      const crc = ((ev.raw[1] ?? 0) & FLAG_CRC) !== 0;
      const reply = (payload: Buffer): Buffer =>
        encodeIm871aFrame({ endpoint: ev.endpoint ?? 0, msgId: (ev.msgId ?? 0) + 1, payload, crc });
      if (ev.endpoint === IM871A_ENDPOINT.devmgmt) {
        switch (ev.msgId) {
          case IM871A_DEVMGMT.getDeviceInfoReq:
            // module 0x33 = iM871A, device mode 0 = collector, firmware, HCI version, UID LE
            return reply(Buffer.concat([Buffer.from([0x33, 0x00, firmware, 0x01]), uidLe]));
          case IM871A_DEVMGMT.getConfigReq:
            // IIFlag1 0x12: link mode + device id; IIFlag2 0x30: auto RSSI + timestamp attachment
            return reply(Buffer.concat([Buffer.from([0x12, IM871A_LINK_MODE.c1t1]), uidLe, Buffer.from([0x30, 0x01, 0x00])]));
          case IM871A_DEVMGMT.pingReq:
            return reply(Buffer.alloc(0));
          default:
            return ev.msgId % 2 === 1 ? reply(Buffer.from([0x00])) : null;
        }
      }
      return ev.msgId % 2 === 1 && ev.msgId !== IM871A_RADIOLINK.wmbusMsgInd ? reply(Buffer.from([0x00])) : null;
    },
  };
}

export const im871a: StickCodec = createIm871aCodec();
