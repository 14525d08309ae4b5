import { createInterface } from 'node:readline';
import pino from 'pino';
import { openPublisher } from '../../src/gateway/mqtt/mqtt-publisher.js';
import { sampleReading } from './sample-reading.js';

// A publisher in a process of its own, for the tests that kill it (SIGKILL: no goodbye, no close).
// stdin: `read FROM TO` hands it readings FROM..TO (total_m3 = n); `status` prints its status as one JSON line.
const config = JSON.parse(process.argv[2] ?? '{}');
const pub = await openPublisher({ config, gatewayId: 'gw1', log: pino({ level: 'warn' }, process.stderr) });
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, from, to] = line.split(' ');
  if (cmd === 'read') {
    for (let n = Number(from); n <= Number(to); n++) {
      pub.reading(sampleReading(n));
    }
  }
  if (cmd === 'status') process.stdout.write(`${JSON.stringify(pub.status())}\n`);
}
