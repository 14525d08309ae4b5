import { performance } from 'node:perf_hooks';
import { KMP_DEFAULT_HEAT_REGISTERS } from '../../drivers/kmp/index.js';
import { KMP_BITS_PER_BYTE, MULTICAL603_BAUD_RATE, startKmpMeter } from '../../simulators/kmp/multical603.js';
import { openKmpSession } from '../../src/gateway/link/kmp-session.js';
import { type Bench, type BenchContext, type BenchRow, median, row } from './kit.js';

// The optical eye: one KMP poll cycle (GetSerialNo, GetType, GetRegister of 10 registers in two
// requests) by the gateway's session (src/gateway/link/kmp-session.ts) against the simulated
// MULTICAL 603 on a socat pseudo-terminal, beside the time the poll's bytes take on the line:
// (bytes sent + bytes received) × 11 bits (8N2) / 1200 baud. The simulator holds every answer until
// the request has been on the line as long as its bytes take and sends the answer at the line's
// pace (simulators/kmp/paced-line.ts), with no reaction time of its own, so what the figure adds to
// the floor is the session's: its timers, parsing, the pseudo-terminal and the event loop.
// Goal: figure ≤ 1.2 × floor (ratio ≥ 0.833). Few polls, each about 1.6 s: the machine is shared.

const WARMUP_POLLS = 1;
const POLLS = 7;

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const meter = await startKmpMeter({ serial: 67123456, seed: 603, transport: 'pty' });
  const session = await openKmpSession({ kind: 'serial', path: meter.devicePath ?? '' }, { timeoutMs: 2000, retries: 0 });
  try {
    const figures: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < WARMUP_POLLS + POLLS; i++) {
      const t0 = performance.now();
      const r = await session.poll(KMP_DEFAULT_HEAT_REGISTERS);
      const ms = performance.now() - t0;
      if (r.registers.length !== KMP_DEFAULT_HEAT_REGISTERS.length) throw new Error(`the poll read ${r.registers.length} registers, not ${KMP_DEFAULT_HEAT_REGISTERS.length}`);
      const lineMs = ((r.bytesSent + r.bytesReceived) * KMP_BITS_PER_BYTE * 1000) / MULTICAL603_BAUD_RATE;
      if (i >= WARMUP_POLLS) {
        figures.push(ms);
        floors.push(lineMs);
      }
      ctx.log(`poll ${i + 1}: ${ms.toFixed(1)} ms for ${r.bytesSent} + ${r.bytesReceived} bytes (line time ${lineMs.toFixed(1)} ms)`);
    }
    const perPoll = figures.map((f, i) => (floors[i] ?? 0) / f);
    return [row({
      name: 'dlms/optical eye: KMP poll of 10 registers at 1200 baud',
      unit: 'ms',
      figure: median(figures),
      floor: median(floors),
      goal: { kind: 'ratio-at-least', value: 0.833 },
      note:
        `one poll cycle (GetSerialNo, GetType, GetRegister ×2 for ${KMP_DEFAULT_HEAT_REGISTERS.join(',')}) by openKmpSession against the simulated MULTICAL 603 on a socat pty paced at 1200 baud 8N2; ` +
        `floor: (bytes sent + received) × 11 bits / 1200 baud; median of ${POLLS} polls after ${WARMUP_POLLS} warm-up; per-poll ratios ${perPoll.map((x) => x.toFixed(3)).join(' ')}`,
    })];
  } finally {
    await session.close();
    await meter.close();
  }
}

export const bench: Bench = { name: 'dlms/optical eye: KMP poll of 10 registers at 1200 baud', run };
