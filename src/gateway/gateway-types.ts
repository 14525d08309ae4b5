import type { DlmsErrorCode } from '../../drivers/dlms/errors.js';
import type { IecErrorCode } from '../../drivers/iec62056-21/errors.js';
import type { KmpErrorCode } from '../../drivers/kmp/errors.js';
import type { Fields, MeterIdentity, Verification as WmbusVerification, WmbusErrorCode } from '../../drivers/wmbus/index.js';

// The types that cross the gateway's seams: the decode pipeline produces readings and events, the
// key source answers lookups, the MQTT publisher consumes both. Kept in one file so that each part
// can be built and tested against the others' shape (docs/gateway.md "Inside").

// MeterIdentity is the decode pipeline's (drivers/wmbus/pipeline.ts), re-exported here for the
// seams; a meter read over KMP, IEC 62056-21 or DLMS gets one too (version 0, the M-Bus device type
// of its medium), so that the meter book, the filters and the topics treat every meter alike.
export type { MeterIdentity } from '../../drivers/wmbus/index.js';

/** The protocol a reading came in by. */
export type ReadingProtocol = 'wmbus' | 'kmp' | 'iec62056-21' | 'dlms';

/**
 * What vouches for a reading: the wM-Bus forms (`crc`, `2f2f`, `gcm-tag`, `none`), and
 * `gcm-tag` for a DLMS APDU whose GCM tag verified (the meter's GAK and GUEK), `encryption-only`
 * for a DLMS APDU decrypted with the GUEK but carrying no tag, `hdlc-fcs` for an unciphered DLMS
 * frame whose FCS matched, `kmp-crc` for a KMP answer whose CRC matched, `bcc` for an IEC 62056-21
 * readout whose block check character matched. The last three prove only that the bytes arrived
 * whole, not who sent them: such readings are published only for meters the token holds
 * (docs/gateway.md "Readings without encryption").
 */
export type Verification = WmbusVerification | 'encryption-only' | 'hdlc-fcs' | 'kmp-crc' | 'bcc';

/** `KAM-63941885`: the meter's name in MQTT topics and the gateway's views. */
export const meterKeyOf = (m: Pick<MeterIdentity, 'manufacturer' | 'id'>): string => `${m.manufacturer}-${m.id}`;

/** `KAM-63941885` from the core's manufacturer and serial: the manufacturer upper case, a numeric serial padded to the eight digits a wM-Bus id has. */
export function meterKeyFor(manufacturer: string, serial: string): string {
  const id = /^\d{1,8}$/.test(serial) ? serial.padStart(8, '0') : serial;
  return `${manufacturer.toUpperCase()}-${id}`;
}

export type GatewayEventName =
  | 'decrypt_failed'
  | 'unknown_key'
  | 'no_right'
  | 'counter_replay'
  | 'needs_full_frame'
  | 'bad_telegram'
  | 'keys_expired'
  | 'not_encrypted'
  /** A polled meter (KMP, IEC 62056-21, DLMS) did not answer within the timeout, after the retries. */
  | 'no_answer'
  /** A polled meter answered with bytes that do not make a valid answer (CRC, BCC, FCS, framing). */
  | 'bad_answer'
  /** The DLMS meter refused the association (AARE not accepted, HLS-GMAC reply not verified). */
  | 'association_refused'
  /** A polled meter answered with another serial than the link's meter, or a DLMS GET was refused. */
  | 'unexpected_answer';

/** What a link hands the pipeline: one telegram as the stick delivered it (L-field first, DLL CRCs stripped). */
export interface HeardTelegram {
  telegram: Buffer;
  rssiDbm?: number;
  receivedAt: Date;
  link: string;
}

export interface Reading {
  protocol: ReadingProtocol;
  meter: MeterIdentity;
  meterKey: string;
  /** The wM-Bus driver (`multical21`, …), or for the other protocols `kmp`, `iec62056-21`, `dlms`. */
  driver: string;
  media: string;
  fields: Fields;
  verified: Verification;
  rssiDbm: number | null;
  receivedAt: Date;
  /** wM-Bus only: the telegram's access number. */
  accessNumber?: number;
  frameCounter?: number;
  /** DLMS only: the invocation counter of a ciphered APDU (replays are refused on it). */
  invocationCounter?: number;
  link: string;
}

export interface GatewayEvent {
  name: GatewayEventName;
  /** The protocol of the link, when not wM-Bus (pulled-readings.ts sets it). */
  protocol?: Exclude<ReadingProtocol, 'wmbus'>;
  meter?: MeterIdentity;
  meterKey?: string;
  /** Plain words: 'wrong key', 'the byte-reversed key would fit', … Never a key. */
  reason: string;
  /** The driver's error code (wM-Bus, KMP, IEC 62056-21 or DLMS: the codes of their errors.ts). */
  code?: WmbusErrorCode | KmpErrorCode | IecErrorCode | DlmsErrorCode;
  offset?: number;
  rssiDbm: number | null;
  receivedAt: Date;
  link: string;
}

export type GatewayResult = { kind: 'reading'; reading: Reading } | { kind: 'event'; event: GatewayEvent };

export type KeyLookup =
  /** DEKs, the current one first; `keys` is empty when the token holds the meter but no DEK of it (for lookups, that is no-right). */
  | { kind: 'keys'; keys: Buffer[]; driverHint?: string }
  /** Synced and fresh, but this meter is not among the token's devices. */
  | { kind: 'no-right' }
  /** Offline for longer than the configured limit: no key is used. */
  | { kind: 'expired' }
  /** Never synced and nothing cached. */
  | { kind: 'not-synced' };

/**
 * Every key type of a meter the token holds (`GUEK`, `GAK`, `DEK`, …, the active version each),
 * or why none: the same rules as the DEK lookup. A meter held with no key of the type asked for
 * answers `keys` with that type absent: the caller says what is missing.
 */
export type KeysLookup =
  | { kind: 'keys'; byType: Map<string, Buffer>; driverHint?: string }
  | { kind: 'no-right' }
  | { kind: 'expired' }
  | { kind: 'not-synced' };

export interface KeySourceStatus {
  state: 'fresh' | 'offline' | 'expired' | 'not-synced';
  devices: number;
  lastSyncAt: string | null;
  expiresAt: string | null;
  lastError: string | null;
}

export interface KeySource {
  lookup(manufacturer: string, serial: string): KeyLookup;
  /** All key types of a meter (DLMS: GUEK and GAK), and whether the token holds the meter at all (KMP, IEC: no key, but a right). */
  lookupKeys(manufacturer: string, serial: string): KeysLookup;
  /** A meter was heard that has no key: at most one extra sync per interval, however many telegrams. */
  missed(manufacturer: string, serial: string): void;
  status(): KeySourceStatus;
  close(): Promise<void>;
}

export interface PublisherStatus {
  connected: boolean;
  buffered: number;
  dropped: number;
  delivered: number;
}

export interface Publisher {
  /** Readings and events go to the on-disk buffer first, then to the broker in order, QoS 1. */
  reading(r: Reading): void;
  event(e: GatewayEvent): void;
  availability(meterKey: string, online: boolean): void;
  status(): PublisherStatus;
  /** Publishes the offline status, delivers what it can, closes the buffer. */
  close(): Promise<void>;
}
