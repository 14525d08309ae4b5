// Feeding a stick decoder the way a link does, in chunks, and reading what came out.
import type { StickDecoder, StickEvent } from '../../drivers/wmbus-sticks/stick-types.js';

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

export function telegramsOf(events: StickEvent[]): { telegram: string; rssiDbm?: number }[] {
  return events.flatMap((e) =>
    e.kind === 'telegram' ? [{ telegram: e.telegram.toString('hex'), ...(e.rssiDbm !== undefined ? { rssiDbm: e.rssiDbm } : {}) }] : [],
  );
}
