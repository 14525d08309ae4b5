import { stickCodecs, type StickCodec } from '../drivers/wmbus-sticks/index.js';
import type { BenchConfig } from './bench-config.js';
import { createMeter } from './meters/create-meter.js';
import type { SimulatedMeter } from './meters/meter-types.js';
import { createSimulatedReceiver, type SimulatedReceiver } from './receiver.js';
import { openPtyTransport, openTcpTransport } from './transports.js';

// A running bench: meters, the receiver stick, and the pseudo-terminal or TCP port it is reached on.

export interface Bench {
  codec: StickCodec;
  meters: SimulatedMeter[];
  receiver: SimulatedReceiver;
  /** Where the host connects: a device path or tcp://127.0.0.1:PORT. */
  link: string;
  close(): Promise<void>;
}

export async function startBench(config: BenchConfig, opts: { autoSend?: boolean } = {}): Promise<Bench> {
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
  if (opts.autoSend ?? true) receiver.start();
  return {
    codec,
    meters,
    receiver,
    link,
    async close() {
      receiver.stop();
      await closeTransport();
    },
  };
}
