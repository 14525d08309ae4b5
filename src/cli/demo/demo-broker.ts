import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';

// The MQTT broker of `openeks demo` when OPENEKS_MQTT_URL names none: aedes embedded in the demo's
// process, on 127.0.0.1 only, in memory, without credentials. For a demo on one machine, never a
// site: a real installation names its own broker (Mosquitto, …) in gateway.yaml.

export interface EmbeddedBroker {
  host: string;
  port: number;
  url: string;
  /** Drops every client and stops listening: the port is closed when this resolves. */
  close(): Promise<void>;
}

export async function startEmbeddedBroker(port: number): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    host: '127.0.0.1',
    port: bound,
    url: `mqtt://127.0.0.1:${bound}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
}
