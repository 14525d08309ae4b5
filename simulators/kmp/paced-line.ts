import type { Duplex } from 'node:stream';

// A serial line's pace on a pseudo-terminal, which has none: bytes written here reach the stream
// no sooner than a UART at `baudRate` would send them (bitsPerByte: 8N2 = start + 8 + 2 = 11), one
// after another with the line never carrying two at once. Times are absolute (each byte is due at
// start + (i+1) · byte time), so timer lateness does not add up over a frame.

export interface PacedLine {
  /** Queues the bytes to go out no earlier than `notBefore` (ms, performance.now() clock) and after what is queued. */
  send(bytes: Buffer, notBefore?: number): void;
  /** Milliseconds one byte takes on the line. */
  readonly byteMs: number;
  stop(): void;
}

export function createPacedLine(stream: Duplex, o: { baudRate: number; bitsPerByte: number; now: () => number }): PacedLine {
  const byteMs = (1000 * o.bitsPerByte) / o.baudRate;
  const queue: Array<{ byte: number; due: number }> = [];
  let lineFreeAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const pump = (): void => {
    timer = null;
    if (stopped) return;
    const now = o.now();
    let n = 0;
    while (n < queue.length && (queue[n]?.due ?? Infinity) <= now) n++;
    if (n > 0) {
      const out = Buffer.from(queue.splice(0, n).map((q) => q.byte));
      if (stream.writable) stream.write(out);
    }
    const next = queue[0];
    if (next) timer = setTimeout(pump, Math.max(0, next.due - o.now()));
  };

  return {
    byteMs,
    send(bytes, notBefore = o.now()) {
      let t = Math.max(notBefore, lineFreeAt, o.now());
      for (const byte of bytes) {
        t += byteMs;
        queue.push({ byte, due: t });
      }
      lineFreeAt = t;
      if (timer === null) pump();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      queue.length = 0;
    },
  };
}
