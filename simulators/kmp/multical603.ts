import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import {
  KMP_CID, KMP_DEST_HEAT, KmpFrameReader, encodeGetRegisterResponse, encodeKmpFrame, encodeGetSerialNoResponse, encodeGetTypeResponse,
  parseGetRegisterRequest, type KmpFrame,
} from '../../drivers/kmp/index.js';
import { createRng, drift, type Rng } from '../../src/lib/prng.js';
import { openPtyTransport, openTcpTransport } from '../transports.js';
import { createPacedLine, type PacedLine } from './paced-line.js';

// A MULTICAL 603 heat meter answering KMP on its optical eye (docs/protocols/kmp.md) at 1200 baud
// 8N2, on a socat pseudo-terminal (or a TCP port, as behind ser2net). Values are seeded and grow
// like simulators/meters/multical403.ts: energy and volume only up, temperatures drifting within
// bounds, one step per poll cycle (each GetSerialNo). What a real meter does is kept: registers it
// does not have are left out of the answer, a request with a bad CRC or stuffing or to another
// address is not answered, and the answer goes out at the line's pace after the request has been
// on the line as long as its bytes take (a pseudo-terminal carries them at once otherwise).

export const MULTICAL603_BAUD_RATE = 1200;
export const KMP_BITS_PER_BYTE = 11; // 8N2: start bit, 8 data bits, 2 stop bits
/** The GetType answer of the simulator (Kamstrup does not publish its type numbers). */
export const MULTICAL603_SIMULATED_TYPE = { meterType: 0x0603, swRevision: 0x0102 } as const;

/** One register as the meter holds it: its unit code and the value in that unit. */
export interface KmpMeterRegister {
  unit: number;
  value: number | string;
}

export interface KmpMeterOptions {
  serial: number;
  seed: number;
  transport: 'pty' | 'tcp';
  /** Milliseconds between the end of a request and the first byte of the answer (default 0). */
  reactionMs?: number;
  /** Echoes every byte the host sends, as some optical probes do (default false). */
  echo?: boolean;
  /** Where the date and time registers read the clock (default: the system clock). */
  now?: () => Date;
}

export interface KmpMeterHandle {
  /** The device the host opens (transport 'pty'). */
  devicePath?: string;
  /** The port on 127.0.0.1 (transport 'tcp'). */
  port?: number;
  /** The registers the meter answers with now (rid → unit and value). */
  values(): ReadonlyMap<number, KmpMeterRegister>;
  /** The next `n` requests that would be answered are not (to test timeouts and retries). */
  ignoreRequests(n: number): void;
  /** The next `n` answers go out with their CRC broken, as after a disturbance on the line. */
  corruptAnswers(n: number): void;
  /** Requests answered so far. */
  answered(): number;
  close(): Promise<void>;
}

const round = (v: number, decimals: number): string => v.toFixed(decimals);

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** The meter's registers and how they move: a pure model, stepped once per poll cycle. */
export function multical603Model(rng: Rng, serial: number, now: () => Date): { step(): void; registers(): Map<number, KmpMeterRegister> } {
  let kwh = Math.round(rng.between(1_000, 50_000));
  let coolingKwh = Math.round(rng.between(0, 200));
  let m3 = Math.round(rng.between(100, 9_000) * 100) / 100;
  let m3cForward = Math.round(m3 * 60);
  let m3cReturn = Math.round(m3 * 40);
  let hours = Math.round(rng.between(1_000, 40_000));
  let t1 = rng.between(55, 70);
  let t2 = t1 - rng.between(15, 25);
  let flowLh = Math.round(rng.between(100, 900));
  return {
    step() {
      flowLh = Math.round(drift(rng, flowLh, 30, 0, 1500));
      t1 = drift(rng, t1, 0.5, 40, 80);
      t2 = Math.min(t1 - 5, drift(rng, t2, 0.5, 25, 60));
      const addM3 = Math.round(rng.between(0, 8)) / 100;
      m3 = Math.round((m3 + addM3) * 100) / 100;
      kwh += Math.round(rng.between(0, 4));
      coolingKwh += rng.int(10) === 0 ? 1 : 0;
      m3cForward += Math.round(addM3 * t1);
      m3cReturn += Math.round(addM3 * t2);
      hours += rng.int(4) === 0 ? 1 : 0;
    },
    registers() {
      const t1r = Math.round(t1 * 100) / 100;
      const t2r = Math.round(t2 * 100) / 100;
      const powerKw = Math.round((flowLh / 1000) * (t1r - t2r) * 1.16 * 10) / 10; // 1.16 kWh per m³·K
      const d = now();
      return new Map<number, KmpMeterRegister>([
        [60, { unit: 0x02, value: kwh }],
        [63, { unit: 0x02, value: coolingKwh }],
        [68, { unit: 0x28, value: round(m3, 2) }],
        [74, { unit: 0x29, value: flowLh }],
        [80, { unit: 0x16, value: round(powerKw, 1) }],
        [86, { unit: 0x25, value: round(t1r, 2) }],
        [87, { unit: 0x25, value: round(t2r, 2) }],
        [88, { unit: 0x25, value: '10.5' }],
        [89, { unit: 0x26, value: round(t1r - t2r, 2) }],
        [97, { unit: 0x2b, value: m3cForward }],
        [99, { unit: 0x00, value: 0 }],
        [110, { unit: 0x2b, value: m3cReturn }],
        [1001, { unit: 0x33, value: serial }],
        [1002, { unit: 0x2f, value: Number(`${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}`) }],
        [1003, { unit: 0x30, value: Number(`${pad2(d.getUTCFullYear() % 100)}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`) }],
        [1004, { unit: 0x2e, value: hours }],
      ]);
    },
  };
}

export async function startKmpMeter(o: KmpMeterOptions): Promise<KmpMeterHandle> {
  const model = multical603Model(createRng(o.seed), o.serial, o.now ?? (() => new Date()));
  model.step();
  const reactionMs = o.reactionMs ?? 0;
  let ignore = 0;
  let corrupt = 0;
  let answered = 0;
  const lines = new Set<PacedLine>();

  const answerTo = (frame: KmpFrame): Buffer | null => {
    if (!frame.toMeter || frame.dest !== KMP_DEST_HEAT) return null;
    switch (frame.cid) {
      case KMP_CID.getSerialNo:
        model.step();
        return encodeGetSerialNoResponse(o.serial);
      case KMP_CID.getType:
        return encodeGetTypeResponse(MULTICAL603_SIMULATED_TYPE);
      case KMP_CID.getRegister: {
        let rids: number[];
        try {
          rids = parseGetRegisterRequest(frame);
        } catch {
          return null;
        }
        const regs = model.registers();
        const known = rids.flatMap((rid) => {
          const r = regs.get(rid);
          return r ? [{ rid, ...r }] : [];
        });
        return encodeGetRegisterResponse(known);
      }
      default:
        return null; // commands this simulator does not implement get no answer
    }
  };

  const meter = {
    attach(stream: Duplex): () => void {
      const reader = new KmpFrameReader();
      const line = createPacedLine(stream, { baudRate: MULTICAL603_BAUD_RATE, bitsPerByte: KMP_BITS_PER_BYTE, now: () => performance.now() });
      lines.add(line);
      let frameStartedAt: number | null = null;
      const onData = (chunk: Buffer): void => {
        const at = performance.now();
        frameStartedAt ??= at;
        if (o.echo) line.send(chunk);
        for (const ev of reader.push(chunk)) {
          if ('ack' in ev || 'garbage' in ev) {
            frameStartedAt = null; // a corrupted request is not answered
            continue;
          }
          // The request was on the line for as long as its bytes take; the answer follows it.
          const requestEnd = (frameStartedAt ?? at) + encodeKmpFrame(ev).length * line.byteMs;
          frameStartedAt = null;
          const reply = answerTo(ev);
          if (reply === null) continue;
          if (ignore > 0) {
            ignore -= 1;
            continue;
          }
          answered += 1;
          if (corrupt > 0) {
            corrupt -= 1;
            const at = reply.length - 2; // the CRC's last byte (or its escape): the frame fails its check either way
            reply[at] = (reply[at] ?? 0) ^ 0x01;
          }
          line.send(reply, requestEnd + reactionMs);
        }
      };
      const detach = (): void => {
        stream.off('data', onData);
        line.stop();
        lines.delete(line);
      };
      stream.on('data', onData);
      stream.once('close', detach);
      stream.on('error', detach);
      return detach;
    },
  };

  const transport = o.transport === 'pty' ? await openPtyTransport(meter, { baudRate: MULTICAL603_BAUD_RATE }) : await openTcpTransport(meter);
  return {
    ...('devicePath' in transport ? { devicePath: transport.devicePath } : { port: transport.port }),
    values: () => model.registers(),
    ignoreRequests(n) {
      ignore += n;
    },
    corruptAnswers(n) {
      corrupt += n;
    },
    answered: () => answered,
    async close() {
      for (const l of lines) l.stop();
      await transport.close();
    },
  };
}
