import type { RadioAddress } from '../wmbus/telegram-encoders.js';

export const METER_KINDS = ['multical21', 'flowiq2200', 'multical403', 'oms-water'] as const;
export type MeterKind = (typeof METER_KINDS)[number];

/** A full frame (records with their headers) or a compact one (format signature + values). */
export type MeterFrame = 'full' | 'compact';

export interface MeterConfig {
  kind: MeterKind;
  /** The 8 digits printed on the meter. */
  id: string;
  /** AES-128 key, 32 hex digits. */
  key: string;
  intervalSeconds: number;
  /** Share of frames sent corrupted (0…1): the driver must refuse them. */
  corruptShare?: number;
  /** Only for oms-water (MULTICAL meters send KAM, flowIQ 2200 KAW). */
  manufacturer?: string;
}

/** The values a telegram carries, named as wmbusmeters names them, in the telegram's units. */
export type MeterValues = Readonly<Record<string, number>>;

export interface MeterTelegram {
  /** Stripped telegram (L-field + telegram without DLL CRCs). */
  telegram: Buffer;
  values: MeterValues;
  /** True when the frame was corrupted on purpose: no key may decrypt it. */
  corrupt: boolean;
}

export interface SimulatedMeter {
  readonly kind: MeterKind;
  readonly address: RadioAddress;
  readonly key: Buffer;
  readonly intervalMs: number;
  /** Advances the meter by one interval and returns its next telegram (a compact frame only where the kind has one: MULTICAL 21, flowIQ 2200). */
  next(opts?: { frame?: MeterFrame }): MeterTelegram;
}

/** Per-kind state machine: values advance, then are encoded. */
export interface MeterModel {
  address: RadioAddress;
  step(): MeterValues;
  /** `frame` 'compact' is honoured by the kinds that send compact frames; the others send full frames. */
  encode(values: MeterValues, key: Buffer, counter: number, frame?: MeterFrame): Buffer;
  /** Offset of a ciphertext byte whose change must fail verification. */
  corruptOffset: number;
}
