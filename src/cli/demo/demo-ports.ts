import { createServer } from 'node:net';

// Which port on 127.0.0.1 the demo listens on: the usual one when it is free, else one the kernel
// picks. Probed by listening and closing; the port is taken at once afterwards by its owner.

async function tryListen(port: number): Promise<number | null> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(null));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const taken = typeof address === 'object' && address !== null ? address.port : null;
      server.close(() => resolve(taken));
    });
  });
}

/** `preferred` if nothing listens on it on 127.0.0.1, else a free port. */
export async function portFor(preferred: number): Promise<number> {
  if (preferred > 0) {
    const got = await tryListen(preferred);
    if (got !== null) return got;
  }
  const free = await tryListen(0);
  if (free === null) throw new Error('no free TCP port on 127.0.0.1');
  return free;
}
