// The common shape of every receiver-stick codec. A codec is pure: the gateway's link layer
// owns the serial port or socket and hands the decoder whatever bytes arrived.

export type StickName = 'im871a' | 'iu891a' | 'amb8465' | 'cul' | 'rtlwmbus';
export type ReceiveMode = 'c1' | 't1' | 'c1t1';

/** A received radio telegram in the normalised form: L-field + telegram without DLL CRCs. */
export interface TelegramEvent {
  kind: 'telegram';
  telegram: Buffer;
  rssiDbm?: number;
  /** Frame format the stick delivered, where the stick tells (CUL: 'A' or 'B'). */
  frameFormat?: 'A' | 'B';
  /** Opaque per-stick receive metadata (iM871A timestamp, iU891A's 7 bytes before the RSSI). */
  stickMeta?: Buffer;
  /** Absolute stream offset of the frame's first byte. */
  offset: number;
}

/** Any other well-formed frame: a command response, an indication we do not interpret, a text line. */
export interface ResponseEvent {
  kind: 'response';
  /** HCI endpoint / SAP (iM871A, iU891A). */
  endpoint?: number;
  /** Message id or command byte (iM871A, iU891A, AMB8465). */
  msgId?: number;
  /** iU891A status byte (present on every stick-to-host message except RX_MESSAGE_IND). */
  status?: number;
  payload: Buffer;
  /** Text line without its line ending (CUL, rtl-wmbus). */
  text?: string;
  /** The whole frame as it was on the wire, e.g. for the simulator's answer(). */
  raw: Buffer;
  offset: number;
}

/** Bytes skipped while resynchronising. Adjacent skips within one push() are merged. */
export interface GarbageEvent {
  kind: 'garbage';
  bytes: number;
  reason: GarbageReason;
  offset: number;
}

export type GarbageReason =
  | 'no-start'
  | 'bad-header'
  | 'bad-crc'
  | 'bad-checksum'
  | 'bad-length'
  | 'bad-escape'
  | 'bad-hex'
  | 'bad-line'
  | 'rejected-by-receiver'
  | 'too-long'
  | 'truncated';

export type StickEvent = TelegramEvent | ResponseEvent | GarbageEvent;

export interface StickDecoder {
  /** Never throws; keeps at most one frame's worth of unfinished bytes. */
  push(chunk: Buffer): StickEvent[];
  /** The link calls this after an idle gap or on reconnect: held bytes are reported and dropped. */
  flush(): StickEvent[];
}

export interface EncodeOptions {
  rssiDbm?: number;
  /** See TelegramEvent.stickMeta; zeros (or absent) when not given. */
  stickMeta?: Buffer;
  /** CUL only: the frame format to put on the line (default 'A'). */
  frameFormat?: 'A' | 'B';
}

export interface StickCodec {
  name: StickName;
  baudRate: number;
  createDecoder(): StickDecoder;
  /** What the stick sends for a received telegram (input in the normalised form). */
  encodeTelegram(telegram: Buffer, opts?: EncodeOptions): Buffer;
  /** Host commands that configure the stick to receive, in order. */
  initSequence?(mode: ReceiveMode): Buffer[];
  /** What a real stick answers to one complete host request, for the simulator. */
  answer?(request: Buffer): Buffer | null;
}
