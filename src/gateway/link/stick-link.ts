import type { Duplex } from 'node:stream';
import type { GarbageEvent, ReceiveMode, ResponseEvent, StickCodec, StickEvent, TelegramEvent } from '../../../drivers/wmbus-sticks/index.js';
import { describeLinkTarget, openLinkStream, type LinkTarget } from './link-target.js';
import { DEFAULT_BACKOFF, destroyAndWait, onStreamEnd, retryDelayMs, type Backoff } from './reconnect.js';

// The gateway's side of a receiver stick: owns the device or socket, hands every byte to the
// codec's decoder, flushes it after an idle gap or a disconnect, and reconnects with exponential
// backoff. Nothing that arrives can throw out of here: decoders never throw, and stream errors
// become a 'disconnected' status.

export type LinkStatus =
  | { kind: 'connected'; link: string }
  | { kind: 'disconnected'; link: string; reason: string; retryInMs: number };

export interface StickLinkOptions {
  target: LinkTarget;
  codec: StickCodec;
  onTelegram(ev: TelegramEvent): void;
  onStatus?(s: LinkStatus): void;
  onOther?(ev: ResponseEvent | GarbageEvent): void;
  /** Held bytes are flushed after this many quiet milliseconds (default 250). */
  idleFlushMs?: number;
  /** Reconnect delays: initial, doubled each failure, capped (defaults 200 ms and 30 s). */
  backoff?: Backoff;
  /** Commands that put the stick in receive mode, sent on each connect (default c1t1; false: none). */
  receiveMode?: ReceiveMode | false;
  connectTimeoutMs?: number;
}

export interface StickLink {
  /** Closes the device and stops reconnecting. */
  close(): Promise<void>;
}

const INIT_SPACING_MS = 50;

export function startStickLink(o: StickLinkOptions): StickLink {
  const idleFlushMs = o.idleFlushMs ?? 250;
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  const link = describeLinkTarget(o.target);
  const decoder = o.codec.createDecoder();
  let stream: Duplex | null = null;
  let closed = false;
  let failures = 0;
  const timers = new Set<NodeJS.Timeout>();
  let idleTimer: NodeJS.Timeout | null = null;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const dispatch = (events: StickEvent[]): void => {
    for (const ev of events) {
      if (ev.kind === 'telegram') o.onTelegram(ev);
      else o.onOther?.(ev);
    }
  };

  const onData = (chunk: Buffer): void => {
    dispatch(decoder.push(chunk));
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idleTimer = null;
      dispatch(decoder.flush());
    }, idleFlushMs);
  };

  const lost = (reason: string): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    dispatch(decoder.flush());
    stream = null;
    if (closed) return;
    const retryInMs = retryDelayMs(backoff, failures);
    failures += 1;
    o.onStatus?.({ kind: 'disconnected', link, reason, retryInMs });
    later(retryInMs, connect);
  };

  function sendInit(s: Duplex): void {
    if (o.receiveMode === false) return;
    const commands = o.codec.initSequence?.(o.receiveMode ?? 'c1t1') ?? [];
    commands.forEach((cmd, i) => later(i * INIT_SPACING_MS, () => (s === stream && s.writable ? void s.write(cmd) : undefined)));
  }

  function connect(): void {
    if (closed) return;
    openLinkStream(o.target, o.codec.baudRate, o.connectTimeoutMs ?? 5000).then(
      (s) => {
        if (closed) {
          s.destroy();
          return;
        }
        stream = s;
        failures = 0;
        s.on('data', onData);
        onStreamEnd(s, (reason) => {
          s.off('data', onData);
          s.destroy();
          lost(reason);
        });
        o.onStatus?.({ kind: 'connected', link });
        sendInit(s);
      },
      (err: unknown) => lost(err instanceof Error ? err.message : 'could not open'),
    );
  }

  connect();
  return {
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (idleTimer) clearTimeout(idleTimer);
      const s = stream;
      stream = null;
      await destroyAndWait(s);
    },
  };
}
