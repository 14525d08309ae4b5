import { stickCodecs, type StickCodec } from '../drivers/wmbus-sticks/index.js';
import type { BenchConfig } from './bench-config.js';
import { createMeter } from './meters/create-meter.js';
import type { SimulatedMeter } from './meters/meter-types.js';
import { startDlmsMeter, type DlmsMeterEvent, type DlmsMeterHandle } from './dlms/omnipower.js';
import { startKmpMeter, type KmpMeterHandle } from './kmp/multical603.js';
import { createSimulatedReceiver, type SimulatedReceiver } from './receiver.js';
import { openPtyTransport, openTcpTransport } from './transports.js';

// A running bench: meters, the receiver stick, and the pseudo-terminal or TCP port it is reached on;
// beside them each MULTICAL 603 (KMP) and each DLMS meter on pseudo-terminals of its own.

export interface Bench {
  codec: StickCodec;
  meters: SimulatedMeter[];
  receiver: SimulatedReceiver;
  /** Where the host connects: a device path or tcp://127.0.0.1:PORT. */
  link: string;
  /** The MULTICAL 603s, in the order of config `kmp:`; `devicePath` is their optical eye. */
  kmp: Array<{ serial: string; handle: KmpMeterHandle }>;
  /** The DLMS meters, in the order of config `dlms:`: `devicePath` the optical port, `pushDevicePath` the HAN port. */
  dlms: DlmsMeterHandle[];
  close(): Promise<void>;
}

export interface BenchOptions {
  autoSend?: boolean;
  /** What the DLMS meters do (associations, refusals, pushes), for a log. */
  onDlmsEvent?(serial: string, e: DlmsMeterEvent): void;
}

/** The lines `openeks simulate` prints for the KMP and DLMS meters: where each is reached. */
export function pullMeterLines(bench: Pick<Bench, 'kmp' | 'dlms'>): string[] {
  return [
    ...bench.kmp.map((m) => `MULTICAL 603 ${m.serial} (KMP, 1200 8N2) on ${m.handle.devicePath ?? '?'}`),
    ...bench.dlms.map(
      (m) => `OMNIPOWER ${m.serial} (DLMS, system title ${m.systemTitle.toString('hex').toUpperCase()}) optical port on ${m.devicePath}${m.pushDevicePath ? `, HAN port on ${m.pushDevicePath}` : ''}`,
    ),
  ];
}

export async function startBench(config: BenchConfig, opts: BenchOptions = {}): Promise<Bench> {
  const codec = stickCodecs[config.stick];
  const meters = config.meters.map((m, i) => createMeter(m, config.seed * 1_000_003 + i));
  const receiver = createSimulatedReceiver({ codec, meters, seed: config.seed });
  let link: string;
  let closeTransport: () => Promise<void>;
  if (config.link.kind === 'pty') {
    const t = await openPtyTransport(receiver, { baudRate: codec.baudRate });
    link = t.devicePath;
    closeTransport = t.close;
  } else {
    const t = await openTcpTransport(receiver, { port: config.link.port });
    link = `tcp://127.0.0.1:${t.port}`;
    closeTransport = t.close;
  }
  const kmp: Bench['kmp'] = [];
  const dlms: DlmsMeterHandle[] = [];
  const closeAll = async (): Promise<void> => {
    receiver.stop();
    for (const m of dlms.splice(0)) await m.close();
    for (const m of kmp.splice(0)) await m.handle.close();
    await closeTransport();
  };
  try {
    for (const [i, m] of (config.kmp ?? []).entries()) {
      kmp.push({ serial: m.serial, handle: await startKmpMeter({ serial: Number(m.serial), seed: m.seed ?? config.seed * 1_000_003 + 50_000 + i, transport: 'pty' }) });
    }
    for (const [i, m] of (config.dlms ?? []).entries()) {
      dlms.push(
        await startDlmsMeter({
          serial: m.serial,
          keys: { ek: Buffer.from(m.guek, 'hex'), ak: Buffer.from(m.gak, 'hex') },
          authentication: m.authentication,
          ...(m.password !== undefined ? { password: Buffer.from(m.password, 'latin1') } : {}),
          pushSeconds: m.pushSeconds,
          modeE: m.modeE,
          seed: m.seed ?? config.seed * 1_000_003 + 60_000 + i,
          transport: 'pty',
          onEvent: (e) => opts.onDlmsEvent?.(m.serial, e),
        }),
      );
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  if (opts.autoSend ?? true) receiver.start();
  return { codec, meters, receiver, link, kmp, dlms, close: closeAll };
}
