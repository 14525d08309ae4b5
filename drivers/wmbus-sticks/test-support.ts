// Helpers for the stick tests: the shared vectors, chunked feeding and a seeded PRNG.
import { readFileSync } from 'node:fs';
import type { StickDecoder, StickEvent } from './stick-types.js';

export interface DongleVector {
  kind: string;
  description: string;
  input_hex: string;
  expected: Record<string, unknown>;
}

export const dongleVectors: DongleVector[] = JSON.parse(
  readFileSync(new URL('./fixtures/dongle-vectors.json', import.meta.url), 'utf8'),
) as DongleVector[];

/** Feeds the chunks in order and collects every event, garbage runs merged across chunks. */
export function feed(decoder: StickDecoder, chunks: Buffer[]): StickEvent[] {
  const events: StickEvent[] = [];
  for (const chunk of chunks) {
    for (const e of decoder.push(chunk)) {
      const last = events[events.length - 1];
      if (e.kind === 'garbage' && last?.kind === 'garbage' && last.offset + last.bytes === e.offset) last.bytes += e.bytes;
      else events.push({ ...e });
    }
  }
  return events;
}

export function bytewise(data: Buffer): Buffer[] {
  return [...data].map((b) => Buffer.from([b]));
}

/** mulberry32: small, seeded, good enough to pick chunk sizes and bytes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function telegramsOf(events: StickEvent[]): { telegram: string; rssiDbm?: number }[] {
  return events.flatMap((e) =>
    e.kind === 'telegram' ? [{ telegram: e.telegram.toString('hex'), ...(e.rssiDbm !== undefined ? { rssiDbm: e.rssiDbm } : {}) }] : [],
  );
}
