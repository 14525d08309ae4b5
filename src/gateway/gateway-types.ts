import type { Fields, MeterIdentity, Verification, WmbusErrorCode } from '../../drivers/wmbus/index.js';

// The types that cross the gateway's seams: the decode pipeline produces readings and events, the
// key source answers lookups, the MQTT publisher consumes both. Kept in one file so that each part
// can be built and tested against the others' shape (docs/gateway.md "Inside").

// Verification and MeterIdentity are the decode pipeline's (drivers/wmbus/pipeline.ts), re-exported here for the seams.
export type { MeterIdentity, Verification } from '../../drivers/wmbus/index.js';

/** `KAM-63941885`: the meter's name in MQTT topics and the gateway's views. */
export const meterKeyOf = (m: Pick<MeterIdentity, 'manufacturer' | 'id'>): string => `${m.manufacturer}-${m.id}`;

export type GatewayEventName =
  | 'decrypt_failed'
  | 'unknown_key'
  | 'no_right'
  | 'counter_replay'
  | 'needs_full_frame'
  | 'bad_telegram'
  | 'keys_expired'
  | 'not_encrypted';

/** What a link hands the pipeline: one telegram as the stick delivered it (L-field first, DLL CRCs stripped). */
export interface HeardTelegram {
  telegram: Buffer;
  rssiDbm?: number;
  receivedAt: Date;
  link: string;
}

export interface Reading {
  meter: MeterIdentity;
  meterKey: string;
  driver: string;
  media: string;
  fields: Fields;
  verified: Verification;
  rssiDbm: number | null;
  receivedAt: Date;
  accessNumber: number;
  frameCounter?: number;
  link: string;
}

export interface GatewayEvent {
  name: GatewayEventName;
  meter?: MeterIdentity;
  meterKey?: string;
  /** Plain words: 'wrong key', 'the byte-reversed key would fit', … Never a key. */
  reason: string;
  code?: WmbusErrorCode;
  offset?: number;
  rssiDbm: number | null;
  receivedAt: Date;
  link: string;
}

export type GatewayResult = { kind: 'reading'; reading: Reading } | { kind: 'event'; event: GatewayEvent };

export type KeyLookup =
  /** DEKs, the current one first. */
  | { kind: 'keys'; keys: Buffer[]; driverHint?: string }
  /** Synced and fresh, but this meter is not among the token's devices. */
  | { kind: 'no-right' }
  /** Offline for longer than the configured limit: no key is used. */
  | { kind: 'expired' }
  /** Never synced and nothing cached. */
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
