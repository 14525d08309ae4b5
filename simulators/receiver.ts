import type { Duplex } from 'node:stream';
import type { StickCodec } from '../drivers/wmbus-sticks/index.js';
import { createRng } from '../src/lib/prng.js';
import type { MeterFrame, MeterTelegram, SimulatedMeter } from './meters/meter-types.js';

// The simulated receiver stick: it "hears" its meters at their intervals and writes what the stick
// would send (codec.encodeTelegram) to every attached stream, and answers the host's commands
// (codec.answer). Streams come from the transports (pseudo-terminal or TCP): see transports.ts.

export interface SentTelegram extends MeterTelegram {
  meter: SimulatedMeter;
  rssiDbm: number;
}

export interface SimulatedReceiver {
  /** Serves one host connection until it closes; returns a detach function. */
  attach(stream: Duplex): () => void;
  /** Lets the meter at `index` send now (tests), a compact frame if asked and it has one; returns what was sent. */
  sendNow(index: number, opts?: { frame?: MeterFrame }): SentTelegram;
  /** Starts every meter's interval timer. */
  start(): void;
  stop(): void;
  onSent(listener: (t: SentTelegram) => void): void;
}

const MAX_REQUEST = 1024;

/** Splits host bytes into complete requests: text lines for the ASCII sticks, frames otherwise. */
function createRequestSplitter(codec: StickCodec): (chunk: Buffer) => Buffer[] {
  if (codec.name === 'cul' || codec.name === 'rtlwmbus') {
    let held = '';
    return (chunk) => {
      held += chunk.toString('latin1');
      const lines = held.split('\n');
      held = (lines.pop() ?? '').slice(-MAX_REQUEST);
      return lines.map((l) => Buffer.from(`${l}\n`, 'latin1'));
    };
  }
  const decoder = codec.createDecoder();
  return (chunk) => decoder.push(chunk).flatMap((e) => (e.kind === 'response' ? [e.raw] : []));
}

export function createSimulatedReceiver(opts: { codec: StickCodec; meters: readonly SimulatedMeter[]; seed: number }): SimulatedReceiver {
  const { codec, meters } = opts;
  const rng = createRng(opts.seed ^ 0x5eed);
  const streams = new Set<Duplex>();
  const listeners: ((t: SentTelegram) => void)[] = [];
  const timers: NodeJS.Timeout[] = [];

  const sendNow = (index: number, opts: { frame?: MeterFrame } = {}): SentTelegram => {
    const meter = meters[index];
    if (!meter) throw new Error(`no meter ${index}`);
    const rssiDbm = Math.round(rng.between(-95, -50));
    const sent = { ...meter.next(opts), meter, rssiDbm };
    const bytes = codec.encodeTelegram(sent.telegram, { rssiDbm });
    for (const s of streams) if (s.writable) s.write(bytes);
    for (const l of listeners) l(sent);
    return sent;
  };

  return {
    attach(stream) {
      const split = createRequestSplitter(codec);
      const onData = (chunk: Buffer): void => {
        for (const request of split(chunk)) {
          const reply = codec.answer?.(request);
          if (reply && stream.writable) stream.write(reply);
        }
      };
      const detach = (): void => {
        streams.delete(stream);
        stream.off('data', onData);
      };
      streams.add(stream);
      stream.on('data', onData);
      stream.once('close', detach);
      stream.on('error', detach);
      return detach;
    },
    sendNow,
    start() {
      meters.forEach((m, i) => timers.push(setInterval(() => sendNow(i), m.intervalMs)));
    },
    stop() {
      for (const t of timers.splice(0)) clearInterval(t);
    },
    onSent(listener) {
      listeners.push(listener);
    },
  };
}
